"""The tools layer's one exception type.

An executor raises `ToolError` to refuse or fail a call; the runner turns it
into the error envelope the model reads, and the conversation shows the same
message to the user. So the message says what went wrong and what to do.
"""


class ToolError(Exception):
    """A tool call was refused or failed; the message is meant for the model and the user."""
