"""Typing and pasting into the real `gemini-live` command, like a user in a terminal.

The command runs in tmux (fast keys, plain and bracketed pastes) or a pty (keys
typed while it starts), talks to the test's simulator on loopback, and the test
checks what the simulator received (exactly once, whole, in order) and what the
screen shows.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from ptyrun import APP, PtyProgram, private_env
from tmuxrun import Tmux


def _env(sim, home: Path) -> dict[str, str]:
    return private_env(home, GEMINI_API_KEY=sim.api_key, GEMINI_LIVE_BASE_URL=sim.base_url)


def _has_row(*wanted: str):
    return lambda rows: all(any(row.strip().startswith(w) for row in rows) for w in wanted)


@pytest.fixture
async def terminal(sim, tmp_path):
    term = Tmux([*APP, "--text"], _env(sim, tmp_path / "home"))
    try:
        await asyncio.to_thread(term.wait_for, _has_row("system connected"))
        yield term
    finally:
        term.close()


async def test_fast_keys_and_pastes_reach_the_model_once_whole_in_order(terminal, sim):
    terminal.keys("alpha", "Enter", "beta", "Enter")
    await sim.wait_for(lambda: len(sim.texts()) >= 2, 15)
    await asyncio.to_thread(terminal.wait_for, _has_row("you    alpha", "you    beta"))

    # a plain paste where the terminal passes line feeds: one message, every line
    terminal.literal("l1\nl2\nl3\nl4\n")
    await asyncio.to_thread(terminal.wait_for, _has_row("l4"))
    terminal.keys("Enter")
    await sim.wait_for(lambda: len(sim.texts()) >= 3, 15)

    # a plain paste where each line ends in a carriage return: a message per line
    terminal.literal("p1\rp2\rp3\r")
    await sim.wait_for(lambda: len(sim.texts()) >= 6, 15)

    # a bracketed paste keeps its lines in the box until Enter
    terminal.paste("b1\nb2\nb3")
    await asyncio.to_thread(terminal.wait_for, _has_row("b3"))
    terminal.keys("Enter")
    await sim.wait_for(lambda: len(sim.texts()) >= 7, 15)
    rows = await asyncio.to_thread(terminal.wait_for, _has_row("you    b1"))

    await asyncio.sleep(0.5)  # nothing more arrives
    assert sim.texts() == ["alpha", "beta", "l1\nl2\nl3\nl4", "p1", "p2", "p3", "b1\nb2\nb3"]
    start = rows.index(next(r for r in rows if r.strip().startswith("you    b1")))
    assert [r.strip() for r in rows[start : start + 3]] == ["you    b1", "b2", "b3"]


async def test_keys_typed_while_the_app_starts_are_sent(sim, tmp_path):
    program = PtyProgram([*APP, "--text"], _env(sim, tmp_path / "home"))
    done = asyncio.Event()

    async def drain() -> None:  # keep reading the screen so the app never blocks on it
        while not done.is_set():
            await asyncio.to_thread(program.read, 0.1)

    reader = asyncio.create_task(drain())
    try:
        program.type("first\rsecond\rthi")  # before the app has drawn anything
        await sim.wait_for(lambda: len(sim.texts()) >= 2, 40)
        await asyncio.sleep(0.5)
        assert sim.texts() == ["first", "second"]
        program.type("rd\r")  # the unfinished line waited in the box
        await sim.wait_for(lambda: len(sim.texts()) >= 3, 15)
        assert sim.texts() == ["first", "second", "third"]
    finally:
        done.set()
        await reader
        program.type("\x03")
        await asyncio.to_thread(program.close)
