"""Browser entry point (PyScript, main thread): hydrate every prerendered widget on the page.

Reads inputs, calls the widget module (which calls `playground`), swaps in the new output HTML,
shows bad input inline next to its field, and keeps the inputs in the URL.
"""

from urllib.parse import parse_qsl, urlencode

import js
from pyodide.ffi import create_proxy

from site_py import registry, urlstate, widget

_PROXIES = []  # keep event-handler proxies alive for the page's lifetime
_MOUNTED = {}  # widget name -> (element, module)


def _control(el, module, name):
    return el.querySelector("#" + widget.control_id(module.NAME, name))


def _values(el, module) -> dict[str, str]:
    values = {}
    for f in module.fields():
        ctl = _control(el, module, f.name)
        values[f.name] = str(ctl.value) if ctl is not None else f.default
    return values


def _write_url() -> None:
    params = []
    for el, module in _MOUNTED.values():
        params += urlstate.encode(module.NAME, module.fields(), _values(el, module))
    query = ("?" + urlencode(params)) if params else js.location.pathname
    js.history.replaceState(None, "", query + js.location.hash)


def refresh(el, module) -> None:
    """Recompute one widget from its current inputs."""
    values = _values(el, module)
    html, error = widget.update(module, values)
    for slot in el.querySelectorAll(".pg-error"):
        slot.hidden = True
        slot.textContent = ""
    for ctl in el.querySelectorAll("[aria-invalid]"):
        ctl.removeAttribute("aria-invalid")
    out = el.querySelector("[data-pg-output]")
    if error:
        name, message = error
        ctl = _control(el, module, name)
        slot = js.document.getElementById(widget.control_id(module.NAME, name) + "-error")
        slot.textContent = message
        slot.hidden = False
        if ctl is not None:
            ctl.setAttribute("aria-invalid", "true")
        out.classList.add("pg-stale")
        return
    out.innerHTML = html
    out.classList.remove("pg-stale")
    _write_url()  # only valid inputs go into a shareable link


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


def _on_click(evt, el, module) -> None:
    action = evt.target.closest("[data-pg-action]") if evt.target else None
    if action is None:
        return
    if action.dataset.pgAction == "link":
        _copy(str(js.location.href), el, "Link")
    elif action.dataset.pgAction == "markdown":
        text = module.markdown(_values(el, module)) if hasattr(module, "markdown") else _markdown_from_page(el)
        _copy(text, el, "Markdown")


def _on_file(evt, el, module) -> None:
    """Read a picked file into its textarea, then recompute (file.text() is a promise)."""
    picker = evt.target
    if not picker.files or picker.files.length == 0:
        return
    target = js.document.getElementById(picker.dataset.pgFileFor)

    def loaded(text):
        target.value = text
        refresh(el, module)

    done = create_proxy(loaded)
    _PROXIES.append(done)
    picker.files.item(0).text().then(done)


def mount(el) -> None:
    """Attach one widget element: restore URL state, listen to its inputs, recompute."""
    module = registry.get(str(el.dataset.pgWidget))
    _MOUNTED[module.NAME] = (el, module)
    restored, notices = urlstate.decode(module.NAME, module.fields(), parse_qsl(str(js.location.search)[1:]))
    for name, value in restored.items():
        _control(el, module, name).value = value
    if notices:
        el.querySelector("[data-pg-notices]").innerHTML = "".join(
            f'<p class="pg-notice pg-notice-warn">{widget.esc(n)}</p>' for n in notices
        )
    handler = create_proxy(lambda evt: refresh(el, module))
    click = create_proxy(lambda evt: _on_click(evt, el, module))
    _PROXIES.extend((handler, click))
    form = el.querySelector("form")
    form.addEventListener("input", handler)
    form.addEventListener("change", handler)
    submit = create_proxy(lambda evt: evt.preventDefault())  # Enter in a field must not reload the page
    _PROXIES.append(submit)
    form.addEventListener("submit", submit)
    el.addEventListener("click", click)
    for picker in el.querySelectorAll("[data-pg-file-for]"):
        on_file = create_proxy(lambda evt: _on_file(evt, el, module))
        _PROXIES.append(on_file)
        picker.addEventListener("change", on_file)
    for button in el.querySelectorAll("[data-pg-action]"):
        button.disabled = False
    refresh(el, module)
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
