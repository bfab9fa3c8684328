"""The service's automatic activity detection, as the simulator models it.

Google's service decides from the realtime audio when the user starts and
stops speaking (unless the setup disables it and the client sends
`activityStart` / `activityEnd`). The simulator's stand-in is an energy
detector: speech above -45 dBFS starts a turn (and interrupts a reply),
0.6 s of quiet after speech ends it. It does no I/O: the protocol server
feeds it audio and acts on what it reports.
"""

from __future__ import annotations

from enum import Enum

from .voice import rms_dbfs

SPEECH_DBFS = -45.0
END_OF_SPEECH_S = 0.6
PRE_ROLL_S = 0.5  # silence kept before speech


class Heard(Enum):
    SPEECH_STARTED = "speech started"
    SPEECH_ENDED = "speech ended"


class SpeechDetector:
    """What one connection's user has said since their turn began."""

    def __init__(self) -> None:
        self.audio = bytearray()
        self.rate = 16000
        self.speaking = False
        self.silence_s = 0.0

    def hear(self, pcm: bytes, rate: int, detect: bool) -> Heard | None:
        """Take a chunk of 16-bit PCM; with `detect`, say whether speech started or ended."""
        self.rate = rate
        self.audio += pcm
        if not detect:
            return None
        if rms_dbfs(pcm) > SPEECH_DBFS:
            self.silence_s = 0.0
            if not self.speaking:
                self.speaking = True
                return Heard.SPEECH_STARTED
            return None
        if self.speaking:
            self.silence_s += len(pcm) / 2 / rate
            return Heard.SPEECH_ENDED if self.silence_s >= END_OF_SPEECH_S else None
        del self.audio[: -int(PRE_ROLL_S * rate) * 2]
        return None

    def activity_start(self) -> None:
        """The client says the user started speaking (`activityStart`)."""
        self.audio.clear()
        self.speaking = True

    def turn_over(self, activity_end: bool) -> bool:
        """Whether `activityEnd` or `audioStreamEnd` ends a turn: there is speech to answer."""
        return bool(self.audio) and (self.speaking or activity_end)

    def finish(self) -> str:
        """End the turn: what was heard, as the input transcription says it."""
        seconds = len(self.audio) / 2 / self.rate
        heard = f"[heard {seconds:.2f} s of audio at {self.rate} Hz]"
        self.audio.clear()
        self.speaking = False
        self.silence_s = 0.0
        return heard
