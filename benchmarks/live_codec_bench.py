"""Codec cost: encode a 40 ms 16 kHz audio chunk, decode a 40 ms 24 kHz audio message.

Encoding is timed twice: `encode` (the JSON text) and `encode_frame` (the
UTF-8 bytes the session actually hands to the socket; for audio it builds
the bytes directly).

Run: uv run python benchmarks/live_codec_bench.py
Budget (docs/performance.md): under 50 µs per operation each.
"""

from __future__ import annotations

import base64
import json
import timeit

import numpy as np

from gemini_live_tui.live.codec import decode_frame, encode, encode_frame
from gemini_live_tui.live.messages import RealtimeAudio


def main() -> None:
    rng = np.random.default_rng(1)
    chunk16 = (rng.normal(0, 3000, 640)).astype("<i2").tobytes()  # 40 ms at 16 kHz
    chunk24 = (rng.normal(0, 3000, 960)).astype("<i2").tobytes()  # 40 ms at 24 kHz
    server_frame = json.dumps(
        {
            "serverContent": {
                "modelTurn": {
                    "parts": [
                        {
                            "inlineData": {
                                "mimeType": "audio/pcm;rate=24000",
                                "data": base64.b64encode(chunk24).decode(),
                            }
                        }
                    ]
                }
            }
        }
    ).encode()
    number = 20000
    encode_us = (
        min(timeit.repeat(lambda: encode(RealtimeAudio(chunk16)), number=number, repeat=5))
        / number
        * 1e6
    )
    frame_us = (
        min(timeit.repeat(lambda: encode_frame(RealtimeAudio(chunk16)), number=number, repeat=5))
        / number
        * 1e6
    )
    decode_us = (
        min(timeit.repeat(lambda: decode_frame(server_frame), number=number, repeat=5))
        / number
        * 1e6
    )
    print(f"encode 40 ms 16 kHz audio chunk: {encode_us:.1f} µs/op (budget 50)")
    print(f"encode_frame (bytes for the socket), same chunk: {frame_us:.1f} µs/op (budget 50)")
    print(f"decode 40 ms 24 kHz audio message: {decode_us:.1f} µs/op (budget 50)")


if __name__ == "__main__":
    main()
