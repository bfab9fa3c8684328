"""Tab completion against a real folder tree: what the popup offers and what Tab inserts."""

from pathlib import Path

import pytest

from gemini_live_tui.tui.completion import MAX_CANDIDATES, CommandSpec, complete
from gemini_live_tui.tui.input_parser import Message, parse_input_line

COMMANDS = (
    CommandSpec("help", "every command with one line of help"),
    CommandSpec("quit", "leave"),
    CommandSpec(
        "tools",
        "model-callable tools",
        subcommands=(
            CommandSpec("list", "show tools"),
            CommandSpec("enable", "stage a tool", choices=("get_weather", "set timer", "search")),
            CommandSpec("apply", "reconnect with the staged tools"),
        ),
    ),
    CommandSpec("save", "write the conversation as Markdown", takes_path=True),
    CommandSpec("system", "system instruction", subcommands=(CommandSpec("show"),)),
)


def labels(line: str, tree: Path, cursor: int | None = None) -> list[str]:
    result = complete(
        line,
        len(line) if cursor is None else cursor,
        cwd=tree / "cwd",
        home=tree / "home",
        commands=COMMANDS,
    )
    assert result is not None
    return [c.label for c in result.candidates]


def accept(line: str, tree: Path, index: int = 0) -> tuple[str, int]:
    result = complete(line, len(line), cwd=tree / "cwd", home=tree / "home", commands=COMMANDS)
    assert result is not None and result.candidates
    return result.apply(line, index)


def test_at_lists_files_and_folders_without_hidden_ones(tree: Path) -> None:
    assert labels("look at @", tree) == [
        "end.",
        "it's.png",
        "my photos/",
        "photo.jpg",
        "Photo2.png",
        "sub/",
        "talk.wav",
    ]


def test_hidden_entries_show_when_the_name_starts_with_a_dot(tree: Path) -> None:
    assert labels("@.", tree) == [".config/", ".secret"]


def test_prefix_filters_case_sensitively_then_falls_back(tree: Path) -> None:
    assert labels("@ph", tree) == ["photo.jpg"]
    assert labels("@P", tree) == ["Photo2.png"]
    assert labels("@TA", tree) == ["talk.wav"]


def test_folder_completion_lets_tab_continue_inside(tree: Path) -> None:
    line, cursor = accept("look @my", tree)
    assert line == r"look @my\ photos/"
    assert cursor == len(line)
    line, cursor = accept(line, tree)
    assert line == r"look @my\ photos/cat\ on\ mat.jpg "


@pytest.mark.parametrize("typed", ["@my", "@'my ph", '@"my photos/c', r"@my\ photos/c"])
def test_accepted_completion_parses_back_to_the_real_file(tree: Path, typed: str) -> None:
    line = "what is this " + typed
    while True:  # keep pressing Tab until a file is reached
        line, _ = accept(line, tree)
        if line.endswith(" "):
            break
    msg = parse_input_line(line + "please", tree / "cwd", tree / "home")
    assert isinstance(msg, Message)
    (ref,) = msg.attachments
    assert ref.path.is_file()
    assert ref.path.name == "cat on mat.jpg"
    assert msg.text == "what is this please"


@pytest.mark.parametrize("name", ["it's.png", "end."])
def test_awkward_names_are_quoted_so_they_survive(tree: Path, name: str) -> None:
    line, _ = accept("@" + name[:2], tree)
    (ref,) = parse_input_line(line, tree / "cwd", tree / "home").attachments
    assert ref.path == tree / "cwd" / name


def test_home_is_kept_as_tilde(tree: Path) -> None:
    assert accept("@~", tree)[0] == "@~/"
    assert accept("@~/Pic", tree)[0] == "@~/Pictures/"
    line = accept("@~/Pictures/", tree)[0]
    assert line == "@~/Pictures/me.png "
    (ref,) = parse_input_line(line, tree / "cwd", tree / "home").attachments
    assert ref.path.is_file()


def test_absolute_paths_complete(tree: Path) -> None:
    base = str(tree / "cwd" / "su")
    assert labels("@" + base, tree) == ["sub/"]


def test_completion_in_the_middle_of_the_line(tree: Path) -> None:
    line = "see @ph and more"
    result = complete(line, 7, cwd=tree / "cwd", home=tree / "home")
    assert result is not None
    assert result.apply(line, 0) == ("see @photo.jpg and more", 15)


def test_plain_words_and_missing_folders_offer_nothing(tree: Path) -> None:
    assert complete("hello wor", 9, cwd=tree / "cwd", home=tree / "home") is None
    assert complete("mail a@b", 8, cwd=tree / "cwd", home=tree / "home") is None
    assert labels("@nowhere/x", tree) == []


def test_huge_folder_is_capped(tmp_path: Path) -> None:
    for i in range(MAX_CANDIDATES + 50):
        (tmp_path / f"f{i:04d}.png").write_bytes(b"")
    result = complete("@f", 2, cwd=tmp_path, home=tmp_path)
    assert result is not None
    assert len(result.candidates) == MAX_CANDIDATES
    assert result.candidates[0].label == "f0000.png"


def test_slash_lists_commands_with_help(tree: Path) -> None:
    result = complete("/", 1, cwd=tree, home=tree, commands=COMMANDS)
    assert result is not None
    assert [(c.label, c.help) for c in result.candidates][:2] == [
        ("/help", "every command with one line of help"),
        ("/quit", "leave"),
    ]
    assert labels("/t", tree) == ["/tools"]
    assert labels("/T", tree) == ["/tools"]


def test_command_with_more_to_come_gets_a_space(tree: Path) -> None:
    assert accept("/to", tree) == ("/tools ", 7)
    assert accept("/he", tree) == ("/help", 5)


def test_subcommands_and_tool_names(tree: Path) -> None:
    assert labels("/tools ", tree) == ["list", "enable", "apply"]
    assert labels("/tools en", tree) == ["enable"]
    assert labels("/tools enable ", tree) == ["get_weather", "set timer", "search"]
    assert labels("/tools enable se", tree) == ["set timer", "search"]
    line, _ = accept("/tools enable set", tree)
    cmd = parse_input_line(line, tree, tree)
    assert cmd.args == ("enable", "set timer")


def test_unknown_command_offers_nothing(tree: Path) -> None:
    assert complete("/nope ", 6, cwd=tree, home=tree, commands=COMMANDS) is None
    assert labels("/zz", tree) == []


def test_path_argument_of_a_command(tree: Path) -> None:
    assert labels("/save my", tree) == ["my photos/"]
    line, _ = accept("/save my", tree)
    assert line == r"/save my\ photos/"
    assert parse_input_line(line + "x.md", tree, tree).args == ("my photos/x.md",)
