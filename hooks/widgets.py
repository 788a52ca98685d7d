"""MkDocs hook: expand `<!-- widget: NAME -->`, `<!-- table: NAME -->` and `<!-- formula: mod:NAME -->`.

Widgets are prerendered with the real `playground` package, so the numbers are on the page
before (and without) Python in the browser; PyScript later takes over the same DOM.
"""

import importlib
import os
import pathlib
import re
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # our packages; MkDocs restores sys.path after
from site_py import registry, tables, widget  # noqa: E402

# Developers working on one section may build only some widgets: PG_WIDGETS=quantize,vram
ONLY = {w for w in os.environ.get("PG_WIDGETS", "").split(",") if w}
MARKER = re.compile(r"<!--\s*(widget|table|formula|calibrated):\s*([\w.:-]+)\s*-->")


def _expand(match) -> str:
    kind, name = match.groups()
    if kind == "widget":
        if ONLY and name not in ONLY:
            return f'<p class="pg-notice">Widget "{name}" skipped (PG_WIDGETS).</p>'
        return widget.render_widget(registry.get(name))
    if kind == "table":
        return tables.render(name)
    if kind == "calibrated":
        return tables.calibrated(name)
    module, _, attr = name.partition(":")
    formula = getattr(importlib.import_module(f"playground.{module}"), attr)
    return tables.formula_with_legend(formula)


def on_page_content(html, page, config, files):
    """Replace each marker with its rendered HTML; flag pages with widgets for the template.

    Runs after Markdown (so markers inside included section files are seen) and before the
    template, which loads the Python runtime only on flagged pages.
    """
    page.meta["pg_widgets"] = any(m.group(1) == "widget" for m in MARKER.finditer(html))
    return MARKER.sub(_expand, html)
