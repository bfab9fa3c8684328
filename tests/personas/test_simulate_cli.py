"""`gemini-live simulate --model M [--backend vertex]`, run as a user runs it."""

from __future__ import annotations

import asyncio
import json
import sys

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

GEMINI_PATH = "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent"
VERTEX_PATH = "/ws/google.cloud.aiplatform.v1.LlmBidiService/BidiGenerateContent"


async def simulate(*args: str) -> asyncio.subprocess.Process:
    code = "import sys; from gemini_live_tui.cli import main; sys.exit(main(sys.argv[1:]))"
    return await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, "simulate", "--port", "0", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def close_of(url: str, headers: dict[str, str], setup: dict) -> tuple[int, str]:
    async with connect(url, additional_headers=headers) as ws:
        await ws.send(json.dumps({"setup": setup}))
        try:
            while True:
                await asyncio.wait_for(ws.recv(), 5)
        except ConnectionClosed as closed:
            assert closed.rcvd is not None
            return closed.rcvd.code, closed.rcvd.reason


@pytest.mark.parametrize(
    ("args", "path", "headers", "model", "expected"),
    [
        (
            ["--model", "gemini-3.8-live"],
            GEMINI_PATH,
            {"x-goog-api-key": "k"},
            "models/gemini-3.8-live",
            (1011, "Internal error encountered."),
        ),
        (
            ["--model", "gemini-3.8-live", "--backend", "vertex"],
            VERTEX_PATH,
            {"Authorization": "Bearer k"},
            "projects/p/locations/l/publishers/google/models/gemini-3.1-flash-live-preview",
            (1008, "Publisher Model `projects/p/locations/l/publishers/google/models/gemini-3.1"),
        ),
    ],
)
async def test_simulate_plays_the_model_it_is_given(args, path, headers, model, expected) -> None:
    process = await simulate(*args)
    try:
        assert process.stdout is not None
        first = (await asyncio.wait_for(process.stdout.readline(), 20)).decode()
        assert "playing gemini-3.8-live on" in first, first
        base_url = first.split("listening on ", 1)[1].split(",", 1)[0]
        setup = {"model": model, "generationConfig": {"responseModalities": ["TEXT"]}}
        code, reason = await close_of(base_url + path, headers, setup)
        assert code == expected[0] and reason.startswith(expected[1]), reason
    finally:
        process.terminate()
        await process.wait()


async def test_simulate_refuses_a_model_the_backend_does_not_serve_in_one_line() -> None:
    process = await simulate("--model", "gemini-3.1-flash-live-preview", "--backend", "vertex")
    _, err = await asyncio.wait_for(process.communicate(), 20)
    lines = err.decode().strip().splitlines()
    assert process.returncode == 2 and len(lines) == 1, lines
    assert "vertex does not serve 'gemini-3.1-flash-live-preview'" in lines[0]
    assert "gemini-live-2.5-flash-native-audio" in lines[0]  # says what it does serve
