"""Tiny HTML builders shared by the widgets (escaping is done here, once)."""

import contextlib
import re
from html import escape

from playground.glossary import abbreviations

_DEFINITIONS = dict(abbreviations())
# Deferred blocks (browser only; the build renders everything). Ids are unique for the page's life
# and builders are kept for the last MAX_DEFERRED blocks, because a widget may cache HTML that holds a
# placeholder (functools.cache) and show it again later; the glue re-renders in full on the rare miss.
MAX_DEFERRED = 4096
_DEFER = {"on": False, "next": 0}
_BUILDERS: dict[int, object] = {}
_DEFER_ID = re.compile(r'data-pg-defer="(\d+)"')


@contextlib.contextmanager
def deferring():
    """Within this block, deferrable blocks render as placeholders whose builders are kept.

    The browser's patcher (assets/javascripts/patch.js) asks for a block (`build_deferred`) only when
    it must show it, so formulas inside a closed <details> cost nothing until it opens, and formulas
    on the page are drawn just after the keystroke's frame.
    """
    _DEFER["on"] = True
    try:
        yield
    finally:
        _DEFER["on"] = False


def is_deferring() -> bool:
    """Whether deferrable blocks render as placeholders now (the renders differ, so caches key on it)."""
    return _DEFER["on"]


def deferred(cls: str, build) -> str:
    """A block whose HTML `build()` makes only when shown (in the browser: after the keystroke's frame, or when
    its closed <details> opens); at build time, and outside `deferring()`, it is built at once."""
    return _deferred(cls, build)


def _deferred(cls: str, build) -> str:
    if not _DEFER["on"]:
        return build()
    n = _DEFER["next"]
    _DEFER["next"] += 1
    _BUILDERS[n] = build
    if len(_BUILDERS) > MAX_DEFERRED:
        del _BUILDERS[next(iter(_BUILDERS))]
    return f'<div class="{cls}" data-pg-defer="{n}"></div>'


def all_deferred_known(html: str) -> bool:
    """Every placeholder in this HTML can still be built."""
    return all(n in _BUILDERS for n in deferred_ids(html))


def deferred_ids(html: str) -> list[int]:
    """The deferred blocks this HTML holds placeholders for."""
    return [int(n) for n in _DEFER_ID.findall(html)]


def build_deferred(n: int) -> str:
    """The HTML of deferred block n ('' if it is long gone: the page keeps what it shows)."""
    build = _BUILDERS.get(n)
    return build() if build else ""


class Blocks(str):
    """A widget's output HTML that also knows its top-level blocks (`parts`, each balanced markup)."""

    parts: tuple[str, ...] = ()


def blocks(*parts: str) -> Blocks:
    """The output as blocks: in the browser, a block whose markup did not change is not even sent to the page
    (parsing tens of kB of unchanged tables and SVG cost a keystroke more than the change itself)."""
    out = Blocks("".join(parts))
    out.parts = parts
    return out


_NUMBERS = frozenset((int, float, bool))
_ESCAPED: dict[str, str] = {}  # text -> escaped text: most of a render's text repeats on the next keystroke
MAX_ESCAPED = 8192


def esc(value) -> str:
    """Escape text for HTML content and attribute values."""
    if value.__class__ is not str:
        if value.__class__ in _NUMBERS:  # digits, '.', '-', 'e', 'inf', 'nan', 'True': nothing to escape
            return str(value)
        value = str(value)
    done = _ESCAPED.get(value)
    if done is None:
        if len(_ESCAPED) >= MAX_ESCAPED:
            _ESCAPED.clear()
        done = _ESCAPED[value] = escape(value, quote=True)
    return done


def tip(term: str, text: str | None = None) -> str:
    """A glossary term with its hover definition (the same source as the Markdown tooltips)."""
    return f'<abbr title="{esc(_DEFINITIONS[term])}">{esc(text or term)}</abbr>'


def value(key: str, raw: float | int | str | None, shown: str) -> str:
    """A result with its raw value in data-value, so tests compare exact numbers, not text."""
    return f'<output data-key="{esc(key)}" data-value="{esc(raw)}">{esc(shown)}</output>'


def table(headers: list[str], rows: list[list[str]], caption: str = "", cls: str = "") -> str:
    """A table; cells are trusted HTML (callers escape their text), headers are escaped."""
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return (
        f'<div class="pg-table-wrap"><table class="pg-table {esc(cls)}">{cap}'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def formula_block(terms, caption: str = "") -> str:
    """Formulas with the user's numbers plugged in, MathML with the plain text as a fallback title.

    terms: the Terms, or a function returning them, called only when the block is drawn (in the browser
    that is after the keystroke's frame, so terms shown only here cost the keystroke nothing)."""
    return _deferred("pg-formulas", lambda: _formula_block(terms() if callable(terms) else terms, caption))


def _formula_block(terms, caption: str) -> str:
    items = "".join(
        f'<li><span class="pg-formula" title="{esc(t.plugged())}">{t.mathml()}</span>'
        + (f'<span class="pg-why">{esc(t.formula.why)}</span>' if t.formula.why else "")
        + "</li>"
        for t in terms
    )
    cap = f'<p class="pg-formulas-caption">{esc(caption)}</p>' if caption else ""
    return f'<div class="pg-formulas">{cap}<ul>{items}</ul></div>'


def notice(text: str, kind: str = "info") -> str:
    """A short inline notice (info, warn or error)."""
    return f'<p class="pg-notice pg-notice-{esc(kind)}">{esc(text)}</p>'


def stacked_bar(parts: list[tuple[str, float, str, str]], total_label: str) -> str:
    """A horizontal stacked bar: parts are (key, value, label, css class); widths in % of the sum."""
    total = sum(p[1] for p in parts) or 1.0
    segs = "".join(
        f'<span class="pg-seg {esc(cls)}" style="width:{100 * v / total:.3f}%" title="{esc(label)}"></span>'
        for _, v, label, cls in parts
    )
    legend = "".join(f'<li><span class="pg-swatch {esc(cls)}"></span>{esc(label)}</li>' for _, _, label, cls in parts)
    return (
        f'<div class="pg-bar" role="img" aria-label="{esc(total_label)}">{segs}</div>'
        f'<ul class="pg-legend">{legend}</ul>'
    )


def stat(label_html: str, key: str, raw, shown: str, note_html: str = "") -> str:
    """One headline figure: a small label over a big value, and an optional note under it (trusted HTML)."""
    return f'<div><span class="pg-k">{label_html}</span>{value(key, raw, shown)}{note_html}</div>'


def headline(*stats: str) -> str:
    """A row of headline figures."""
    return f'<div class="pg-headline">{"".join(stats)}</div>'
