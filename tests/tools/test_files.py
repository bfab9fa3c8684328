"""list_files and read_file, called the way the model calls them, answered on the wire."""

from __future__ import annotations

import json

from gemini_live_tui.tools.files import MAX_FILE_BYTES


async def test_read_file_returns_the_text(harness) -> None:
    (harness.workspace.root / "notes.md").write_text("héllo\nworld\n", encoding="utf-8")
    response = await harness.result("read_file", path="notes.md")
    assert response["ok"] is True
    result = response["result"]
    assert result["text"] == "héllo\nworld\n"
    assert (result["path"], result["total_lines"], result["truncated"]) == ("notes.md", 2, False)


async def test_read_file_line_window(harness) -> None:
    lines = "".join(f"line {i}\n" for i in range(1, 101))
    (harness.workspace.root / "long.txt").write_text(lines)
    result = (await harness.result("read_file", path="long.txt", start_line=10, max_lines=3))[
        "result"
    ]
    assert result["text"] == "line 10\nline 11\nline 12\n"
    assert (result["start_line"], result["end_line"], result["total_lines"]) == (10, 12, 100)
    assert result["truncated"] is True
    past_end = (await harness.result("read_file", path="long.txt", start_line=500))["result"]
    assert past_end["text"] == "" and past_end["truncated"] is False


async def test_read_file_refuses_paths_out_of_the_workspace(harness) -> None:
    outside = harness.workspace.root.parent / "secret.txt"
    outside.write_text("TOP SECRET")
    (harness.workspace.root / "sneaky").symlink_to(outside)
    for path in ("../secret.txt", str(outside), "sneaky", "/etc/passwd"):
        response = await harness.result("read_file", path=path)
        assert response["ok"] is False
        assert "outside the workspace" in response["error"]["message"]
    assert "TOP SECRET" not in json.dumps(harness.wire.frames)


async def test_read_file_refuses_binary_and_non_utf8(harness) -> None:
    root = harness.workspace.root
    (root / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (root / "latin1.txt").write_bytes("café crème".encode("latin-1"))
    for name in ("image.png", "latin1.txt"):
        response = await harness.result("read_file", path=name)
        assert response["ok"] is False
        assert "UTF-8 text" in response["error"]["message"], response


async def test_read_file_size_cap(harness) -> None:
    root = harness.workspace.root
    (root / "big.txt").write_bytes(b"a" * (MAX_FILE_BYTES + 1))
    (root / "edge.txt").write_bytes(b"a" * MAX_FILE_BYTES)
    big = await harness.result("read_file", path="big.txt")
    assert big["ok"] is False and "256.0 KB" in big["error"]["message"]
    edge = await harness.result("read_file", path="edge.txt", max_lines=1)
    assert edge["ok"] is True and len(edge["result"]["text"]) == MAX_FILE_BYTES


async def test_read_file_on_a_folder_a_missing_file_and_bad_arguments(harness) -> None:
    (harness.workspace.root / "sub").mkdir()
    cases = {
        "folder": ({"path": "sub"}, "use list_files"),
        "missing": ({"path": "nope.txt"}, "does not exist"),
        "no path": ({}, "'path' is required"),
        "wrong type": ({"path": 3}, "must be a string"),
        "bad window": ({"path": "x", "max_lines": 0}, "at least 1"),
    }
    for args, expected in cases.values():
        response = await harness.result("read_file", **args)
        assert response["ok"] is False
        assert expected in response["error"]["message"], (args, response)


async def test_list_files_shows_entries_with_types_and_sizes(harness) -> None:
    root = harness.workspace.root
    (root / "b.txt").write_text("12345")
    (root / "a-dir").mkdir()
    (root / "a-dir" / "inner.txt").write_text("x")
    (root / "link").symlink_to("b.txt")
    result = (await harness.result("list_files"))["result"]
    assert result["path"] == "."
    assert result["entries"] == [
        {"name": "a-dir", "type": "dir"},
        {"name": "b.txt", "type": "file", "size": 5},
        {"name": "link", "type": "symlink"},
    ]
    inner = (await harness.result("list_files", path="a-dir"))["result"]
    assert inner["path"] == "a-dir" and [e["name"] for e in inner["entries"]] == ["inner.txt"]


async def test_list_files_refusals(harness) -> None:
    (harness.workspace.root / "f.txt").write_text("x")
    (harness.workspace.root / "out").symlink_to(harness.workspace.root.parent)
    cases = [
        ("..", "outside the workspace"),
        ("out", "outside the workspace"),
        ("/", "outside the workspace"),
        ("f.txt", "use read_file"),
        ("missing", "does not exist"),
    ]
    for path, expected in cases:
        response = await harness.result("list_files", path=path)
        assert response["ok"] is False
        assert expected in response["error"]["message"]


async def test_list_files_caps_huge_folders(harness) -> None:
    from gemini_live_tui.tools.files import MAX_ENTRIES

    for i in range(MAX_ENTRIES + 5):
        (harness.workspace.root / f"f{i:04d}").touch()
    result = (await harness.result("list_files"))["result"]
    assert len(result["entries"]) == MAX_ENTRIES and result["truncated"] is True
