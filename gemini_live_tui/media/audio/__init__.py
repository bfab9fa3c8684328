"""Voice: microphone and speaker streams, echo cancellation, resampling."""
