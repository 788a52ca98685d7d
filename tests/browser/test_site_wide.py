"""Site-wide qualities in a real browser: offline, accessibility, small screens, print, no-runtime fallback."""

import pytest

from tests.conftest import ROOT

from .conftest import READY_TIMEOUT_MS
from .helpers import outputs, set_input

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PAGES = ["", "glossary/", "gpus/", "models/", "methodology/", "embed/"] + [
    f"embed/{name}/" for name in ("vram", "quantize", "parallel", "serving", "cost", "moe")
]


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violations(browser, server, path):
    """axe-core finds no serious or critical violation (the dark theme's contrast included)."""
    # bypass_csp only so axe can be injected (the CSP is tested elsewhere); reduced motion so the frame axe
    # checks is the static one, not a random instant of an animation
    ctx = browser.new_context(bypass_csp=True, reduced_motion="reduce")
    page = ctx.new_page()
    page.goto(server.url + path)
    if page.query_selector("[data-pg-widget]"):
        page.wait_for_selector("html[data-pg-ready='true']", state="attached", timeout=READY_TIMEOUT_MS)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    ctx.close()


def test_every_control_is_labelled_and_keyboard_reachable(playground):
    """Each widget input has a label and can be reached with Tab."""
    page = playground.page
    unlabelled = page.eval_on_selector_all(
        "[data-pg-widget] input, [data-pg-widget] select, [data-pg-widget] textarea",
        "els => els.filter(e => !(e.labels && e.labels.length)).map(e => e.id || e.outerHTML.slice(0, 60))",
    )
    assert unlabelled == []
    page.focus("#pg-vram-model")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "pg-vram-precision"


def test_small_screen_has_no_horizontal_scroll(browser, server):
    """At 375 px wide nothing overflows the viewport sideways."""
    ctx = browser.new_context(viewport={"width": 375, "height": 800})
    page = ctx.new_page()
    for path in ("", "gpus/", "models/", "methodology/", *(p for p in PAGES if p.startswith("embed/"))):
        page.goto(server.url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, path
    ctx.close()


def test_print_shows_results_not_controls(context, server):
    """The print stylesheet hides the form and keeps results and formulas."""
    page = context.new_page()
    page.goto(server.url)
    page.emulate_media(media="print")
    assert not page.is_visible("#pg-vram form")
    assert page.is_visible("#pg-vram output[data-key=total_bytes]")
    page.close()


def test_runtime_blocked_keeps_numbers_and_says_so(browser, server):
    """If Pyodide cannot load, the prerendered numbers stay and a notice says interactivity is unavailable."""
    ctx = browser.new_context()
    ctx.route("**/assets/runtime/pyodide/**", lambda route: route.abort())
    page = ctx.new_page()
    page.goto(server.url + "embed/vram/")
    page.wait_for_selector("#pg-vram[data-ready='unavailable']", timeout=30_000)
    assert "could not load" in page.inner_text("#pg-vram [data-pg-notices]")
    assert float(outputs(page, "vram")["total_bytes"]) > 0
    ctx.close()


def test_works_offline_after_one_visit(browser, server):
    """After one online visit the service worker serves the site: reload offline and use a widget."""
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(server.url + "embed/vram/")
    page.wait_for_selector("html[data-pg-ready='true']", state="attached", timeout=READY_TIMEOUT_MS)
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.wait_for_function(
        "async () => (await caches.keys()).length > 0 && (await (await caches.open((await caches.keys())[0]))"
        ".keys()).length > 20",
        timeout=60_000,
        polling=500,
    )
    ctx.set_offline(True)
    page.reload()
    page.wait_for_selector("html[data-pg-ready='true']", state="attached", timeout=READY_TIMEOUT_MS)
    before = outputs(page, "vram")["total_bytes"]
    set_input(page, "vram", "users", "40")
    assert outputs(page, "vram")["total_bytes"] != before
    ctx.close()
