"""MoE vs dense in a real browser: every input against the CLI, the router picture, bad input, motion, URL state."""

import pytest

from .conftest import open_page
from .helpers import cli, error_text, outputs, set_input

W = "moe"
DEFAULTS = {
    "dense": "llama-3.1-70b",
    "moe": "glm-5",
    "precision": "fp8",
    "batch": "32",
    "context": "4096",
    "gpu": "h200-sxm",
    "gpus": "8",
    "seed": "42",
}
REQUIRED = [
    f"{side}.{key}"
    for side in ("dense", "moe")
    for key in (
        "params_total",
        "params_active",
        "flops_per_token",
        "weights_bytes",
        "bytes_read_per_token.batch_1",
        "bytes_read_per_token.batch_b",
        "decode_tokens_per_s.batch_1",
        "decode_tokens_per_s.batch_b",
        "calibrated_decode_tokens_per_s.batch_1",
        "calibrated_decode_tokens_per_s.batch_b",
        "fits",
    )
] + [
    "moe.experts_touched.batch_1",
    "moe.experts_touched.batch_b",
    "read_ratio.batch_1",
    "read_ratio.batch_b",
    "crossover_batch",
    "router.seed",
    "router.tokens.0.experts",
]
ROUTER_SVG = "#pg-moe .pg-moe-router-svg"


def _args(v: dict) -> list[str]:
    return ["moe", *(x for name, value in v.items() for x in (f"--{name}", value))]


def _flatten(data, prefix="") -> dict:
    """CLI JSON as {dotted.path: value}; a list of experts joins with commas, as the widget writes it."""
    if isinstance(data, dict):
        flat = {}
        for key, item in data.items():
            flat.update(_flatten(item, f"{prefix}{key}."))
        return flat
    if isinstance(data, list):
        if all(isinstance(x, int) for x in data):
            return {prefix[:-1]: ",".join(map(str, data))}
        flat = {}
        for i, item in enumerate(data):
            flat.update(_flatten(item, f"{prefix}{i}."))
        return flat
    return {prefix[:-1]: data}


def _as_text(value) -> str:
    """How a JSON value appears in data-value (booleans lower case, null empty)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _assert_matches_cli(page, v: dict) -> None:
    expected = _flatten(cli(*_args(v)))
    got = outputs(page, W)
    assert set(REQUIRED) <= set(got), set(REQUIRED) - set(got)
    for key, shown in got.items():
        assert key in expected, f"{key} is not in the CLI's JSON"
        want = expected[key]
        if isinstance(want, float) or (isinstance(want, int) and not isinstance(want, bool)):
            assert float(shown) == want, key  # exact: data-value holds repr(float), which round-trips
        else:
            assert shown == _as_text(want), key


@pytest.fixture(scope="module")
def moe(context, server):
    """The embedded MoE widget, Python live."""
    watched = open_page(context, server, "embed/moe/")
    yield watched
    watched.page.close()


def test_defaults_match_the_cli(moe):
    """Once live, the default outputs are exactly the CLI's numbers."""
    _assert_matches_cli(moe.page, DEFAULTS)
    assert moe.page.get_attribute("#pg-moe", "data-ready") == "true"
    moe.assert_clean()


@pytest.mark.parametrize(
    "field,new",
    [
        ("dense", "llama-3.1-405b"),
        ("dense", "mistral-7b"),
        ("moe", "mixtral-8x7b"),
        ("moe", "deepseek-v3"),
        ("moe", "gpt-oss-120b"),
        ("moe", "qwen3-30b-a3b"),
        ("precision", "int4"),
        ("precision", "bf16"),
        ("batch", "1"),
        ("batch", "256"),
        ("context", "32768"),
        ("gpu", "b200"),
        ("gpu", "a100-80gb"),
        ("gpus", "1"),
        ("gpus", "16"),
        ("seed", "7"),
    ],
)
def test_each_input_updates_to_the_cli_numbers(moe, field, new):
    """Changing one input gives exactly the CLI's numbers (and router picks) for the new inputs."""
    page = moe.page
    set_input(page, W, field, new)
    try:
        _assert_matches_cli(page, {**DEFAULTS, field: new})
    finally:
        set_input(page, W, field, DEFAULTS[field])
    moe.assert_clean()


