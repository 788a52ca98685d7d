"""Site-wide browser checks: clean pages, own-origin only, prerender before Python, hydration, tooltips."""

import pytest

from .conftest import READY_TIMEOUT_MS, open_page
from .helpers import cli, outputs, set_input

PAGES = ["", "glossary/", "gpus/", "models/", "methodology/", "accuracy/", "embed/"]
EMBEDS = ["embed/vram/", "embed/quantize/", "embed/parallel/", "embed/cost/", "embed/moe/"]
VRAM_DEFAULT = ("--model", "llama-3.1-70b", "--precision", "bf16", "--users", "16", "--context", "8192")


@pytest.mark.parametrize("path", PAGES + EMBEDS)
def test_page_is_clean_and_stays_on_its_origin(context, server, path):
    """Each page loads (Python too, where it has widgets) with no console error and no foreign request."""
    watched = open_page(context, server, path, ready=False)
    page = watched.page
    if page.query_selector("[data-pg-widget]"):
        page.wait_for_selector("html[data-pg-ready='true']", state="attached", timeout=READY_TIMEOUT_MS)
        assert page.eval_on_selector_all("[data-pg-widget]", "els => els.every(e => e.dataset.ready === 'true')")
    page.wait_for_load_state("networkidle")
    watched.assert_clean()
    page.close()


def test_prerendered_numbers_without_javascript(browser, server):
    """With JavaScript off the page still shows the engine's numbers for the default inputs."""
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    page.goto(server.url)
    expected = cli("vram", *VRAM_DEFAULT)
    got = outputs(page, "vram")
    assert float(got["total_bytes"]) == pytest.approx(expected["total_bytes"], rel=1e-12)
    assert page.is_visible("#pg-vram [data-pg-output]")
    ctx.close()


def test_prerendered_numbers_are_there_before_python(context, server):
    """At DOMContentLoaded, before Pyodide is up, the numbers are already in the page."""
    page = context.new_page()
    page.goto(server.url, wait_until="domcontentloaded")
    state = page.evaluate(
        "() => [document.documentElement.dataset.pgReady || 'no',"
        " document.querySelector('#pg-vram output[data-key=total_bytes]').dataset.value]"
    )
    assert state[0] == "no"
    assert float(state[1]) == pytest.approx(cli("vram", *VRAM_DEFAULT)["total_bytes"], rel=1e-12)
    page.close()


def test_changing_an_input_updates_to_the_engine_numbers(playground):
    """After hydration, typing a new user count gives exactly the CLI's numbers."""
    page = playground.page
    set_input(page, "vram", "users", "48")
    expected = cli("vram", "--model", "llama-3.1-70b", "--precision", "bf16", "--users", "48", "--context", "8192")
    got = outputs(page, "vram")
    for key in ("weights_bytes", "kv_cache_bytes", "overhead_bytes", "total_bytes"):
        assert float(got[key]) == pytest.approx(expected[key], rel=1e-12), key
    page.wait_for_function("location.search.includes('vram.users=48')")  # URL writes are debounced
    set_input(page, "vram", "users", "16")
    playground.assert_clean()


def test_glossary_term_shows_its_tooltip(context, server):
    """Hovering a glossary term opens a tooltip with its definition from playground.glossary."""
    from playground.glossary import definition

    page = context.new_page()
    page.goto(server.url + "glossary/")
    page.locator("article abbr", has_text="KV cache").first.hover()
    tooltip = page.locator(".md-tooltip2--active")
    tooltip.wait_for(state="visible", timeout=5000)
    assert definition("KV cache")[:40] in tooltip.inner_text()
    page.close()
