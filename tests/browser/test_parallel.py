"""The parallelism visualizer in a real browser: every input against the CLI, the diagrams, bad input, URL state."""

import pytest

from tests.conftest import ROOT

from .conftest import FLAGS, open_page
from .helpers import cli, error_text, outputs, set_input

W = "parallel"
DEFAULTS = {
    "model": "llama-3.1-70b",
    "precision": "bf16",
    "gpu": "h100-sxm",
    "gpus": "8",
    "users": "16",
    "context": "8192",
    "micro_batches": "8",
}
PLAN_KEYS = (
    "tp",
    "pp",
    "dp",
    "idle_gpus",
    "users_per_replica",
    "experts_per_gpu",
    "per_gpu_bytes",
    "weights_per_gpu_bytes",
    "kv_per_gpu_bytes",
    "overhead_per_gpu_bytes",
    "budget_per_gpu_bytes",
    "headroom_bytes",
    "comm_bytes_per_step",
    "comm_time_s",
    "bubble_fraction",
)
STRATEGY_KEYS = ("weights_per_gpu_bytes", "kv_per_gpu_bytes", "per_gpu_bytes", "comm_bytes_per_step", "comm_time_s")
STRATEGY_KEYS += ("bubble_fraction",)
TP_KEYS = ("tp_bytes_per_layer", "tp_ring_bytes_per_layer", "tp_bytes_per_step", "allreduces_per_step")


def _args(v: dict) -> list[str]:
    flags = {"--model": "model", "--gpus": "gpus", "--gpu": "gpu", "--precision": "precision", "--users": "users"}
    flags.update({"--context": "context", "--micro-batches": "micro_batches"})
    return ["parallel", *(x for flag, key in flags.items() for x in (flag, v[key]))]


def _assert_matches_cli(page, v: dict) -> None:
    expected = cli(*_args(v))
    got = outputs(page, W)
    for key in PLAN_KEYS:
        assert float(got[key]) == pytest.approx(expected[key], rel=1e-12), key
    assert got["fits"] == ("true" if expected["fits"] else "false")
    if "ep" in got:
        assert int(got["ep"]) == expected["ep"]
    if expected["tp_reference"]:
        for key in TP_KEYS + ("decode_step_s",):
            assert float(got[key]) == pytest.approx(expected[key], rel=1e-12), key
        for i, link in enumerate(expected["link_times"]):
            assert float(got[f"link.{i}.time_s"]) == pytest.approx(link["time_s"], rel=1e-12)
    for strategy in expected["strategies"]:
        for key in STRATEGY_KEYS:
            name = f"{strategy['key']}.{key}"
            if strategy["valid"]:
                assert float(got[name]) == pytest.approx(strategy[key], rel=1e-12), name
            else:
                assert name not in got, name


@pytest.fixture(scope="module")
def par(context, server):
    """The embedded parallelism visualizer, Python live."""
    watched = open_page(context, server, "embed/parallel/")
    yield watched
    watched.page.close()


def test_prerendered_defaults_match_the_cli(par):
    """Before any input changes, the page shows exactly the CLI's numbers for the defaults."""
    _assert_matches_cli(par.page, DEFAULTS)
    par.assert_clean()


@pytest.mark.parametrize(
    "field,new",
    [
        ("model", "llama-3.1-405b"),
        ("model", "mixtral-8x7b"),
        ("model", "llama-3.1-8b"),
        ("precision", "fp8"),
        ("gpu", "l40s"),
        ("gpu", "b200"),
        ("gpus", "16"),
        ("gpus", "1"),
        ("gpus", "64"),
        ("users", "200"),
        ("context", "32768"),
        ("micro_batches", "32"),
    ],
)
def test_each_input_updates_to_the_cli_numbers(par, field, new):
    """Changing one input gives exactly the CLI's numbers for the new inputs."""
    page = par.page
    set_input(page, W, field, new)
    try:
        _assert_matches_cli(page, {**DEFAULTS, field: new})
    finally:
        set_input(page, W, field, DEFAULTS[field])
    par.assert_clean()


def test_multi_node_pipeline_matches_the_cli(par):
    """405B on 16 H100s with 4 micro-batches: TP 8 x PP 2, the bubble and the network hop match the CLI."""
    page = par.page
    values = {**DEFAULTS, "model": "llama-3.1-405b", "gpus": "16", "micro_batches": "4"}
    for field in ("model", "gpus", "micro_batches"):
        set_input(page, W, field, values[field])
    _assert_matches_cli(page, values)
    got = outputs(page, W)
    assert (got["tp"], got["pp"], got["dp"]) == ("8", "2", "1")
    assert float(got["bubble_fraction"]) == pytest.approx(1 / 5)
    for field in ("model", "gpus", "micro_batches"):
        set_input(page, W, field, DEFAULTS[field])
    par.assert_clean()


