"""Widgets of the main screen, one per area: conversation, status bar, prompt."""
