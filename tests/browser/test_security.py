"""Hostile input never executes: URL parameters and pasted text are data, not markup or script."""

from .conftest import open_page
from .helpers import error_text, outputs, set_input

PAYLOADS = [
    "<script>window.__pwned=1</script>",
    '"><img src=x onerror="window.__pwned=1">',
    "javascript:window.__pwned=1",
    "1e308",
    "-1",
    "9" * 400,
]


def test_hostile_url_parameters_never_execute(context, server):
    """Script tags, javascript: URLs, huge numbers and unknown ids in the URL are ignored with notices."""
    from urllib.parse import quote

    query = "&".join(f"vram.{field}={quote(p)}" for field in ("model", "users", "gpu", "nope") for p in PAYLOADS)
    watched = open_page(context, server, "embed/vram/?" + query)
    page = watched.page
    assert page.evaluate("window.__pwned") is None
    assert page.eval_on_selector_all("#pg-vram img, #pg-vram script", "els => els.length") == 0
    notices = page.inner_text("#pg-vram [data-pg-notices]")
    assert "Ignored" in notices and "clamped" in notices
    assert float(outputs(page, "vram")["total_bytes"]) > 0  # the widget still works on its defaults
    watched.assert_clean()
    page.close()


def test_pasted_markup_is_shown_as_text(context, server):
    """A config.json carrying HTML in a field yields an error message shown as text, not markup."""
    watched = open_page(context, server, "embed/vram/")
    page = watched.page
    set_input(page, "vram", "model", "custom")
    set_input(page, "vram", "config", '{"model_type": "<img src=x onerror=window.__pwned=1>"}')
    assert "<img" in error_text(page, "vram", "config")
    assert page.evaluate("window.__pwned") is None
    assert page.eval_on_selector_all("#pg-vram img", "els => els.length") == 0
    watched.assert_clean()
    page.close()


def test_csp_blocks_injected_inline_script(context, server):
    """The page's Content-Security-Policy refuses an inline script that was not shipped with the build."""
    watched = open_page(context, server, "glossary/", ready=False)
    page = watched.page
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.__pwned = 1';"
        " document.body.appendChild(s); }"
    )
    assert page.evaluate("window.__pwned") is None
    page.close()


def test_copy_buttons_put_results_on_the_clipboard(browser, server):
    """Copy link copies the URL with the inputs; Copy as Markdown copies the results table and formulas."""
    ctx = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    watched = open_page(ctx, server, "embed/vram/")
    page = watched.page
    set_input(page, "vram", "users", "7")
    page.click("#pg-vram [data-pg-action=link]")
    page.wait_for_function("document.querySelector('#pg-vram [data-pg-status]').textContent.includes('copied')")
    assert "vram.users=7" in page.evaluate("navigator.clipboard.readText()")
    page.click("#pg-vram [data-pg-action=markdown]")
    page.wait_for_timeout(200)
    text = page.evaluate("navigator.clipboard.readText()")
    assert "| Total |" in text and "W = " in text
    watched.assert_clean()
    ctx.close()
