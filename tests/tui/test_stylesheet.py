"""The main screen's stylesheet adds only what the widgets do not already say.

Each widget's size and look is in its own `DEFAULT_CSS`; `app.tcss` holds
what the main screen adds. A declaration in `app.tcss` that the widgets (or
Textual) already make is a second copy of one rule: the two drift apart,
and a widget hosted alone no longer looks as it does in the app.
"""

from __future__ import annotations

import re
from pathlib import Path

from gemini_live_tui.tui import app as app_module

TCSS = Path(app_module.__file__).with_name("app.tcss")


def app_tcss_declarations() -> list[tuple[str, str]]:
    """(selector, property) of every declaration in app.tcss."""
    css = re.sub(r"/\*.*?\*/", "", TCSS.read_text(encoding="utf-8"), flags=re.S)
    found = []
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", css):
        for declaration in body.split(";"):
            if ":" in declaration:
                prop = declaration.split(":", 1)[0].strip()
                found += [(selector.strip(), prop) for selector in selectors.split(",")]
    return found


async def computed_styles(app, declarations) -> dict[tuple[str, str], str]:
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        return {
            (selector, prop): repr(getattr(app.query_one(selector).styles, prop.replace("-", "_")))
            for selector, prop in declarations
        }


async def test_every_declaration_of_app_tcss_changes_the_screen(make_app):
    declarations = app_tcss_declarations()
    assert declarations, "app.tcss declares nothing: delete it and CSS_PATH"
    with_app_css = await computed_styles(make_app(connect=False), declarations)
    widgets_only = make_app(connect=False)
    widgets_only.css_path = []  # the widgets' DEFAULT_CSS and Textual's own, nothing else
    without = await computed_styles(widgets_only, declarations)
    same = [
        f"{sel} {{ {prop} }}"
        for (sel, prop) in declarations
        if with_app_css[sel, prop] == without[sel, prop]
    ]
    assert same == [], f"already said by the widget or Textual: {same}"