def test_router_svg_is_drawn_and_follows_the_seed(moe):
    """The router picture is there (one frame per token, top-k lit), changes with the seed and comes back with it."""
    page = moe.page
    assert page.is_visible(ROUTER_SVG)
    before = page.inner_html(ROUTER_SVG)
    frames = page.eval_on_selector_all(
        f"{ROUTER_SVG} g.pg-moe-f", "els => els.map(g => g.querySelectorAll('.pg-moe-top').length)"
    )
    assert frames == [8] * 8  # GLM-5: top-8, eight tokens
    set_input(page, W, "seed", "7")
    assert page.inner_html(ROUTER_SVG) != before
    set_input(page, W, "seed", DEFAULTS["seed"])
    assert page.inner_html(ROUTER_SVG) == before
    set_input(page, W, "moe", "mixtral-8x7b")  # 8 experts: drawn as bars, 2 lit per token
    lit = page.eval_on_selector_all(
        f"{ROUTER_SVG} g.pg-moe-f", "els => els.map(g => g.querySelectorAll('.pg-moe-top').length)"
    )
    assert lit == [2] * 8
    set_input(page, W, "moe", DEFAULTS["moe"])
    moe.assert_clean()


@pytest.mark.parametrize(
    "field,bad",
    [
        ("batch", ""),
        ("batch", "0"),
        ("batch", "-3"),
        ("batch", "1e9"),
        ("batch", "abc"),
        ("batch", "2.5"),
        ("context", "0"),
        ("gpus", "-1"),
        ("seed", "abc"),
        ("seed", "-1"),
    ],
)
def test_bad_input_shows_an_inline_message_and_nothing_else_breaks(moe, field, bad):
    """Bad input: a message by that field only, the last good numbers stay, and fixing it clears the message."""
    page = moe.page
    before = outputs(page, W)
    set_input(page, W, field, bad)
    assert error_text(page, W, field) != ""
    assert page.get_attribute(f"#pg-moe-{field}", "aria-invalid") == "true"
    assert all(error_text(page, W, f) == "" for f in DEFAULTS if f != field)
    assert outputs(page, W) == before
    set_input(page, W, field, DEFAULTS[field])
    assert error_text(page, W, field) == ""
    assert outputs(page, W) == before
    moe.assert_clean()


def test_router_animates_one_frame_at_a_time(moe):
    """With motion allowed the frames and token chips run the CSS cycle, staggered one slot apart."""
    page = moe.page
    names = page.eval_on_selector_all(
        "#pg-moe .pg-moe-f, #pg-moe .pg-moe-chip",
        "els => [...new Set(els.map(e => getComputedStyle(e).animationName))]",
    )
    assert set(names) == {"pg-moe-show", "pg-moe-chip"}
    delays = page.eval_on_selector_all(
        f"{ROUTER_SVG} g.pg-moe-f", "els => els.map(e => getComputedStyle(e).animationDelay)"
    )
    assert delays == [f"{1.6 * i:g}s" for i in range(8)]


def test_reduced_motion_shows_one_token_statically(browser, server):
    """Under prefers-reduced-motion nothing animates and the first token's routing alone is visible."""
    ctx = browser.new_context(viewport={"width": 375, "height": 800}, reduced_motion="reduce")
    watched = open_page(ctx, server, "embed/moe/")
    page = watched.page
    state = page.eval_on_selector_all(
        f"{ROUTER_SVG} g.pg-moe-f",
        "els => els.map(e => [getComputedStyle(e).animationName, getComputedStyle(e).opacity])",
    )
    assert state == [["none", "1"]] + [["none", "0"]] * 7
    chip = page.eval_on_selector(".pg-moe-chip.pg-moe-on", "e => e.textContent")
    assert chip == "The"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling on a phone
    watched.assert_clean()
    ctx.close()


def test_url_reflects_and_restores_the_inputs(context, server):
    """Inputs go into the URL, and opening that URL restores them and their numbers."""
    watched = open_page(context, server, "embed/moe/")
    page = watched.page
    set_input(page, W, "moe", "deepseek-v3")
    set_input(page, W, "batch", "64")
    page.wait_for_function("() => location.search.includes('moe.batch=64')")  # URL writes are debounced
    assert "moe.moe=deepseek-v3" in page.url
    url = page.url
    page.close()
    again = open_page(context, server, url.split("/", 3)[3])
    assert again.page.input_value("#pg-moe-batch") == "64"
    _assert_matches_cli(again.page, {**DEFAULTS, "moe": "deepseek-v3", "batch": "64"})
    again.assert_clean()
    again.page.close()
