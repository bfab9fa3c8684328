"""Workspace confinement: nothing outside the folder the app started in is reachable."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gemini_live_tui.tools import ToolError, Workspace


def test_paths_inside_resolve(workspace: Workspace) -> None:
    (workspace.root / "notes").mkdir()
    (workspace.root / "notes" / "a.txt").write_text("hi")
    assert workspace.resolve("notes/a.txt") == workspace.root / "notes" / "a.txt"
    assert workspace.resolve("./notes/../notes/a.txt") == workspace.root / "notes" / "a.txt"
    assert workspace.resolve(".") == workspace.root
    assert workspace.relative(workspace.resolve(".")) == "."
    assert workspace.relative(workspace.resolve("notes/a.txt")) == "notes/a.txt"


@pytest.mark.parametrize("path", ["..", "../secret.txt", "notes/../../secret.txt", "../workspace2"])
def test_dot_dot_out_is_refused(workspace: Workspace, path: str) -> None:
    (workspace.root.parent / "secret.txt").write_text("secret")
    (workspace.root.parent / "workspace2").mkdir()
    with pytest.raises(ToolError, match="outside the workspace"):
        workspace.resolve(path)


def test_absolute_paths_outside_are_refused_inside_accepted(workspace: Workspace) -> None:
    with pytest.raises(ToolError, match="outside the workspace"):
        workspace.resolve("/etc/passwd")
    with pytest.raises(ToolError, match="outside the workspace"):
        workspace.resolve(str(workspace.root.parent))
    inside = workspace.root / "x.txt"
    inside.write_text("x")
    assert workspace.resolve(str(inside)) == inside


def test_symlinks_are_followed_and_refused_when_they_point_out(workspace: Workspace) -> None:
    outside = workspace.root.parent / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    (workspace.root / "link-file").symlink_to(outside / "secret.txt")
    (workspace.root / "link-dir").symlink_to(outside)
    (workspace.root / "real.txt").write_text("ok")
    (workspace.root / "inner-link").symlink_to("real.txt")
    for path in ("link-file", "link-dir", "link-dir/secret.txt"):
        with pytest.raises(ToolError, match="outside the workspace"):
            workspace.resolve(path)
    assert workspace.resolve("inner-link") == workspace.root / "real.txt"


def test_refusal_does_not_reveal_whether_the_outside_file_exists(workspace: Workspace) -> None:
    (workspace.root.parent / "exists.txt").write_text("x")
    messages = []
    for name in ("../exists.txt", "../missing.txt"):
        with pytest.raises(ToolError) as caught:
            workspace.resolve(name)
        messages.append(str(caught.value).replace("exists", "NAME").replace("missing", "NAME"))
    assert messages[0] == messages[1]


def test_workspace_reached_through_a_symlink_still_confines(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "alias").symlink_to(real)
    workspace = Workspace(tmp_path / "alias")
    (real / "a.txt").write_text("a")
    assert workspace.resolve("a.txt") == real / "a.txt"
    with pytest.raises(ToolError):
        workspace.resolve("../real/../alias/../x")


def test_empty_nul_and_looping_paths_are_refused(workspace: Workspace) -> None:
    os.symlink("loop", workspace.root / "loop")
    for path in ("", "a\x00b"):
        with pytest.raises(ToolError):
            workspace.resolve(path)
    with pytest.raises(ToolError):
        workspace.resolve("loop/x")


_parts = st.sampled_from(["..", ".", "a", "b", "link-out", "link-in", "/", "//", "~", "..."])


@settings(max_examples=300, deadline=None)
@given(st.lists(_parts, min_size=1, max_size=8))
def test_any_path_resolves_inside_or_is_refused(tmp_path_factory, parts: list[str]) -> None:
    base = tmp_path_factory.getbasetemp() / "prop"
    root = base / "ws"
    if not root.exists():
        (root / "a" / "b").mkdir(parents=True)
        (base / "outside").mkdir()
        (root / "a" / "link-out").symlink_to(base / "outside")
        (root / "link-in").symlink_to(root / "a")
    workspace = Workspace(root)
    path = "/".join(parts)
    try:
        resolved = workspace.resolve(path)
    except ToolError:
        return
    assert resolved == workspace.root or workspace.root in resolved.parents
