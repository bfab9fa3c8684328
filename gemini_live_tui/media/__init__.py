"""The media layer: voice (audio/), screen sharing (screen/) and attached files (files/).

Nothing here imports Textual or the session: each part takes plain callables.
"""
