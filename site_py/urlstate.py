"""A widget's inputs in the page URL: `?vram.users=8&vram.model=llama-3.1-70b`.

Links are shared in chat and wikis, so everything read from a URL is treated as hostile:
unknown fields are dropped, select values must be one of the options, numbers must parse
and are clamped into range; each such change comes back as a notice the page shows.
"""

import math

MAX_PARAM_CHARS = 100


def encode(widget: str, fields, values: dict[str, str]) -> list[tuple[str, str]]:
    """The query parameters for the values that differ from the defaults."""
    return [
        (f"{widget}.{f.name}", values[f.name])
        for f in fields
        if f.url and f.name in values and values[f.name] != f.default
    ]


def decode(widget: str, fields, params: list[tuple[str, str]]) -> tuple[dict[str, str], list[str]]:
    """Values restored from query parameters, and notices about anything ignored or clamped."""
    by_name = {f.name: f for f in fields}
    values, notices = {}, []
    for key, raw in params:
        prefix, _, name = key.partition(".")
        if prefix != widget:
            continue
        f = by_name.get(name)
        if f is None or not f.url:
            notices.append(f"Ignored unknown link parameter '{key[:40]}'.")
            continue
        if len(raw) > MAX_PARAM_CHARS:
            notices.append(f"Ignored an over-long value for {f.label}.")
            continue
        if f.kind == "select":
            if raw in {o[0] for o in f.options}:
                values[name] = raw
            else:
                notices.append(f"Ignored unknown {f.label} '{raw[:40]}' from the link; using the default.")
            continue
        if f.kind == "number":
            try:
                number = float(raw)
            except ValueError:
                number = math.nan
            if not math.isfinite(number):
                notices.append(f"Ignored non-numeric {f.label} from the link; using the default.")
                continue
            clamped = min(max(number, f.min if f.min is not None else number), f.max if f.max is not None else number)
            if clamped != number:
                notices.append(f"{f.label} from the link was out of range; clamped to {clamped:g}.")
                raw = f"{clamped:g}"
        values[name] = raw
    return values, notices
