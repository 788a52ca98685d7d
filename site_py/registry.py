"""The widgets, by name: the build hook and the browser glue look them up here."""

import importlib

WIDGETS = ("vram", "quantize", "parallel", "serving", "cost", "moe")


def get(name: str):
    """The widget module called `name` (ImportError if it does not exist yet)."""
    if name not in WIDGETS:
        raise KeyError(f"unknown widget {name!r}; known: {', '.join(WIDGETS)}")
    return importlib.import_module(f"site_py.{name}")
