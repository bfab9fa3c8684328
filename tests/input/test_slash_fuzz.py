"""Fuzzing the slash-command path: parse any `/…` line, then dispatch it.

`st.text()` almost never starts with `/`, so the general parser fuzz in
test_input_parser.py hardly reaches the command grammar. These properties
build lines that do: `/` plus any text, and `/` plus a known command name
(or an alias, in any case) plus random arguments, quoted and escaped the
ways a user might type them. Whatever the line, parsing gives a
`SlashCommand` or an `InputError` with a message, and running the parsed
command through the built-in `CommandTable` returns an `Outcome` (lines to
show, effects) instead of raising into the app.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from apptest import type_line
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gemini_live_tui.tui import commands as cmd
from gemini_live_tui.tui.input_parser import InputError, SlashCommand, parse_input_line
from gemini_live_tui.tui.lines import Line
from gemini_live_tui.tui.setup_draft import THINKING_LEVELS, VOICES, SetupDraft

CWD = Path("/work/cwd")
HOME = Path("/home/ada")
TABLE = cmd.builtin_commands()
NAMES = sorted({c.name for c in TABLE} | {a for c in TABLE for a in c.aliases})
SUBCOMMANDS = sorted({s for c in TABLE for s in c.subcommands})
TOOLS = (("google_search", "search the web"), ("set_timer", "a timer"), ("read file", "x"))


def parse(line: str):
    return parse_input_line(line, CWD, HOME)


# Words a user types after a command: the table's own sub-commands and
# choices, values that look like options, and arbitrary text.
known_words = st.sampled_from(
    [
        *SUBCOMMANDS,
        *VOICES,
        *THINKING_LEVELS,
        *(n for n, _ in TOOLS),
        "default",
        "apply",
        "--fresh",
        "-",
        "--",
        "",
        "~",
        "@x",
    ]
)
any_word = st.text(max_size=12)
words = st.lists(st.one_of(known_words, any_word), max_size=5)


def spell(word: str, how: str) -> str:
    """`word` as a user might type it: bare, quoted, or with stray quoting."""
    if how == "double":
        return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if how == "single":
        return "'" + word.replace("'", "") + "'"
    if how == "escaped":
        return "".join("\\" + c for c in word) or "''"
    return word  # bare: may hold quotes and backslashes of its own


spellings = st.sampled_from(["bare", "double", "single", "escaped"])
name_case = st.sampled_from([str.lower, str.upper, str.title])
separators = st.sampled_from([" ", "  ", "\t", " \u3000 "])


def check_parsed(line: str):
    """Parse `line`; an error must say what is wrong. Returns the command or None."""
    try:
        result = parse(line)
    except InputError as error:
        assert str(error), "an input error says what is wrong"
        return None
    assert isinstance(result, SlashCommand), f"{line!r} parsed as {result!r}"
    assert result.raw == line.strip()
    assert result.name == result.name.lower()
    return result


@given(st.text(max_size=60), st.sampled_from(["", " ", "  \t"]))
@example("", "")
@example(" help", "")
@example('"', "")
@example("\\", "")
@example("'unterminated", "")
@example("help\x00", "")
@example("\u2028help", "")
def test_slash_and_any_text_parses_or_says_why(rest: str, before: str) -> None:
    line = f"{before}/{rest}"
    if line.strip().startswith("//"):
        return  # a message that starts with "/", covered in test_input_parser.py
    check_parsed(line)


@given(
    st.sampled_from(NAMES),
    name_case,
    st.lists(st.tuples(st.one_of(known_words, any_word), spellings), max_size=5),
    separators,
)
@example("system", str.lower, [("set", "bare"), ('say "hi', "bare")], " ")
@example("tools", str.lower, [("enable", "bare"), ("", "double")], " ")
@example("voice", str.upper, [("puck", "escaped")], " ")
def test_known_command_with_random_args_parses_or_says_why(
    name: str, case, args: list[tuple[str, str]], sep: str
) -> None:
    line = sep.join([f"/{case(name)}", *(spell(w, how) for w, how in args)])
    result = check_parsed(line)
    if result is not None:
        assert result.name == name.lower()
        if sep.isascii() and all(how != "bare" for _, how in args):
            # every argument quoted or escaped, split by shell blanks: back as typed
            assert result.args == tuple(w.replace("'", "") if h == "single" else w for w, h in args)


def context(staged_voice: str | None, has_handle: bool, system: str | None) -> cmd.CommandContext:
    applied = SetupDraft("models/m", tools=frozenset({"google_search"}))
    staged = SetupDraft(
        "models/m", voice=staged_voice, system_instruction=system, tools=applied.tools
    )
    return cmd.CommandContext(applied=applied, staged=staged, tools=TOOLS, has_handle=has_handle)


contexts = st.builds(
    context,
    st.one_of(st.none(), st.sampled_from(VOICES)),
    st.booleans(),
    st.one_of(st.none(), st.text(max_size=10)),
)


async def dispatch(ctx: cmd.CommandContext, parsed: SlashCommand) -> cmd.Outcome:
    outcome = await TABLE.run(ctx, parsed.name, parsed.args)
    assert isinstance(outcome, cmd.Outcome)
    assert all(isinstance(line, Line) and isinstance(line.text, str) for line in outcome.lines)
    if outcome.staged is not None:
        assert isinstance(outcome.staged, SetupDraft)
    return outcome


@given(
    contexts,
    st.one_of(st.sampled_from(NAMES), st.text(max_size=10)),
    st.lists(st.one_of(known_words, any_word), max_size=5),
)
@example(context(None, False, None), "model", ["default"])
@example(context(None, False, None), "thinking", ["apply", "--fresh"])
@example(context("Kore", True, "x"), "apply", [])
@example(context(None, False, None), "tools", ["enable"])
@example(context(None, False, None), "/", [])
async def test_any_parsed_command_dispatches_to_an_outcome(ctx, name, args) -> None:
    line = " ".join([f"/{name}", *(spell(w, "double") for w in args)])
    if line.strip().startswith("//"):
        return  # a message, not a command
    parsed = check_parsed(line)
    if parsed is None:
        return
    await dispatch(ctx, parsed)


@given(contexts, st.text(max_size=60))
async def test_dispatch_of_slash_and_any_text_never_raises(ctx, rest: str) -> None:
    line = "/" + rest
    if line.strip().startswith("//"):
        return
    parsed = check_parsed(line)
    if parsed is not None:
        await dispatch(ctx, parsed)


# ----- the app's own table: built-ins plus the voice and screen commands -------

APP_NAMES = [n for n in (*NAMES, "mic", "speak", "share-screen") if n not in ("quit", "exit")]
app_lines = st.lists(
    st.builds(
        lambda name, args: " ".join([f"/{name}", *(spell(w, "double") for w in args)]),
        st.sampled_from(APP_NAMES),
        st.lists(st.one_of(known_words, any_word, st.sampled_from(["on", "off", "9", "0.1"]))),
    ),
    min_size=20,
    max_size=20,
)


@pytest.mark.timeout(240)
@settings(max_examples=3, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(app_lines)
async def test_random_commands_typed_into_the_app_keep_it_running(make_app, lines) -> None:
    """Twenty random commands (no /quit) typed into the real app, one example a run.

    The number of examples is fixed (each starts an app); the nightly profile
    does not scale it.
    """
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        for line in lines:
            await type_line(pilot, line)
            await pilot.pause(0.01)
        await pilot.pause(1.0)  # the commands' workers report (devices, screens)
        assert app.is_running
        shown = "\n".join(line.text for line in app.conversation.lines)
        assert "Traceback" not in shown
        assert "Error:" not in shown.replace("error:", "")
