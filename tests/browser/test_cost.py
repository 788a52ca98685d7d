"""Buy vs rent in a real browser: every input against the CLI, the chart and the tree, bad input, small screens."""

import pytest

from .conftest import open_page
from .helpers import cli, error_text, outputs, set_input

W = "cost"
DEFAULTS = {
    "model": "llama-3.1-70b",
    "precision": "fp8",
    "gpu": "h100-sxm",
    "requests_per_day": "1000000",
    "input_tokens": "1000",
    "output_tokens": "300",
    "compliance": "none",
    "volume": "steady",
    "utilization_percent": "60",
    "horizon_years": "5",
    "gpu_price_usd": "auto",
    "server_price_usd": "auto",
    "server_watts_per_gpu": "auto",
    "usd_per_kwh": "auto",
    "pue": "auto",
    "colo_usd_per_kw_month": "auto",
    "ops_usd_per_gpu_month": "auto",
    "depreciation_years": "auto",
    "on_demand_usd_per_gpu_hour": "auto",
    "reserved_1y_usd_per_gpu_hour": "auto",
    "reserved_3y_usd_per_gpu_hour": "auto",
    "kv_precision": "auto",
    "efficiency": "calibrated",
    "efficiency_percent": "60",
    "rates": "gpu_cloud",
    "ttft_target_ms": "",
    "tpot_target_ms": "",
    "latency_percentile": "50",
    "peak_factor": "auto",
}
PATHS = ("buy", "reserved_1y", "reserved_3y", "on_demand")
REQUIRED = ["recommendation", "gpus_needed", "breakeven_months", "breakeven_utilization"] + [
    f"{group}.{p}" for group in ("monthly_usd", "usd_per_million_tokens", "horizon_usd") for p in PATHS
]


def _args(v: dict) -> list[str]:
    """The CLI call for a set of widget values ('auto' fields are left to the CLI's own defaults)."""
    args = ["cost"]
    for name, value in v.items():
        if value != "auto":
            args += [f"--{name.replace('_', '-')}", value]
    return args


def _flatten(data, prefix="") -> dict:
    if isinstance(data, dict):
        flat = {}
        for key, item in data.items():
            flat.update(_flatten(item, f"{prefix}{key}."))
        return flat
    return {prefix[:-1]: data}


def _assert_matches_cli(page, v: dict) -> None:
    expected = _flatten(cli(*_args(v)))
    got = outputs(page, W)
    assert set(REQUIRED) <= set(got), set(REQUIRED) - set(got)
    for key, shown in got.items():
        assert key in expected, f"{key} is not in the CLI's JSON"
        want = expected[key]
        if want is None:
            assert shown == "", key
        elif isinstance(want, (int, float)) and not isinstance(want, bool):
            assert float(shown) == want, key  # exact: data-value holds repr(float), which round-trips
        else:
            assert shown == str(want), key


@pytest.fixture(scope="module")
def cost(context, server):
    """The embedded buy-vs-rent widget, Python live."""
    watched = open_page(context, server, "embed/cost/")
    yield watched
    watched.page.close()


def test_defaults_match_the_cli(cost):
    """Once live, the default outputs are exactly the CLI's numbers."""
    _assert_matches_cli(cost.page, DEFAULTS)
    assert cost.page.get_attribute("#pg-cost", "data-ready") == "true"
    cost.assert_clean()


@pytest.mark.parametrize(
    "field,new",
    [
        ("model", "llama-3.1-8b"),
        ("model", "deepseek-v3"),
        ("precision", "bf16"),
        ("precision", "int4"),
        ("gpu", "b200"),
        ("gpu", "mi300x"),
        ("requests_per_day", "1000"),
        ("requests_per_day", "50000000"),
        ("input_tokens", "4000"),
        ("output_tokens", "1200"),
        ("compliance", "airgapped"),
        ("compliance", "residency"),
        ("volume", "spiky"),
        ("volume", "unknown"),
        ("utilization_percent", "90"),
        ("utilization_percent", "15"),
        ("horizon_years", "2"),
        ("horizon_years", "10"),
        ("gpu_price_usd", "20000"),
        ("server_price_usd", "80000"),
        ("server_watts_per_gpu", "400"),
        ("usd_per_kwh", "0.15"),
        ("pue", "1.2"),
        ("colo_usd_per_kw_month", "250"),
        ("ops_usd_per_gpu_month", "150"),
        ("depreciation_years", "3"),
        ("on_demand_usd_per_gpu_hour", "6.88"),
        ("rates", "hyperscaler"),
        ("tpot_target_ms", "12"),  # a tight target: a bigger replica, its TTFT and TPOT shown
        ("ttft_target_ms", "500"),
        ("on_demand_usd_per_gpu_hour", "0.2"),
        ("reserved_1y_usd_per_gpu_hour", "1.2"),
        ("reserved_3y_usd_per_gpu_hour", "1.9"),
        ("kv_precision", "fp8"),
        ("efficiency", "ideal"),
        ("efficiency", "custom"),
        ("efficiency_percent", "45"),
    ],
)
def test_each_input_updates_to_the_cli_numbers(cost, field, new):
    """Changing one input gives exactly the CLI's numbers for the new inputs."""
    page = cost.page
    set_input(page, W, field, new)
    try:
        assert error_text(page, W, field) == ""
        _assert_matches_cli(page, {**DEFAULTS, field: new})
    finally:
        set_input(page, W, field, DEFAULTS[field])
    cost.assert_clean()


