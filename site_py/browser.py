"""Browser entry point (PyScript, main thread): hydrate every prerendered widget on the page.

Reads inputs, calls the widget module (which calls `playground`), patches the output to the new HTML
(assets/javascripts/patch.js: only changed nodes are touched), shows bad input inline next to its
field, and keeps the inputs in the URL. A burst of input events renders at most once per
animation frame. Widgets in or near the viewport are mounted first; the rest when the browser is idle.
"""

import gc

import js

js.performance.mark("pg:python-start")  # the benchmark splits boot into the runtime's part and ours

from pyodide.ffi import create_proxy, to_js  # noqa: E402

from site_py import html as pg_html  # noqa: E402
from site_py import registry, urlstate, widget  # noqa: E402

_PROXIES = []  # keep event-handler proxies alive for the page's lifetime
_MOUNTED = {}  # widget name -> Mounted
_URL = {"pending": False}
URL_DELAY_MS = 200  # history.replaceState is rate-limited by browsers and not needed on every keystroke
FRAME_FALLBACK_MS = 100  # a hidden tab gets no animation frames; render anyway
IDLE_MOUNT_TIMEOUT_MS = 300  # widgets out of view are mounted when idle, at the latest this long after


class Mounted:
    """One widget on the page, with its DOM nodes looked up once (each lookup crosses into JavaScript)."""

    def __init__(self, el, module):
        self.el, self.module, self.name = el, module, module.NAME
        self.fields = widget.fields_of(module)
        self.controls = {f.name: el.querySelector("#" + widget.control_id(self.name, f.name)) for f in self.fields}
        self.slots = {
            f.name: js.document.getElementById(widget.control_id(self.name, f.name) + "-error") for f in self.fields
        }
        self.out = el.querySelector("[data-pg-output]")
        self.flagged = None  # the field whose error is showing
        self.good = {}  # the last values that rendered, for the URL
        self.stale = False
        self.queued = False  # inputs arrived that are not drawn yet
        self.busy = False  # a render ran since the last frame: the next one waits for the frame
        self.in_frame = False  # this render runs in an animation-frame callback, not before the frame
        self.last_html = None  # what the output shows (None: the prerendered defaults)
        self.last_parts = None  # its blocks as last sent to the page (site_py.html.blocks)
        self.now = create_proxy(lambda *_: self.flush())
        self.tick = create_proxy(lambda *_: self.frame())
        _PROXIES.extend((self.now, self.tick))

    def schedule(self) -> None:
        """Render after this event's handlers (before the frame, so the frame only lays out and paints),
        or, if a render already ran since the last frame, in the next frame: however many inputs arrive,
        at most one render per frame."""
        if not self.queued:
            self.queued = True
            self.el.pgQueued = True  # read by the browser tests: a render is still to come
            if not self.busy:
                js.queueMicrotask(self.now)

    def flush(self) -> None:
        if self.queued:
            self.queued = False
            self.el.pgQueued = False
            refresh(self)
            if not self.busy:
                self.busy = True
                js.requestAnimationFrame(self.tick)
                js.setTimeout(self.tick, FRAME_FALLBACK_MS)

    def frame(self) -> None:
        """A frame began (or, in a hidden tab, the fallback fired): what queued up meanwhile renders now."""
        if self.busy:
            self.busy = False
            self.in_frame = True
            try:
                self.flush()
            finally:
                self.in_frame = False

    def values(self) -> dict[str, str]:
        return {name: str(ctl.value) if ctl is not None else "" for name, ctl in self.controls.items()}


def _write_url(*_) -> None:
    _URL["pending"] = False
    params = js.URLSearchParams.new()  # encodes as urllib's urlencode does (spaces as +)
    for m in _MOUNTED.values():
        for name, value in urlstate.encode(m.name, m.fields, m.good):
            params.append(name, value)
    text = str(params.toString())
    query = ("?" + text) if text else js.location.pathname
    js.history.replaceState(None, "", query + js.location.hash)


_WRITE_URL = create_proxy(_write_url)
_RESOLVE = create_proxy(lambda n: pg_html.build_deferred(int(n)))  # patch.js asks for a deferred block


def _schedule_url() -> None:
    if not _URL["pending"]:
        _URL["pending"] = True
        js.setTimeout(_WRITE_URL, URL_DELAY_MS)


