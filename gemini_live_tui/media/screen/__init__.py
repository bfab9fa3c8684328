"""Screen sharing: capture targets, frames within the model's limits."""