def test_gpu_without_prices_asks_for_them_then_matches_the_cli(cost):
    """An L4 has no dated purchase price: the widget asks on that field, and once typed matches the CLI."""
    page = cost.page
    set_input(page, W, "gpu", "l4")
    try:
        assert "no dated GPU purchase price" in error_text(page, W, "gpu_price_usd")
        set_input(page, W, "gpu_price_usd", "2500")
        assert error_text(page, W, "gpu_price_usd") == ""
        _assert_matches_cli(page, {**DEFAULTS, "gpu": "l4", "gpu_price_usd": "2500"})
    finally:
        set_input(page, W, "gpu_price_usd", "auto")
        set_input(page, W, "gpu", DEFAULTS["gpu"])
    cost.assert_clean()


def test_chart_and_tree_are_drawn_with_the_path_taken(cost):
    """The cumulative chart has four lines and the breakeven marker; the tree lights one leaf, the CLI's."""
    page = cost.page
    assert page.is_visible("#pg-cost svg.pg-cost-chart")
    assert page.eval_on_selector_all("#pg-cost svg.pg-cost-chart polyline", "els => els.length") == 4
    assert page.is_visible("#pg-cost svg.pg-cost-chart .pg-cost-breakeven circle")
    lit = "#pg-cost svg.pg-cost-tree .pg-cost-leaf.pg-cost-on"
    assert page.eval_on_selector_all(lit, "els => els.map(e => e.dataset.node)") == [
        cli(*_args(DEFAULTS))["decision_path"][-1]
    ]
    set_input(page, W, "compliance", "airgapped")
    assert page.eval_on_selector_all(lit, "els => els.map(e => e.dataset.node)") == ["airgapped"]
    set_input(page, W, "compliance", "none")
    set_input(page, W, "horizon_years", "2")  # breakeven (54 months) now beyond the horizon: no marker, a note
    assert page.query_selector("#pg-cost .pg-cost-breakeven") is None
    assert "beyond the 24-month horizon" in page.inner_text("#pg-cost [data-pg-output]")
    set_input(page, W, "horizon_years", DEFAULTS["horizon_years"])
    cost.assert_clean()


@pytest.mark.parametrize(
    "field,bad",
    [
        ("requests_per_day", ""),
        ("requests_per_day", "0"),
        ("requests_per_day", "-5"),
        ("requests_per_day", "1e15"),
        ("requests_per_day", "abc"),
        ("input_tokens", "0"),
        ("utilization_percent", "150"),
        ("horizon_years", "2.5"),
        ("gpu_price_usd", "-1"),
        ("server_price_usd", ""),
        ("on_demand_usd_per_gpu_hour", "-0.5"),
        ("pue", "0.8"),
        ("depreciation_years", "0"),
        ("efficiency_percent", "abc"),
        ("tpot_target_ms", "abc"),
        ("tpot_target_ms", "1"),  # below one decode step on any replica size: unreachable
    ],
)
def test_bad_input_shows_an_inline_message_and_nothing_else_breaks(cost, field, bad):
    """Bad input: a message by that field only, the last good numbers stay, and fixing it clears the message."""
    page = cost.page
    before = outputs(page, W)
    set_input(page, W, field, bad)
    assert error_text(page, W, field) != ""
    assert page.get_attribute(f"#pg-cost-{field}", "aria-invalid") == "true"
    assert all(error_text(page, W, f) == "" for f in DEFAULTS if f != field)
    assert outputs(page, W) == before
    set_input(page, W, field, DEFAULTS[field])
    assert error_text(page, W, field) == ""
    assert outputs(page, W) == before
    cost.assert_clean()


def test_phone_width_has_no_sideways_scroll(browser, server):
    """At 375 px the page does not scroll sideways and the pictures fit the screen."""
    ctx = browser.new_context(viewport={"width": 375, "height": 800})
    watched = open_page(ctx, server, "embed/cost/")
    page = watched.page
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    for svg in ("svg.pg-cost-chart", "svg.pg-cost-tree"):
        assert page.eval_on_selector(f"#pg-cost {svg}", "e => e.getBoundingClientRect().right") <= 375
    watched.assert_clean()
    ctx.close()


def test_url_reflects_and_restores_the_inputs(context, server):
    """Inputs (a price included) go into the URL, and opening that URL restores them and their numbers."""
    watched = open_page(context, server, "embed/cost/")
    page = watched.page
    set_input(page, W, "compliance", "residency")
    set_input(page, W, "on_demand_usd_per_gpu_hour", "3.5")
    page.wait_for_function("() => location.search.includes('cost.on_demand_usd_per_gpu_hour=3.5')")
    url = page.url
    page.close()
    again = open_page(context, server, url.split("/", 3)[3])
    assert again.page.input_value("#pg-cost-on_demand_usd_per_gpu_hour") == "3.5"
    _assert_matches_cli(again.page, {**DEFAULTS, "compliance": "residency", "on_demand_usd_per_gpu_hour": "3.5"})
    again.assert_clean()
    again.page.close()
