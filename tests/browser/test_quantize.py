"""The quantization explorer in a real browser: every input against the CLI, the bits of 0.1, bad input, URL state."""

import pytest

from playground.quantization import FORMAT_IDS
from tests.conftest import ROOT

from .conftest import READY_TIMEOUT_MS, open_page
from .helpers import cli, error_text, outputs, set_input

W = "quantize"
DEFAULTS = {
    "model": "llama-3.1-8b",
    "precision": "int4",
    "gpu": "h100-sxm",
    "gpus": "auto",
    "batch": "1",
    "context": "4096",
    "kv_precision": "bf16",
    "value": "0.1",
    "scheme": "absmax",
}
PER_FORMAT = {  # widget key suffix -> CLI JSON key
    "effective_bits": "effective_bits",
    "weights_bytes": "weights_bytes",
    "gpus": "gpus",
    "decode_tokens_per_s": "decode_tokens_per_s",
    "prefill_tokens_per_s": "prefill_tokens_per_s",
    "calibrated_decode_tokens_per_s": "calibrated_decode_tokens_per_s",
    "calibrated_prefill_tokens_per_s": "calibrated_prefill_tokens_per_s",
}
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def _explorer_args(v: dict) -> list[str]:
    source = ["--config", v["config_path"]] if "config_path" in v else ["--model", v["model"]]
    return [
        "quantization",
        *source,
        "--gpu",
        v["gpu"],
        "--gpus",
        v["gpus"],
        "--batch",
        v["batch"],
        "--context",
        v["context"],
        "--kv-precision",
        v["kv_precision"],
    ]


def _assert_matches_cli(page, v: dict) -> None:
    """Every format's numbers, the headline of the selected format, and the bits equal the CLIs' JSON exactly."""
    got = outputs(page, W)
    data = cli(*_explorer_args(v))
    by_id = {p["id"]: p for p in data["precisions"]}
    assert list(by_id) == list(FORMAT_IDS)
    for fid, p in by_id.items():
        for key, json_key in PER_FORMAT.items():
            assert float(got[f"{fid}.{key}"]) == p[json_key], (fid, key)
        assert got[f"{fid}.rating"] == p["quality"]["rating"], fid
    chosen = by_id[v["precision"]]
    for key in ("weights_bytes", "gpus", "decode_tokens_per_s", "prefill_tokens_per_s") + tuple(PER_FORMAT)[5:]:
        assert float(got[key]) == chosen[key], key
    assert got["rating"] == chosen["quality"]["rating"]
    assert float(got["int4.decode_vs_bf16"]) == by_id["int4"]["decode_vs_bf16"]
    bits = cli("quantize", v["value"], "--scheme", v["scheme"])
    for fmt, enc in bits.items():
        assert got[f"bits.{fmt}.hex"] == enc["hex"], fmt
        assert float(got[f"bits.{fmt}.decoded"]) == enc["decoded"], fmt
        assert float(got[f"bits.{fmt}.abs_error"]) == enc["abs_error"], fmt


@pytest.fixture(scope="module")
def explorer(context, server):
    """The embedded explorer, Python live."""
    watched = open_page(context, server, "embed/quantize/")
    yield watched
    watched.page.close()


def test_prerendered_numbers_equal_the_cli(explorer):
    """Before any input changes, the build-time numbers already equal the CLI's."""
    _assert_matches_cli(explorer.page, DEFAULTS)
    explorer.assert_clean()


@pytest.mark.parametrize(
    "field,new",
    [
        ("model", "llama-3.1-70b"),
        ("model", "mixtral-8x7b"),
        ("model", "deepseek-v3"),
        ("precision", "q4_k_m"),
        ("precision", "fp8"),
        ("gpu", "a100-80gb"),
        ("gpu", "l4"),
        ("gpus", "1"),
        ("gpus", "8"),
        ("batch", "64"),
        ("batch", "512"),
        ("context", "128"),
        ("context", "65536"),
        ("kv_precision", "fp8"),
        ("value", "-2.5"),
        ("value", "1000"),
        ("value", "3e-5"),
        ("scheme", "zeropoint"),
    ],
)
def test_each_input_updates_to_the_cli_numbers(explorer, field, new):
    """Changing one input gives exactly the CLI's numbers for the new inputs."""
    page = explorer.page
    set_input(page, W, field, new)
    try:
        _assert_matches_cli(page, {**DEFAULTS, field: new})
    finally:
        set_input(page, W, field, DEFAULTS[field])
    explorer.assert_clean()


def test_long_context_lowers_the_int4_rating_on_the_page(explorer):
    """At 65,536 tokens INT4 and Q4_K_M show Noticeable, and the long-context study is cited."""
    page = explorer.page
    assert outputs(page, W)["int4.rating"] == "caution"
    set_input(page, W, "context", "65536")
    got = outputs(page, W)
    assert got["int4.rating"] == got["q4_k_m.rating"] == "noticeable"
    assert "Mekala et al. 2025" in page.inner_text("#pg-quantize [data-pg-output]")
    set_input(page, W, "context", DEFAULTS["context"])
    explorer.assert_clean()


