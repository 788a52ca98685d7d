"""Browser entry point (PyScript, main thread): hydrate every prerendered widget on the page.

Reads inputs, calls the widget module (which calls `playground`), swaps in the new output HTML,
shows bad input inline next to its field, and keeps the inputs in the URL.
"""

from urllib.parse import parse_qsl, urlencode

import js
from pyodide.ffi import create_proxy

from site_py import registry, urlstate, widget

_PROXIES = []  # keep event-handler proxies alive for the page's lifetime
_MOUNTED = {}  # widget name -> Mounted
_URL = {"pending": False}
URL_DELAY_MS = 200  # history.replaceState is rate-limited by browsers and not needed on every keystroke


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

    def values(self) -> dict[str, str]:
        return {name: str(ctl.value) if ctl is not None else "" for name, ctl in self.controls.items()}


def _write_url(*_) -> None:
    _URL["pending"] = False
    params = []
    for m in _MOUNTED.values():
        params += urlstate.encode(m.name, m.fields, m.good)
    query = ("?" + urlencode(params)) if params else js.location.pathname
    js.history.replaceState(None, "", query + js.location.hash)


_WRITE_URL = create_proxy(_write_url)


def _schedule_url() -> None:
    if not _URL["pending"]:
        _URL["pending"] = True
        js.setTimeout(_WRITE_URL, URL_DELAY_MS)


def refresh(m: Mounted) -> None:
    """Recompute one widget from its current inputs."""
    values = m.values()
    html, error = widget.update(m.module, values)
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
        m.out.classList.add("pg-stale")
        return
    m.out.innerHTML = html
    m.out.classList.remove("pg-stale")
    m.good = values  # only valid inputs go into a shareable link
    _schedule_url()


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
    if action is None:
        return
    if action.dataset.pgAction == "link":
        _write_url()  # a pending update must be in the link
        _copy(str(js.location.href), m.el, "Link")
    elif action.dataset.pgAction == "markdown":
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
        refresh(m)

    done = create_proxy(loaded)
    _PROXIES.append(done)
    picker.files.item(0).text().then(done)


def mount(el) -> None:
    """Attach one widget element: restore URL state, listen to its inputs, recompute."""
    m = Mounted(el, registry.get(str(el.dataset.pgWidget)))
    _MOUNTED[m.name] = m
    restored, notices = urlstate.decode(m.name, m.fields, parse_qsl(str(js.location.search)[1:]))
    for name, value in restored.items():
        m.controls[name].value = value
    if notices:
        el.querySelector("[data-pg-notices]").innerHTML = "".join(
            f'<p class="pg-notice pg-notice-warn">{widget.esc(n)}</p>' for n in notices
        )
    handler = create_proxy(lambda evt: refresh(m))
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


def main() -> None:
    """Mount every widget on the page, then flag the document as ready."""
    for el in js.document.querySelectorAll("[data-pg-widget]"):
        try:
            mount(el)
        except Exception as exc:  # one broken widget must not take the others down
            el.dataset.ready = "error"
            el.querySelector("[data-pg-status]").textContent = f"Interactive mode failed: {exc}"
            js.console.warn(f"widget {el.dataset.pgWidget}: {exc!r}")
    js.document.documentElement.dataset.pgReady = "true"
    js.document.dispatchEvent(js.CustomEvent.new("pg:ready"))


main()
