"""MkDocs hook: glossary tooltips on every page, and the Glossary page, from playground.glossary."""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # our packages; MkDocs restores sys.path after
from playground.glossary import GLOSSARY, abbreviations  # noqa: E402

MARKER = "<!-- glossary -->"


def _glossary_markdown() -> str:
    rows = []
    for entry in sorted(GLOSSARY, key=lambda e: e.term.lower()):
        also = f" *(also: {', '.join(entry.aliases)})*" if entry.aliases else ""
        rows.append(f"**{entry.term}**{also}\n:   {entry.definition}\n")
    return "\n".join(rows)


def on_page_markdown(markdown, page, config, files):
    """Expand the glossary marker, then append every abbreviation so terms get tooltips."""
    if MARKER in markdown:
        markdown = markdown.replace(MARKER, _glossary_markdown())
    definitions = "\n".join(f"*[{text}]: {definition}" for text, definition in abbreviations())
    return f"{markdown}\n\n{definitions}\n"