def test_bit_cells_for_point_one(explorer):
    """0.1 in FP32 is 0x3DCCCCCD: one sign, eight exponent and 23 mantissa cells, coloured by field."""
    page = explorer.page
    assert outputs(page, W)["bits.fp32.hex"] == "0x3DCCCCCD"
    cells = page.eval_on_selector_all(
        '#pg-quantize .pg-q-enc[data-format="fp32"] .pg-q-bit',
        "els => els.map(e => [e.textContent, e.classList.contains('pg-q-s') ? 's' : "
        "e.classList.contains('pg-q-e') ? 'e' : e.classList.contains('pg-q-m') ? 'm' : '?'])",
    )
    assert int("".join(b for b, _ in cells), 2) == 0x3DCCCCCD
    assert "".join(k for _, k in cells) == "s" + "e" * 8 + "m" * 23
    for fmt, width in (("bf16", 16), ("fp16", 16), ("fp8_e4m3", 8), ("fp8_e5m2", 8), ("int8", 8), ("int4", 4)):
        n = page.eval_on_selector_all(f'#pg-quantize .pg-q-enc[data-format="{fmt}"] .pg-q-bit', "els => els.length")
        assert n == width, fmt
    label = page.get_attribute('#pg-quantize .pg-q-enc[data-format="fp32"] .pg-q-bits', "aria-label")
    assert label == "FP32 bits: sign 0, exponent 01111011, mantissa 10011001100110011001101"
    assert page.is_visible('#pg-quantize .pg-q-enc[data-format="int8"] math')  # the INT terms, as MathML
    explorer.assert_clean()


@pytest.mark.parametrize(
    "field,bad",
    [
        ("batch", ""),
        ("batch", "-3"),
        ("batch", "abc"),
        ("batch", "1e13"),
        ("batch", "2.5"),
        ("context", ""),
        ("context", "-1"),
        ("context", "lots"),
        ("context", "99999999999"),
        ("value", ""),
        ("value", "abc"),
        ("value", "1e39"),
        ("value", "nan"),
    ],
)
def test_bad_input_shows_an_inline_message(explorer, field, bad):
    """Empty, negative, non-numeric or huge input: a message by the field, the last numbers stay, nothing breaks."""
    page = explorer.page
    before = outputs(page, W)
    set_input(page, W, field, bad)
    assert page.is_visible(f"#pg-quantize-{field}-error")
    assert error_text(page, W, field) != ""
    assert page.get_attribute(f"#pg-quantize-{field}", "aria-invalid") == "true"
    assert outputs(page, W) == before
    set_input(page, W, field, DEFAULTS[field])
    assert error_text(page, W, field) == "" and not page.is_visible(f"#pg-quantize-{field}-error")
    assert outputs(page, W) == before
    explorer.assert_clean()


def test_pasted_config_json_is_explored(explorer):
    """A pasted config.json is explored exactly like the CLI's --config; broken JSON is flagged by the box."""
    page = explorer.page
    path = ROOT / "tests" / "unit" / "configs" / "qwen3-30b-a3b.json"
    set_input(page, W, "model", "custom")
    assert page.is_visible("#pg-quantize-config")
    set_input(page, W, "config", path.read_text())
    _assert_matches_cli(page, {**DEFAULTS, "config_path": str(path)})
    set_input(page, W, "config", "{not json")
    assert "json" in error_text(page, W, "config").lower()
    set_input(page, W, "model", DEFAULTS["model"])
    assert error_text(page, W, "config") == ""
    explorer.assert_clean()


def test_url_reflects_and_restores_the_inputs(context, server):
    """Inputs go into the URL, and opening that URL restores them and their numbers."""
    watched = open_page(context, server, "embed/quantize/")
    page = watched.page
    set_input(page, W, "precision", "q2_k")
    set_input(page, W, "batch", "32")
    page.wait_for_timeout(400)  # the URL is written at most every 200 ms
    assert "quantize.precision=q2_k" in page.url and "quantize.batch=32" in page.url
    restored = open_page(context, server, page.url.split("/", 3)[3])
    assert restored.page.input_value("#pg-quantize-batch") == "32"
    _assert_matches_cli(restored.page, {**DEFAULTS, "precision": "q2_k", "batch": "32"})
    watched.assert_clean()
    restored.assert_clean()
    page.close()
    restored.page.close()


def test_no_serious_accessibility_violations(browser, server):
    """axe-core finds no serious or critical violation on the embedded explorer (bit-cell contrast included)."""
    ctx = browser.new_context(bypass_csp=True)  # only so axe can be injected
    page = ctx.new_page()
    page.goto(server.url + "embed/quantize/")
    page.wait_for_selector("html[data-pg-ready='true']", state="attached", timeout=READY_TIMEOUT_MS)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    serious = [
        (v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    ctx.close()


def test_small_screen_has_no_horizontal_scroll(browser, server):
    """At 375 px wide the page does not scroll sideways (wide tables scroll inside their own box)."""
    ctx = browser.new_context(viewport={"width": 375, "height": 800})
    page = ctx.new_page()
    page.goto(server.url + "embed/quantize/")
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    ctx.close()
