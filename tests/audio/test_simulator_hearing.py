"""The simulator's stand-in for the service's activity detection, without a socket.

Speech starts a turn the moment it is louder than -45 dBFS, ends it after
0.6 s of quiet, and the answer says how much was heard, keeping at most half
a second of the silence before the speech.
"""

import numpy as np

from gemini_live_tui.simulator.hearing import Heard, SpeechDetector

RATE = 16000


def chunk(seconds: float, level: float) -> bytes:
    """A 440 Hz tone at `level` of full scale (0 is silence), 16-bit PCM."""
    t = np.arange(int(seconds * RATE)) / RATE
    return (level * 32767 * np.sin(2 * np.pi * 440 * t)).astype("<i2").tobytes()


def test_speech_starts_a_turn_and_quiet_ends_it_with_what_was_heard() -> None:
    ears = SpeechDetector()
    heard = [ears.hear(chunk(0.1, 0.0), RATE, detect=True) for _ in range(20)]  # 2 s of silence
    assert heard == [None] * 20
    assert ears.hear(chunk(0.1, 0.2), RATE, detect=True) is Heard.SPEECH_STARTED
    assert ears.hear(chunk(0.1, 0.2), RATE, detect=True) is None
    quiet = [ears.hear(chunk(0.1, 0.001), RATE, detect=True) for _ in range(6)]
    assert quiet == [None] * 5 + [Heard.SPEECH_ENDED]
    # 0.5 s of pre-roll + 0.2 s of speech + 0.6 s of quiet
    assert ears.finish() == "[heard 1.30 s of audio at 16000 Hz]"
    assert ears.finish() == "[heard 0.00 s of audio at 16000 Hz]"


def test_without_detection_only_the_client_ends_the_turn() -> None:
    ears = SpeechDetector()
    assert ears.hear(chunk(0.5, 0.2), RATE, detect=False) is None
    assert not ears.turn_over(activity_end=False), "audioStreamEnd alone: no speech was seen"
    assert ears.turn_over(activity_end=True)
    ears.activity_start()
    ears.hear(chunk(0.3, 0.2), RATE, detect=False)
    assert ears.turn_over(activity_end=False)
    assert ears.finish() == "[heard 0.30 s of audio at 16000 Hz]"
