"""The serving-under-load widget in a real browser: inputs against the CLI, the charts, bad input, URL state."""

import pytest

from .conftest import open_page
from .helpers import cli, error_text, outputs, set_input

W = "serving"
DEFAULTS = {
    "model": "llama-3.1-70b",
    "precision": "fp8",
    "gpu": "h100-sxm",
    "gpus": "4",
    "input_tokens": "1000",
    "output_tokens": "300",
    "request_rate": "20",
    "efficiency": "calibrated",
    "efficiency_percent": "60",
}
FLAGS = {
    "--model": "model",
    "--precision": "precision",
    "--gpu": "gpu",
    "--gpus": "gpus",
    "--input-tokens": "input_tokens",
    "--output-tokens": "output_tokens",
    "--request-rate": "request_rate",
}
TOP_KEYS = ("ttft_s", "tpot_s", "itl_s", "output_tokens_per_s", "mean_batch", "saturation_request_rate")
TOP_KEYS += ("kv_capacity_tokens", "max_batch", "max_queue")


def _assert_matches_cli(page, v: dict, sweep: bool = False) -> None:
    speed = v["efficiency_percent"] if v["efficiency"] == "custom" else v["efficiency"]
    args = ["serve-sim", *(x for flag, key in FLAGS.items() for x in (flag, v[key])), "--efficiency", speed]
    expected = cli(*args, *(["--sweep"] if sweep else []))
    got = outputs(page, W)
    for key in TOP_KEYS:
        assert float(got[key]) == pytest.approx(expected[key], rel=1e-9), key
    assert got["past_knee"] == ("true" if expected["past_knee"] else "false")
    for latency, stats in expected["percentiles"].items():
        for q, number in stats.items():
            assert float(got[f"percentiles.{latency}.{q}"]) == pytest.approx(number, rel=1e-9), (latency, q)
    if sweep:
        for i, point in enumerate(expected["sweep"]):
            for latency in ("ttft_s", "tpot_s"):
                got_p50 = float(got[f"sweep.{i}.{latency}.p50"])
                assert got_p50 == pytest.approx(point[latency]["p50"], rel=1e-9), (i, latency)


@pytest.fixture(scope="module")
def serving(context, server):
    """The embedded serving widget, Python live."""
    watched = open_page(context, server, "embed/serving/")
    yield watched
    watched.page.close()


def test_defaults_match_the_cli_with_the_knee(serving):
    """Once live, every latency, the knee and the curve up to it are exactly the CLI's numbers."""
    _assert_matches_cli(serving.page, DEFAULTS, sweep=True)
    assert serving.page.get_attribute("#pg-serving", "data-ready") == "true"
    serving.assert_clean()


@pytest.mark.parametrize(
    "field,new",
    [
        ("request_rate", "5"),
        ("request_rate", "60"),  # past the knee
        ("model", "llama-3.1-8b"),
        ("precision", "bf16"),
        ("gpu", "h200-sxm"),
        ("gpus", "8"),
        ("input_tokens", "4000"),
        ("output_tokens", "50"),
        ("efficiency", "ideal"),
        ("efficiency", "custom"),
    ],
)
def test_each_input_updates_to_the_cli_numbers(serving, field, new):
    """Changing one input gives exactly the CLI's numbers for the new inputs."""
    page = serving.page
    set_input(page, W, field, new)
    try:
        page.wait_for_timeout(200)
        assert error_text(page, W, field) == ""
        _assert_matches_cli(page, {**DEFAULTS, field: new})
    finally:
        set_input(page, W, field, DEFAULTS[field])
    serving.assert_clean()


def test_past_the_knee_the_page_says_so_and_the_charts_follow(serving):
    """Past the knee the verdict warns and the dot sits in the shaded region; both charts are drawn."""
    page = serving.page
    assert page.eval_on_selector_all("#pg-serving svg.pg-serving-chart", "els => els.length") == 2
    assert page.is_visible("#pg-serving svg.pg-serving-timeline")
    assert page.eval_on_selector_all("#pg-serving svg.pg-serving-timeline polyline", "els => els.length") == 2
    set_input(page, W, "request_rate", "80")
    try:
        page.wait_for_timeout(200)
        assert outputs(page, W)["past_knee"] == "true"
        assert "Past the knee" in page.inner_text("#pg-serving [data-pg-output]")
    finally:
        set_input(page, W, "request_rate", DEFAULTS["request_rate"])


@pytest.mark.parametrize(
    "field,bad",
    [
        ("request_rate", "abc"),
        ("request_rate", "0"),
        ("gpus", "1.5"),
        ("input_tokens", "-3"),
        ("output_tokens", "200000"),  # prompt + answer beyond the model's context window
        ("efficiency_percent", "150"),
    ],
)
def test_bad_input_shows_an_inline_message_and_nothing_else_breaks(serving, field, bad):
    """Bad input: a message by that field only, the last good numbers stay, and fixing it clears the message."""
    page = serving.page
    before = outputs(page, W)
    set_input(page, W, field, bad)
    assert error_text(page, W, field) != ""
    assert page.get_attribute(f"#pg-serving-{field}", "aria-invalid") == "true"
    assert all(error_text(page, W, f) == "" for f in DEFAULTS if f != field)
    assert outputs(page, W) == before
    set_input(page, W, field, DEFAULTS[field])
    assert error_text(page, W, field) == ""
    assert outputs(page, W) == before
    serving.assert_clean()


def test_url_reflects_and_restores_the_inputs(context, server):
    """Inputs go into the URL, and opening that URL restores them and their numbers."""
    watched = open_page(context, server, "embed/serving/")
    page = watched.page
    set_input(page, W, "request_rate", "30")
    set_input(page, W, "model", "llama-3.1-8b")
    page.wait_for_function("() => location.search.includes('serving.request_rate=30')")
    url = page.url
    page.close()
    again = open_page(context, server, url.split("/", 3)[3])
    assert again.page.input_value("#pg-serving-request_rate") == "30"
    _assert_matches_cli(again.page, {**DEFAULTS, "request_rate": "30", "model": "llama-3.1-8b"})
    again.assert_clean()
    again.page.close()


def test_phone_width_has_no_sideways_scroll(browser, server):
    """At 375 px the page does not scroll sideways and the charts fit the screen."""
    ctx = browser.new_context(viewport={"width": 375, "height": 800})
    watched = open_page(ctx, server, "embed/serving/")
    page = watched.page
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    for svg in ("svg.pg-serving-chart", "svg.pg-serving-timeline"):
        assert page.eval_on_selector(f"#pg-serving {svg}", "e => e.getBoundingClientRect().right") <= 375
    watched.assert_clean()
    ctx.close()


def test_latency_curve_is_drawn_after_the_keystroke_and_matches_the_cli(serving):
    """The costly latency-vs-rate curve is deferred past the keystroke's frame, then matches `serve-sim --sweep`."""
    page = serving.page
    v = {**DEFAULTS, "input_tokens": "1500"}
    set_input(page, W, "input_tokens", "1500")
    try:
        page.wait_for_function(
            "() => { const o = document.querySelector('#pg-serving [data-key=\"sweep.0.ttft_s.p50\"]');"
            " return o && !o.closest('[data-pg-defer]'); }",
            timeout=30_000,
        )
        _assert_matches_cli(page, v, sweep=True)
    finally:
        set_input(page, W, "input_tokens", DEFAULTS["input_tokens"])
    serving.assert_clean()
