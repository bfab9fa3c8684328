"""The input grammar: what a typed line sends, as the user would see it."""

from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from gemini_live_tui.tui.input_parser import (
    InputError,
    Message,
    SlashCommand,
    parse_input_line,
    quote_path,
)

CWD = Path("/work/cwd")
HOME = Path("/home/ada")


def parse(line: str):
    return parse_input_line(line, CWD, HOME)


def paths(line: str) -> list[Path]:
    msg = parse(line)
    assert isinstance(msg, Message)
    return [a.path for a in msg.attachments]


@pytest.mark.parametrize(
    ("line", "text", "files"),
    [
        ("hello there", "hello there", []),
        ("@photo.jpg describe this", "describe this", ["/work/cwd/photo.jpg"]),
        ("describe @photo.jpg please", "describe please", ["/work/cwd/photo.jpg"]),
        ("what is in @cat.jpg?", "what is in?", ["/work/cwd/cat.jpg"]),
        ("compare @a.png, @b.png.", "compare,.", ["/work/cwd/a.png", "/work/cwd/b.png"]),
        ("@a.png @b.wav", "", ["/work/cwd/a.png", "/work/cwd/b.wav"]),
        ("see @/tmp/x.png now", "see now", ["/tmp/x.png"]),
        ("see @~/Pictures/me.png", "see", ["/home/ada/Pictures/me.png"]),
        ("see @~", "see", ["/home/ada"]),
        ('see @"my file.png" now', "see now", ["/work/cwd/my file.png"]),
        ("see @'my file.png' now", "see now", ["/work/cwd/my file.png"]),
        (r"see @my\ file.png now", "see now", ["/work/cwd/my file.png"]),
        ('see @"my dir"/b.png', "see", ["/work/cwd/my dir/b.png"]),
        (r'see @"say \"hi\".png"', "see", ['/work/cwd/say "hi".png']),
        (r"see @'a\b'", "see", ["/work/cwd/a\\b"]),
        (r"see @file\.", "see", ["/work/cwd/file."]),
        ("see @'~/x'", "see", ["/work/cwd/~/x"]),
        ("see @~bob/x", "see", ["/work/cwd/~bob/x"]),
        ("mail ada@example.com today", "mail ada@example.com today", []),
        ("a lone @ sign", "a lone @ sign", []),
        (r"ping \@ada about it", "ping @ada about it", []),
        ("don't panic", "don't panic", []),
        ("keep   inner  spacing @x.png  end", "keep   inner  spacing end", ["/work/cwd/x.png"]),
        ("(@x.png) stays text", "(@x.png) stays text", []),
        ("@... is not a path", "@... is not a path", []),
    ],
)
def test_message_text_and_attachments(line: str, text: str, files: list[str]) -> None:
    msg = parse(line)
    assert isinstance(msg, Message)
    assert msg.text == text
    assert [str(a.path) for a in msg.attachments] == files
    assert msg.echo == line.strip()


def test_attachment_remembers_how_it_was_typed() -> None:
    line = 'look at @"my cat.jpg", please'
    (ref,) = parse(line).attachments
    assert ref.typed == '@"my cat.jpg"'
    assert line[ref.span[0] : ref.span[1]] == ref.typed


@pytest.mark.parametrize(
    ("line", "name", "args"),
    [
        ("/help", "help", ()),
        ("  /quit  ", "quit", ()),
        ("/Help", "help", ()),
        ('/tools enable "get weather"', "tools", ("enable", "get weather")),
        ("/system set You're 'terse' now", "system", ("set", "You're 'terse' now")),
        ('/SYSTEM  set  a "b" \\c\n  d ', "system", ("set", 'a "b" \\c\n  d')),
        ("/system set", "system", ("set",)),
        ('/system set "be brief"', "system", ("set", "be brief")),
        ('/system set "a" or "b"', "system", ("set", '"a" or "b"')),
        ("/apply \u3000 --fresh", "apply", ("--fresh",)),
        ("/tools\u2003enable\u00a0a", "tools", ("enable", "a")),
        (r"/save my\ notes.md", "save", ("my notes.md",)),
        ("/save ~/x.md", "save", ("~/x.md",)),
        ("/voice @Puck", "voice", ("@Puck",)),
    ],
)
def test_slash_commands_split_like_a_shell(line: str, name: str, args: tuple[str, ...]) -> None:
    cmd = parse(line)
    assert cmd == SlashCommand(name, args, line.strip())


def test_double_slash_sends_a_message_starting_with_slash() -> None:
    msg = parse("//etc/hosts is a file, see @a.png")
    assert isinstance(msg, Message)
    assert msg.text == "/etc/hosts is a file, see"
    assert msg.echo == "//etc/hosts is a file, see @a.png"
    assert paths("//x @a.png") == [CWD / "a.png"]


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ('/tools enable "unclosed', "quote is not closed"),
        ("/save it\\", "backslash ends the line"),
        ("/", "type a command name"),
        ("/ help", "type a command name"),
        ('look @"my file.png', 'unterminated "'),
        ("look @'my file.png", "unterminated '"),
    ],
)
def test_unbalanced_input_is_a_clear_error(line: str, words: str) -> None:
    with pytest.raises(InputError, match=words):
        parse(line)


@pytest.mark.parametrize(
    ("path", "quoted"),
    [
        ("photo.jpg", "photo.jpg"),
        ("my file.png", r"my\ file.png"),
        ("it's.png", r"it\'s.png"),
        ("~x", r"\~x"),
        ("end.", r"end\."),
        ("a\\b", r"a\\b"),
    ],
)
def test_quote_path_is_readable(path: str, quoted: str) -> None:
    assert quote_path(path) == quoted


def test_quote_path_refuses_an_empty_path() -> None:
    with pytest.raises(ValueError):
        quote_path("")


# Paths as a file system allows them: any character but NUL.
path_text = st.text(st.characters(exclude_characters="\x00"), min_size=1, max_size=40)


@given(path_text, st.sampled_from(["", "look ", "a@b.c "]), st.sampled_from(["", " now", "?"]))
@example("~/x", "", "")
@example("x.", "", ".")
@example("a b", "", "")
@example('"', "", "")
@example("\\", "", "")
@example("@x", "", "")
def test_quote_path_round_trips(path: str, before: str, after: str) -> None:
    line = f"{before}@{quote_path(path)}{after}"
    msg = parse(line)
    assert isinstance(msg, Message)
    assert [a.path for a in msg.attachments] == [CWD / path]


@given(st.text(max_size=80))
@example('@"')
@example("/'")
@example("@\\")
@example("\\@")
@example("@~")
@example("//")
def test_any_string_parses_or_says_why(line: str) -> None:
    try:
        result = parse(line)
    except InputError as e:
        assert str(e)
        return
    if isinstance(result, Message):
        assert result.echo == line.strip()
        for ref in result.attachments:
            assert line[slice(*ref.span)] == ref.typed
    else:
        assert result.name


@given(st.text(st.characters(exclude_characters="@\\"), max_size=80))
def test_text_without_at_is_sent_unchanged(line: str) -> None:
    if line.strip().startswith("/"):
        return
    assert parse(line) == Message(line.strip(), (), line.strip())
