"""The shipped text speaks of the product, and every link between the docs leads somewhere.

A reader of the repository meets the product, not how it was built: no
references to a tracker's numbers, to notes outside the repository or to
dated working notes. And a page that was merged into another leaves no link
behind pointing at nothing, nor at a heading that no longer exists.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("src", "tests", "docs", "benchmarks", "scripts", "README.md")
TEXT_SUFFIXES = {".py", ".md", ".sh", ".tcss", ".toml", ".txt", ".cfg"}

# Spelled in pieces so this file does not match itself.
PROCESS_WORDS = re.compile(
    "|".join(
        [
            "iss" + r"ue [0-9]",
            r"\(iss" + "ue",
            "DES" + "IGN §",
            r"\.\./sha" + "red",
            "the iss" + "ue's",
            "lab no" + "te",
        ]
    ),
    re.IGNORECASE,
)

LINK = re.compile(r"\]\(([^)\s]+)\)")


def _text_files() -> list[Path]:
    files: list[Path] = []
    for name in SCANNED:
        path = ROOT / name
        if path.is_file():
            files.append(path)
            continue
        files += [
            p
            for p in sorted(path.rglob("*"))
            if p.is_file() and p.suffix in TEXT_SUFFIXES and "__pycache__" not in p.parts
        ]
    return files


def _slug(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    return {
        _slug(line.lstrip("#"))
        for line in page.read_text(encoding="utf-8").splitlines()
        if line.startswith("#")
    }


def test_no_process_words_in_code_tests_or_docs():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _text_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if PROCESS_WORDS.search(line)
    ]
    assert found == [], "\n".join(found)


def test_every_relative_link_in_the_docs_resolves():
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    broken: list[str] = []
    for page in pages:
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):  # https:, mailto:
                continue
            path_part, _, anchor = target.partition("#")
            linked = (page.parent / path_part).resolve() if path_part else page
            if not linked.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such file)")
            elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such heading)")
    assert broken == [], "\n".join(broken)
