"""Slash command handlers as pure functions: staging, apply, help."""

from __future__ import annotations

from gemini_live_tui.tui import commands as cmd
from gemini_live_tui.tui.setup_draft import SetupDraft

TOOLS = (("google_search", "search"), ("set_timer", "timer"))
TABLE = cmd.builtin_commands()


def ctx(**kw) -> cmd.CommandContext:
    applied = SetupDraft("models/m", tools=frozenset({"google_search"}))
    values = dict(applied=applied, staged=applied, tools=TOOLS, has_handle=True)
    values.update(kw)
    return cmd.CommandContext(**values)


async def run(context, line):
    name, *args = line.split(" ", 1)
    words = tuple(args[0].split()) if args else ()
    return await TABLE.run(context, name, words)


async def test_help_lists_every_command_with_one_line():
    from gemini_live_tui.live.messages import Setup
    from gemini_live_tui.tui.app import AppOptions, GeminiLiveApp

    # the app's table: the built-in commands and those its features add
    app = GeminiLiveApp(AppOptions("t", Setup(model="models/m"), persist_history=False))
    outcome = await app.commands.run(ctx(), "help", ())
    text = [line.text for line in outcome.lines]
    for name in (
        "help",
        "clear",
        "quit",
        "reconnect",
        "system",
        "tools",
        "voice",
        "model",
        "thinking",
        "save",
        "cancel",
        "mic",
        "speak",
        "share-screen",
    ):
        assert any(t.startswith(f"/{name}") for t in text), name
    assert all("\n" not in t for t in text)


async def test_system_set_is_staged_not_applied():
    context = ctx()
    outcome = await TABLE.run(context, "system", ("set", "be brief"))
    assert outcome.staged.system_instruction == "be brief"
    assert "staged" in outcome.lines[0].text and not outcome.effects
    shown = await TABLE.run(ctx(staged=outcome.staged), "system", ("show",))
    assert [line.text for line in shown.lines] == ["system instruction: (none)", "staged: be brief"]


async def test_apply_with_a_handle_resumes():
    staged = SetupDraft("models/m", voice="Kore", tools=frozenset({"google_search"}))
    outcome = await TABLE.run(ctx(staged=staged), "voice", ("apply",))
    assert outcome.effects == (cmd.ApplySetup(fresh=False),)
    assert "voice default → Kore" in outcome.lines[0].text


async def test_apply_without_a_handle_offers_fresh():
    staged = SetupDraft("models/m", system_instruction="x", tools=frozenset({"google_search"}))
    outcome = await TABLE.run(ctx(staged=staged, has_handle=False), "system", ("apply",))
    assert not outcome.effects
    assert "/system apply --fresh" in outcome.lines[0].text
    fresh = await TABLE.run(ctx(staged=staged, has_handle=False), "system", ("apply", "--fresh"))
    assert fresh.effects == (cmd.ApplySetup(fresh=True),)


async def test_apply_with_nothing_staged_says_so():
    outcome = await run(ctx(), "apply")
    assert outcome.lines[0].text == "nothing staged to apply" and not outcome.effects


async def test_tools_staging_and_list_marks():
    outcome = await TABLE.run(ctx(), "tools", ("toggle", "set_timer"))
    assert outcome.staged.tools == {"google_search", "set_timer"}
    listing = await TABLE.run(ctx(staged=outcome.staged), "tools", ("list",))
    assert [line.text.split()[:3] for line in listing.lines] == [
        ["on", "google_search", "—"],
        ["on", "(staged)", "set_timer"],
    ]
    bad = await TABLE.run(ctx(), "tools", ("enable", "nope"))
    assert bad.lines[0].role == "error" and "nope" in bad.lines[0].text


async def test_model_and_thinking_are_normalised():
    model = await TABLE.run(ctx(), "model", ("gemini-x",))
    assert model.staged.model == "models/gemini-x"
    assert "not in the model catalog" in model.lines[-1].text  # allowed, with a warning
    on_31 = SetupDraft("models/gemini-3.1-flash-live-preview")
    thinking = await TABLE.run(ctx(applied=on_31, staged=on_31), "thinking", ("LOW",))
    assert thinking.staged.thinking_level == "low"
    bad = await TABLE.run(ctx(), "thinking", ("extreme",))
    assert bad.lines[0].role == "error"


async def test_voice_and_screen_commands_belong_to_their_features_not_the_builtin_table():
    for name in ("mic", "speak", "share-screen"):
        outcome = await run(ctx(), name)
        assert outcome.lines[0].role == "error" and "unknown command" in outcome.lines[0].text


async def test_unknown_command():
    outcome = await run(ctx(), "frobnicate")
    assert outcome.lines[0].role == "error" and "/help" in outcome.lines[0].text


def test_completion_specs_offer_tool_names_after_enable():
    specs = {s.name: s for s in TABLE.specs(ctx())}
    enable = next(s for s in specs["tools"].subcommands if s.name == "enable")
    assert enable.choices == ("google_search", "set_timer")
    assert specs["save"].takes_path


def test_a_feature_replaces_its_stub():
    table = cmd.builtin_commands()
    table.add(cmd.Command("mic", "/mic", "microphone", lambda c, a: cmd.Outcome(cmd.say("on"))))
    assert table.get("mic").help == "microphone"
