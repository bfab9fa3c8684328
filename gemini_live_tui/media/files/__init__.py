"""Attachments: images and audio files read, checked and paced to the model."""