def refresh(m: Mounted) -> None:
    """Recompute one widget from its current inputs and patch what changed."""
    start = js.performance.now()
    values = m.values()
    with pg_html.deferring():
        html, error = widget.update(m.module, values)
    if html is not None and not pg_html.all_deferred_known(html):
        html, error = widget.update(m.module, values)  # a cached block outlived its builder: draw it all now
    if m.flagged is not None:
        m.slots[m.flagged].hidden = True
        m.slots[m.flagged].textContent = ""
        m.controls[m.flagged].removeAttribute("aria-invalid")
        m.flagged = None
    if error:
        name, message = error
        m.slots[name].textContent = message
        m.slots[name].hidden = False
        m.controls[name].setAttribute("aria-invalid", "true")
        m.flagged = name
        if not m.stale:
            m.out.classList.add("pg-stale")
            m.stale = True
        js.pgMeasure(f"pg:render:{m.name}", start)
        return
    if html != m.last_html:
        js.pgPatch(m.out, _changed_blocks(m, html), _RESOLVE, m.in_frame)
        m.last_html = html
    if m.stale:
        m.out.classList.remove("pg-stale")
        m.stale = False
    js.pgMeasure(f"pg:render:{m.name}", start)
    m.good = values  # only valid inputs go into a shareable link
    _schedule_url()


def _changed_blocks(m: Mounted, html: str):
    """What to send to patch.js: the HTML, or its blocks with None for each unchanged one (a block holding a
    deferred placeholder is always sent: its builder is new)."""
    parts, last = getattr(html, "parts", None), m.last_parts
    m.last_parts = parts
    if not parts:
        return html
    if last is None or len(last) != len(parts):
        return to_js(list(parts))
    return to_js([None if p == q and "data-pg-defer" not in p else p for p, q in zip(parts, last)])


def _query() -> list[tuple[str, str]]:
    """The page's query as (name, value) pairs, blank values left out. Read with the browser's URLSearchParams:
    urllib.parse (with ipaddress, which it imports) costs ~80 ms of Python-ready in Pyodide."""
    return [(str(e[0]), str(e[1])) for e in js.Array.from_(js.URLSearchParams.new(js.location.search)) if e[1]]


def _copy(text: str, el, what: str) -> None:
    """Copy to the clipboard; where that is refused (no secure context), show the text to copy by hand."""
    status = el.querySelector("[data-pg-status]")

    def copied(_):
        status.textContent = f"{what} copied to the clipboard"

    def refused(_):
        box = js.document.createElement("textarea")
        box.className = "pg-copy-fallback"
        box.readOnly = True
        box.value = text
        box.setAttribute("aria-label", f"{what} to copy")
        el.querySelector("[data-pg-notices]").appendChild(box)
        box.select()
        status.textContent = f"Copy was refused by the browser: the {what.lower()} is selected below"

    handlers = (create_proxy(copied), create_proxy(refused))
    _PROXIES.extend(handlers)
    if not js.navigator.clipboard:
        refused(None)
        return
    js.navigator.clipboard.writeText(text).then(*handlers)


def _markdown_from_page(el) -> str:
    """A widget's headline figures and formulas as Markdown, for widgets without their own markdown()."""
    title = el.querySelector("h3").textContent
    rows = [
        f"| {d.querySelector('.pg-k').textContent} | {d.querySelector('output').textContent} |"
        for d in el.querySelectorAll("[data-pg-output] .pg-headline > div")
        if d.querySelector("output")
    ]
    formulas = [f"- `{f.getAttribute('title')}`" for f in el.querySelectorAll("[data-pg-output] .pg-formula[title]")]
    return "\n".join([f"**{title}**", "", "| | |", "|---|---|", *rows, "", *formulas]) + "\n"


def _on_click(evt, m: Mounted) -> None:
    action = evt.target.closest("[data-pg-action]") if evt.target else None
    if not action:  # JavaScript null (a click outside any button) arrives as a falsy JsNull, not None
        return
    if action.dataset.pgAction == "link":
        _write_url()  # a pending update must be in the link
        _copy(str(js.location.href), m.el, "Link")
    elif action.dataset.pgAction == "markdown":
        js.pgFlush(m.out)  # closed <details> that are behind must not go into the Markdown
        text = m.module.markdown(m.values()) if hasattr(m.module, "markdown") else _markdown_from_page(m.el)
        _copy(text, m.el, "Markdown")


def _on_file(evt, m: Mounted) -> None:
    """Read a picked file into its textarea, then recompute (file.text() is a promise)."""
    picker = evt.target
    if not picker.files or picker.files.length == 0:
        return
    target = js.document.getElementById(picker.dataset.pgFileFor)

    def loaded(text):
        target.value = text
        m.schedule()

    done = create_proxy(loaded)
    _PROXIES.append(done)
    picker.files.item(0).text().then(done)


