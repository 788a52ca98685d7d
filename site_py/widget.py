"""What every widget shares: its fields, its form, its output region, its error handling.

A widget is a module with NAME, TITLE, `fields()` -> list[Field] and `render(values)` -> HTML
of the results (it may raise InputError naming the field). The same functions run at build
time (prerender) and in the browser (hydrate), so both show identical markup.
"""

import functools
from dataclasses import dataclass

from playground.errors import InputError

from .html import all_deferred_known, esc, is_deferring

MAX_FIELD_CHARS = 200_000  # a pasted config.json is ~2 kB; refuse megabytes of junk early
RENDERS_KEPT = 16  # per widget: typing a digit and deleting it, or trying a few values, shows them again
_RENDERS: dict = {}  # module -> {(deferring, values): (html, error)}, oldest first


@dataclass(frozen=True)
class Field:
    """One input. kind is number, select, text or textarea; options are (value, label[, group]) tuples."""

    name: str
    label: str
    kind: str
    default: str
    options: tuple = ()
    min: float | None = None
    max: float | None = None
    step: str = "any"
    help: str = ""
    label_html: str = ""  # a label with a glossary tooltip, already escaped
    url: bool = True  # kept in the page URL (big pasted text is not)


def control_id(widget: str, field: str) -> str:
    """The DOM id of a field's control; its error slot is this id + '-error'."""
    return f"pg-{widget}-{field}"


def _options(options, value: str) -> str:
    """<option>s, wrapped in an <optgroup> wherever entries carry a group name."""
    html, group = [], None
    for entry in options:
        v, label, *rest = entry
        if (rest[0] if rest else None) != group:
            if group is not None:
                html.append("</optgroup>")
            group = rest[0] if rest else None
            if group is not None:
                html.append(f'<optgroup label="{esc(group)}">')
        html.append(f'<option value="{esc(v)}"{" selected" if v == value else ""}>{esc(label)}</option>')
    if group is not None:
        html.append("</optgroup>")
    return "".join(html)


def _control(widget: str, f: Field, value: str) -> str:
    cid = control_id(widget, f.name)
    common = f'id="{cid}" name="{esc(f.name)}" aria-describedby="{cid}-error{" " + cid + "-help" if f.help else ""}"'
    if f.kind == "select":
        return f"<select {common}>{_options(f.options, value)}</select>"
    if f.kind == "textarea":
        area = f'<textarea {common} rows="5" spellcheck="false" placeholder="{esc(f.help)}">{esc(value)}</textarea>'
        pick = (
            f'<label class="pg-file">or load a file <input type="file" accept=".json,application/json" '
            f'data-pg-file-for="{cid}"></label>'
        )
        return area + pick
    bounds = "".join(f' {k}="{v:g}"' for k, v in (("min", f.min), ("max", f.max)) if v is not None)
    inputmode = ' inputmode="decimal"' if f.kind == "number" else ""
    kind = "text"  # number inputs hide what people typed ('abc' reads as ''), so validate text ourselves
    return f'<input {common} type="{kind}"{inputmode}{bounds} value="{esc(value)}" autocomplete="off">'


def render_field(widget: str, f: Field, value: str) -> str:
    """Label, control, help and the (initially empty) inline error slot."""
    cid = control_id(widget, f.name)
    help_html = (
        f'<small class="pg-help" id="{cid}-help">{esc(f.help)}</small>' if f.help and f.kind != "textarea" else ""
    )
    return (
        f'<div class="pg-field pg-field-{esc(f.kind)}"><label for="{cid}">{f.label_html or esc(f.label)}</label>'
        f"{_control(widget, f, value)}{help_html}"
        f'<p class="pg-error" id="{cid}-error" role="alert" hidden></p></div>'
    )


@functools.cache
def fields_of(module) -> tuple[Field, ...]:
    """A widget's fields, built once (their options come from the catalogs, which do not change)."""
    return tuple(module.fields())


def defaults(module) -> dict[str, str]:
    """The default value of every field."""
    return {f.name: f.default for f in fields_of(module)}


def update(module, values: dict[str, str]) -> tuple[str | None, tuple[str, str] | None]:
    """Render the outputs for these values: (html, None), or (None, (field, message)) on bad input.

    Renders are pure functions of the values, so the last few are kept and shown again as they were
    (with their deferred placeholders, as long as the placeholders can still be built)."""
    cache = _RENDERS.setdefault(module, {})
    key = (is_deferring(), tuple(values.items()))
    hit = cache.pop(key, None)
    if hit is not None and (hit[0] is None or all_deferred_known(hit[0])):
        cache[key] = hit  # now the newest
        return hit
    result = _update(module, values)
    cache[key] = result
    if len(cache) > RENDERS_KEPT:
        del cache[next(iter(cache))]
    return result


def _update(module, values: dict[str, str]) -> tuple[str | None, tuple[str, str] | None]:
    fields = fields_of(module)
    for f in fields:
        if len(values.get(f.name, "")) > MAX_FIELD_CHARS:
            return None, (f.name, f"{f.label} is too long ({MAX_FIELD_CHARS:,} characters at most)")
    try:
        return module.render(values), None
    except InputError as exc:
        field = exc.field if exc.field in {f.name for f in fields} else fields[0].name
        return None, (field, str(exc))


def render_widget(module, values: dict[str, str] | None = None, notices: str = "") -> str:
    """The whole widget: heading, status, form and the prerendered outputs."""
    values = {**defaults(module), **(values or {})}
    html, error = update(module, values)
    if error:  # the defaults must always render; fall back to them
        values = defaults(module)
        html, _ = update(module, values)
    name = module.NAME
    fields = "".join(render_field(name, f, values[f.name]) for f in fields_of(module))
    head = (
        f'<header class="pg-widget-head"><h3 id="pg-{name}-title">{esc(module.TITLE)}</h3>'
        '<span class="pg-status" data-pg-status aria-live="polite">'
        "Numbers for the defaults · live inputs load with Python</span>"
        '<span class="pg-actions">'
        '<button type="button" class="md-button" data-pg-action="link" disabled>Copy link</button>'
        '<button type="button" class="md-button" data-pg-action="markdown" disabled>Copy as Markdown</button>'
        "</span></header>"
    )
    return (
        f'<section class="pg-widget" id="pg-{name}" data-pg-widget="{name}" data-ready="false" '
        f'aria-labelledby="pg-{name}-title">{head}'
        f'<div class="pg-notices" data-pg-notices>{notices}</div>'
        f'<form class="pg-form" autocomplete="off">{fields}</form>'
        f'<div class="pg-output" data-pg-output aria-live="polite">{html}</div></section>'
    )
