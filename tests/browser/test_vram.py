"""The VRAM calculator in a real browser: every input, a pasted config.json, bad input, URL state."""

import pytest

from tests.conftest import ROOT

from .conftest import open_page
from .helpers import cli, error_text, outputs, set_input

W = "vram"
DEFAULTS = {
    "model": "llama-3.1-70b",
    "precision": "bf16",
    "kv_precision": "auto",
    "users": "16",
    "context": "8192",
    "gpu": "recommend",
    "gpus": "auto",
}
KEYS = (
    "params_total",
    "params_active",
    "kv_bytes_per_token",
    "state_bytes_per_sequence",
    "state_bytes",
    "weights_bytes",
    "kv_cache_bytes",
    "overhead_bytes",
    "total_bytes",
)


def _vram_args(v: dict) -> list[str]:
    args = ["vram", "--precision", v["precision"], "--users", v["users"], "--context", v["context"]]
    args += ["--config", v["config_path"]] if "config_path" in v else ["--model", v["model"]]
    if v["kv_precision"] != "auto":
        args += ["--kv-precision", v["kv_precision"]]
    if v["gpu"] != "recommend":
        args += ["--gpu", v["gpu"]]
    return args


def _assert_matches_cli(page, v: dict) -> None:
    expected = cli(*_vram_args(v))
    got = outputs(page, W)
    for key in KEYS:
        assert float(got[key]) == pytest.approx(expected[key], rel=1e-12), key
    rec = expected["recommendation"]
    assert got["gpu"] == rec["gpu"] and int(got["gpu_count"]) == rec["gpu_count"] and int(got["nodes"]) == rec["nodes"]
    count = rec["gpu_count"] if v["gpus"] == "auto" else int(v["gpus"])
    source = ["--config", v["config_path"]] if "config_path" in v else ["--model", v["model"]]
    cap = cli(
        "capacity",
        *source,
        "--gpu",
        rec["gpu"],
        "--gpus",
        str(count),
        "--precision",
        v["precision"],
        "--context",
        v["context"],
        "--users",
        v["users"],
        *(["--kv-precision", v["kv_precision"]] if v["kv_precision"] != "auto" else []),
    )
    for key in ("kv_pool_bytes", "kv_tokens", "max_users", "max_context"):
        assert float(got[key]) == pytest.approx(cap[key], rel=1e-12), key


@pytest.fixture(scope="module")
def vram(context, server):
    """The embedded VRAM calculator, Python live."""
    watched = open_page(context, server, "embed/vram/")
    yield watched
    watched.page.close()


@pytest.mark.parametrize(
    "field,new",
    [
        ("model", "llama-3.1-405b"),
        ("model", "glm-5"),
        ("precision", "int4"),
        ("precision", "fp32"),
        ("kv_precision", "fp8"),
        ("users", "200"),
        ("context", "131072"),
        ("gpu", "h100-sxm"),
        ("gpu", "l4"),
        ("gpus", "16"),
    ],
)
def test_each_input_updates_to_the_cli_numbers(vram, field, new):
    """Changing one input gives exactly the CLI's numbers for the new inputs."""
    page = vram.page
    values = {**DEFAULTS, field: new}
    set_input(page, W, field, new)
    try:
        _assert_matches_cli(page, values)
    finally:
        set_input(page, W, field, DEFAULTS[field])
    vram.assert_clean()


def test_pasted_config_json_is_sized(vram):
    """A Hugging Face config.json pasted into the box is sized like the CLI's --config."""
    page = vram.page
    path = ROOT / "tests" / "unit" / "configs" / "qwen3-30b-a3b.json"
    set_input(page, W, "model", "custom")
    assert page.is_visible("#pg-vram-config")
    set_input(page, W, "config", path.read_text())
    _assert_matches_cli(page, {**DEFAULTS, "config_path": str(path)})
    set_input(page, W, "config", "{not json")
    assert "json" in error_text(page, W, "config").lower()
    set_input(page, W, "config", '{"model_type": "bert"}')
    assert "bert" in error_text(page, W, "config")
    set_input(page, W, "model", DEFAULTS["model"])
    assert error_text(page, W, "config") == ""
    vram.assert_clean()