def mount(el) -> None:
    """Attach one widget element: restore URL state, listen to its inputs, recompute."""
    m = Mounted(el, registry.get(str(el.dataset.pgWidget)))
    _MOUNTED[m.name] = m
    restored, notices = urlstate.decode(m.name, m.fields, _query())
    for name, value in restored.items():
        m.controls[name].value = value
    if notices:
        el.querySelector("[data-pg-notices]").innerHTML = "".join(
            f'<p class="pg-notice pg-notice-warn">{widget.esc(n)}</p>' for n in notices
        )
    handler = create_proxy(lambda evt: m.schedule())
    click = create_proxy(lambda evt: _on_click(evt, m))
    submit = create_proxy(lambda evt: evt.preventDefault())  # Enter in a field must not reload the page
    _PROXIES.extend((handler, click, submit))
    form = el.querySelector("form")
    form.addEventListener("input", handler)
    form.addEventListener("change", handler)
    form.addEventListener("submit", submit)
    el.addEventListener("click", click)
    for picker in el.querySelectorAll("[data-pg-file-for]"):
        on_file = create_proxy(lambda evt: _on_file(evt, m))
        _PROXIES.append(on_file)
        picker.addEventListener("change", on_file)
    for button in el.querySelectorAll("[data-pg-action]"):
        button.disabled = False
    if m.values() == widget.defaults(m.module):
        m.good = m.values()  # the prerendered output already shows these inputs: skip the first render
    else:
        refresh(m)  # inputs from the URL, or kept by the browser across a reload
    el.querySelector("[data-pg-status]").textContent = "Live"
    el.dataset.ready = "true"


def _mount_safely(el) -> None:
    try:
        mount(el)
    except Exception as exc:  # one broken widget must not take the others down
        el.dataset.ready = "error"
        el.querySelector("[data-pg-status]").textContent = f"Interactive mode failed: {exc}"
        js.console.warn(f"widget {el.dataset.pgWidget}: {exc!r}")


def _in_or_near_view(el) -> bool:
    box, height = el.getBoundingClientRect(), js.window.innerHeight
    return box.bottom > -height and box.top < 2 * height


def _ready() -> None:
    # Everything imported and mounted so far lives as long as the page: keep it out of the garbage
    # collector's full passes, which otherwise walk it all and stall a keystroke's frame now and then.
    gc.freeze()
    js.document.documentElement.dataset.pgReady = "true"
    js.document.dispatchEvent(js.CustomEvent.new("pg:ready"))
    _WARM.extend(_MOUNTED.values())
    _when_idle(_WARM_NEXT)


_WARM = []  # widgets whose first render has not run yet


def _warm_next(*_) -> None:
    """Render one widget for its current inputs, deferred blocks included, without touching the page.

    The first render after load pays for cold caches (a serving deployment's knee and latency sweep
    are ~250 ms in Pyodide); paid here, when the browser is idle, the first keystroke costs what the
    others do. One widget per idle period, so a visitor who starts typing waits for one at most.
    """
    if not _WARM:
        return
    m = _WARM.pop(0)
    try:
        values = m.values()
        with pg_html.deferring():
            html, _ = widget.update(m.module, values)
        for n in pg_html.deferred_ids(html or ""):
            pg_html.build_deferred(n)
        parts = getattr(html, "parts", None)
        if parts and m.last_parts is None and m.last_html is None and values == widget.defaults(m.module):
            # The page still shows the prerendered defaults, which are this render: patch.js learns its
            # blocks, so the first keystroke also sends only the changed ones.
            if js.pgAdopt(m.out, to_js(list(parts))):
                m.last_html, m.last_parts = html, parts
    except Exception as exc:  # a warm-up must never break the page; the real render reports errors
        js.console.warn(f"warm-up {m.name}: {exc!r}")
    if _WARM:
        _when_idle(_WARM_NEXT)
    else:
        js.document.documentElement.dataset.pgWarm = "true"  # every widget warm (the tests wait for it)


_LATER = []  # widgets far from the viewport, mounted one per idle period


def _mount_later(*_) -> None:
    if _LATER:
        _mount_safely(_LATER.pop(0))
    if _LATER:
        _when_idle(_MOUNT_LATER)
    else:
        _ready()


def _when_idle(callback) -> None:
    if hasattr(js.window, "requestIdleCallback"):
        options = to_js({"timeout": IDLE_MOUNT_TIMEOUT_MS}, dict_converter=js.Object.fromEntries)
        js.requestIdleCallback(callback, options)
    else:  # Safari
        js.setTimeout(callback, 0)


def _on_focus(evt) -> None:
    """Someone reached a widget before its turn came: mount it now."""
    el = evt.target.closest("[data-pg-widget]") if evt.target and hasattr(evt.target, "closest") else None
    if el and str(el.dataset.ready) == "false":
        for i, later in enumerate(_LATER):
            if later == el:
                _mount_safely(_LATER.pop(i))
                break


_MOUNT_LATER = create_proxy(_mount_later)
_WARM_NEXT = create_proxy(_warm_next)
_ON_FOCUS = create_proxy(_on_focus)


def main() -> None:
    """Mount the widgets in view now (`pg:live`), the others when idle, then flag the document ready."""
    widgets = list(js.document.querySelectorAll("[data-pg-widget]"))
    near = [el for el in widgets if _in_or_near_view(el)] or widgets[:1]
    for el in near:
        _mount_safely(el)
    js.document.dispatchEvent(js.CustomEvent.new("pg:live"))
    _LATER.extend(el for el in widgets if el not in near)
    if _LATER:
        js.document.addEventListener("focusin", _ON_FOCUS)
        _when_idle(_MOUNT_LATER)
    else:
        _ready()


main()
