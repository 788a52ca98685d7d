"""Helpers for browser tests: read a widget's outputs, set its inputs, ask the CLI for the truth."""

import json
import subprocess
import sys

from tests.conftest import ROOT


def outputs(page, widget: str) -> dict[str, str]:
    """Every <output data-key> of a widget, as {key: data-value} (the raw, unformatted number)."""
    return page.eval_on_selector_all(
        f"#pg-{widget} [data-pg-output] output[data-key]",
        "els => Object.fromEntries(els.map(e => [e.dataset.key, e.dataset.value]))",
    )


def set_input(page, widget: str, field: str, value: str) -> None:
    """Type into a text field or pick a select option, then wait for the widget to settle."""
    selector = f"#pg-{widget}-{field}"
    tag = page.eval_on_selector(selector, "e => e.tagName")
    if tag == "SELECT":
        page.select_option(selector, value)
    else:
        page.fill(selector, value)
    settled(page, widget)


def settled(page, widget: str) -> None:
    """Wait until the widget has rendered its inputs (a render runs right after the input, or in the next
    frame during a burst), off-screen blocks and formulas have landed (just after that frame) and closed
    <details> have caught up (they do when the typing pauses)."""
    page.wait_for_function(
        "w => { const el = document.getElementById('pg-' + w); const out = el && el.querySelector('[data-pg-output]');"
        " return !!el && !el.pgQueued && !(out && out.pgSettling); }",
        arg=widget,
    )


def error_text(page, widget: str, field: str) -> str:
    """The inline error message next to a field ('' when hidden)."""
    return page.eval_on_selector(f"#pg-{widget}-{field}-error", "e => e.hidden ? '' : e.textContent")


def cli(*args: str) -> dict:
    """Run `python -m playground ... --json` and parse its one JSON document."""
    proc = subprocess.run(
        [sys.executable, "-m", "playground", *args, "--json"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(proc.stdout)


def as_number(text: str) -> float:
    """A data-value as a float (booleans and ids are compared as strings by callers)."""
    return float(text)