@pytest.mark.parametrize("name", ["qwen3-next-80b-a3b-thinking.json", "gemma-2-9b-it.json", "phi-4.json"])
def test_pasted_configs_of_new_families_are_sized(vram, name):
    """Qwen3-Next (linear attention), Gemma 2 (sliding window) and Phi-4 pasted: the CLI's numbers, state shown."""
    page = vram.page
    path = ROOT / "tests" / "unit" / "configs" / name
    set_input(page, W, "model", "custom")
    set_input(page, W, "config", path.read_text())
    _assert_matches_cli(page, {**DEFAULTS, "config_path": str(path)})
    text = page.inner_text("#pg-vram [data-pg-output]")
    if name.startswith("qwen3-next"):
        assert "fixed state" in text and "36 linear-attention" in text
        assert "S_seq" in page.inner_html("#pg-vram [data-pg-output]")  # the state formula is shown
    else:
        assert float(outputs(page, W)["state_bytes_per_sequence"]) == 0
    set_input(page, W, "model", DEFAULTS["model"])
    vram.assert_clean()


def test_unknown_layer_kind_is_refused_by_the_field(vram):
    """A layer kind the reader cannot size is an inline message naming the field, not a guess."""
    page = vram.page
    cfg = (ROOT / "tests" / "unit" / "configs" / "qwen3-next-80b-a3b-thinking.json").read_text()
    set_input(page, W, "model", "custom")
    set_input(page, W, "config", cfg.replace('"full_attention_interval": 4', '"full_attention_interval": 0'))
    assert "full_attention_interval" in error_text(page, W, "config")
    set_input(page, W, "model", DEFAULTS["model"])
    assert error_text(page, W, "config") == ""
    vram.assert_clean()


@pytest.mark.parametrize("field", ["users", "context"])
@pytest.mark.parametrize("bad", ["", "-3", "0", "1e13", "abc", "2.5"])
def test_bad_numbers_show_an_inline_message(vram, field, bad):
    """Empty, negative, zero, huge, non-numeric or fractional input: a message by the field, page intact."""
    page = vram.page
    before = outputs(page, W)
    set_input(page, W, field, bad)
    assert error_text(page, W, field) != ""
    assert page.get_attribute(f"#pg-vram-{field}", "aria-invalid") == "true"
    assert outputs(page, W) == before  # the last good numbers stay (dimmed)
    set_input(page, W, field, DEFAULTS[field])
    assert error_text(page, W, field) == ""
    vram.assert_clean()


def test_huge_but_valid_load_never_shows_nan(vram):
    """A million users at a million tokens is sized (many nodes), with finite numbers everywhere."""
    page = vram.page
    set_input(page, W, "users", "1000000")
    set_input(page, W, "context", "1000000")
    got = outputs(page, W)
    assert all("nan" not in v.lower() and "inf" not in v.lower() for v in got.values())
    assert "NaN" not in page.inner_text("#pg-vram [data-pg-output]")
    set_input(page, W, "users", DEFAULTS["users"])
    set_input(page, W, "context", DEFAULTS["context"])
    vram.assert_clean()


def test_url_reflects_and_restores_the_inputs(context, server):
    """Inputs go into the URL, and opening that URL restores them (and their numbers)."""
    watched = open_page(context, server, "embed/vram/")
    page = watched.page
    set_input(page, W, "model", "llama-3.1-8b")
    set_input(page, W, "users", "3")
    page.wait_for_function("location.search.includes('vram.users=3')")  # URL writes are debounced
    url = page.url
    assert "vram.model=llama-3.1-8b" in url and "vram.users=3" in url
    restored = open_page(context, server, url.split("/", 3)[3])
    assert restored.page.input_value("#pg-vram-users") == "3"
    _assert_matches_cli(restored.page, {**DEFAULTS, "model": "llama-3.1-8b", "users": "3"})
    watched.assert_clean()
    restored.assert_clean()
    page.close()
    restored.page.close()
