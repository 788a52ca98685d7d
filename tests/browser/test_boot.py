"""Boot order: widgets in view go live first, the rest follow while their prerendered numbers stay;
the search index waits for the widgets but search still works."""

from .conftest import READY_TIMEOUT_MS, Watched

AT_LIVE = """
document.addEventListener("pg:live", () => {
  window.__atLive = [...document.querySelectorAll("[data-pg-widget]")].map((el) => [
    el.dataset.pgWidget, el.dataset.ready, el.querySelectorAll("[data-pg-output] output[data-key]").length]);
});
"""


def test_widgets_in_view_go_live_first_and_the_rest_follow(browser, server):
    """At `pg:live` the widget in view is live and those far below are not yet, yet show their numbers;
    at `pg:ready` every widget is live."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.add_init_script(AT_LIVE)
    watched = Watched(ctx.new_page(), server.url)
    page = watched.page
    page.goto(server.url)
    page.wait_for_selector("html[data-pg-ready='true']", state="attached", timeout=READY_TIMEOUT_MS)
    at_live = {name: (ready, numbers) for name, ready, numbers in page.evaluate("window.__atLive")}
    assert at_live["vram"][0] == "true"  # the first section is in view
    assert at_live["moe"][0] == "false"  # ~24,000 px down: mounted later, when the page is idle
    assert all(numbers > 0 for _, numbers in at_live.values())  # prerendered numbers meanwhile
    assert page.eval_on_selector_all("[data-pg-widget]", "els => els.every((e) => e.dataset.ready === 'true')")
    watched.assert_clean()
    ctx.close()


def test_search_works_once_the_widgets_are_live(browser, server):
    """The search index, held back during boot, is loaded afterwards: a query finds the glossary."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    watched = Watched(ctx.new_page(), server.url)
    page = watched.page
    with page.expect_response(lambda r: "search_index.json" in r.url, timeout=READY_TIMEOUT_MS):
        page.goto(server.url)
    assert page.evaluate("document.documentElement.dataset.pgReady") == "true"  # held until then
    page.click("input[data-md-component=search-query]")  # in the header at this width
    page.keyboard.type("tensor")
    page.wait_for_selector(".md-search-result__item", timeout=30_000)
    watched.assert_clean()
    ctx.close()


def test_the_runtime_starts_while_the_page_parses_and_loads_once(browser, server):
    """Pyodide's loader is requested before the page has finished parsing (the async module in the head),
    and PyScript reuses that interpreter: each runtime file is fetched exactly once."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    watched = Watched(ctx.new_page(), server.url)
    page = watched.page
    fetched = []
    page.on("request", lambda r: fetched.append(r.url.split("?")[0].rsplit("/", 1)[-1]))
    page.goto(server.url)
    page.wait_for_selector("html[data-pg-ready='true']", state="attached", timeout=READY_TIMEOUT_MS)
    timing = page.evaluate(
        """() => [performance.getEntriesByType('resource').find((e) => e.name.includes('pyodide.asm.mjs')).startTime,
        performance.getEntriesByType('navigation')[0].domInteractive]"""
    )
    assert timing[0] < timing[1]  # asked for before parsing ended, not after DOMContentLoaded
    for name in ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"):
        assert fetched.count(name) == 1, name
    watched.assert_clean()
    ctx.close()