@pytest.mark.parametrize("model,kinds", [("llama-3.1-70b", "layout tp pp dp"), ("mixtral-8x7b", "layout tp pp dp ep")])
def test_each_strategy_has_a_labelled_diagram(par, model, kinds):
    """The layout and every strategy have a visible SVG with a title and an aria-label; MoE adds EP."""
    page = par.page
    set_input(page, W, "model", model)
    for kind in kinds.split():
        svg = page.locator(f"#pg-parallel svg.pg-par-{kind}")
        assert svg.count() == 1 and svg.is_visible(), kind
        assert svg.get_attribute("role") == "img" and svg.get_attribute("aria-label"), kind
        assert svg.locator("title").text_content(), kind
        assert svg.bounding_box()["height"] > 40, kind
    if "ep" not in kinds:
        assert page.locator("#pg-parallel svg.pg-par-ep").count() == 0
    set_input(page, W, "model", DEFAULTS["model"])
    par.assert_clean()


@pytest.mark.parametrize("bad", ["", "0", "-3", "1e9", "abc"])
def test_bad_gpu_count_shows_an_inline_message(par, bad):
    """Empty, zero, negative, huge or non-numeric GPU counts: a message by the field, nothing else breaks."""
    page = par.page
    before = outputs(page, W)
    set_input(page, W, "gpus", bad)
    assert error_text(page, W, "gpus") != ""
    assert page.get_attribute("#pg-parallel-gpus", "aria-invalid") == "true"
    assert outputs(page, W) == before  # the last good numbers stay (dimmed)
    others = [f for f in DEFAULTS if f != "gpus"]
    assert all(error_text(page, W, f) == "" for f in others)
    set_input(page, W, "gpus", DEFAULTS["gpus"])
    assert error_text(page, W, "gpus") == ""
    set_input(page, W, "users", "32")  # the widget still works after the error
    _assert_matches_cli(page, {**DEFAULTS, "users": "32"})
    set_input(page, W, "users", DEFAULTS["users"])
    par.assert_clean()


def test_url_reflects_and_restores_the_inputs(context, server):
    """Inputs go into the URL, and opening that URL restores them and their numbers."""
    watched = open_page(context, server, "embed/parallel/")
    page = watched.page
    set_input(page, W, "model", "llama-3.1-405b")
    set_input(page, W, "gpus", "16")
    page.wait_for_function("location.search.includes('parallel.gpus=16')")  # URL writes are debounced
    url = page.url
    assert "parallel.model=llama-3.1-405b" in url and "parallel.gpus=16" in url
    restored = open_page(context, server, url.split("/", 3)[3])
    assert restored.page.input_value("#pg-parallel-gpus") == "16"
    _assert_matches_cli(restored.page, {**DEFAULTS, "model": "llama-3.1-405b", "gpus": "16"})
    watched.assert_clean()
    restored.assert_clean()
    page.close()
    restored.page.close()


def test_reduced_motion_freezes_a_readable_frame(browser, server):
    """With prefers-reduced-motion the diagrams stop moving and every micro-batch cell shows at full strength."""
    assert "--headless" in FLAGS
    ctx = browser.new_context(reduced_motion="reduce", viewport={"width": 375, "height": 800})
    watched = open_page(ctx, server, "embed/parallel/?parallel.model=llama-3.1-405b&parallel.gpus=16")
    page = watched.page
    names = page.eval_on_selector_all(
        "#pg-parallel svg .pg-par-flow, #pg-parallel svg .pg-par-mb",
        "els => els.map(e => getComputedStyle(e).animationName)",
    )
    assert names and set(names) == {"none"}
    opacity = page.eval_on_selector("#pg-parallel svg .pg-par-mb", "e => getComputedStyle(e).opacity")
    assert float(opacity) == 1.0
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # nothing overflows a phone screen
    watched.assert_clean()
    ctx.close()


def test_no_serious_accessibility_violations(browser, server):
    """axe-core finds no serious or critical violation in the widget, diagrams included."""
    ctx = browser.new_context(bypass_csp=True)  # only so axe can be injected
    page = ctx.new_page()
    page.goto(server.url + "embed/parallel/?parallel.model=mixtral-8x7b&parallel.gpus=16")
    page.wait_for_selector("html[data-pg-ready='true']", state="attached", timeout=90_000)
    page.add_script_tag(path=str(ROOT / "node_modules" / "axe-core" / "axe.min.js"))
    result = page.evaluate(
        "async () => (await axe.run(document.querySelector('#pg-parallel'), {resultTypes: ['violations']})).violations"
    )
    serious = [
        (v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    ctx.close()
