"""The quantization explorer: memory, GPUs and roofline speed per format, its CLI, its widget, its prose."""

import json
import math
import pathlib
import subprocess
import sys
import timeit

import pytest

from playground.bits import quantize
from playground.errors import InputError
from playground.models import MODELS
from playground.quality import evidence_by_id
from playground.quantization import FORMAT_IDS, explore, get_format
from site_py import quantize as widget_module
from site_py.widget import defaults, update
from tests.conftest import ROOT

P_8B = 8_030_261_248  # Llama 3.1 8B parameters, computed from its config.json (reference: 8.03B)
P_8B_COMPUTE = 7_504_924_672  # minus the 128,256 x 4,096 input embedding a token only indexes
KV_8B = 131_072  # 2 x 32 layers x 8 KV heads x 128 x 2 bytes per token at 16-bit
H100_BW, H100_BF16, H100_FP8 = 3.35e12, 989e12, 1979e12


def test_effective_bits_include_the_scales():
    """INT4 g128 with FP16 scale + 4-bit zero point = 4 + 20/128; llama.cpp bits as measured on Llama-3.1-8B."""
    assert get_format("int4").effective_bits == 4 + 20 / 128  # 4.15625
    assert get_format("fp8").effective_bits == 8 + 32 / (128 * 128)  # one FP32 scale per 128x128 block
    assert get_format("bf16").effective_bits == 16 and get_format("fp32").effective_bits == 32
    # llama.cpp tools/quantize/README.md, meta-llama/Llama-3.1-8B table: bits/weight of real files
    assert [get_format(f).effective_bits for f in ("q8_0", "q6_k", "q4_k_m", "q2_k")] == [
        8.5008,
        6.5633,
        4.8944,
        3.1593,
    ]
    assert get_format("q8_0").bits_terms[0].value == 34 * 8 / 32  # block: 32 int8 + an FP16 scale = 8.5 bits


def test_weight_memory_is_params_times_bits():
    """Llama 3.1 8B: 8,030,261,248 x 2 bytes in BF16 = 16.06 GB; x 4.15625 / 8 in INT4 = 4.17 GB."""
    e = explore("llama-3.1-8b")
    assert e.params_total == P_8B
    assert e.row("bf16").weights_bytes == P_8B * 2
    assert e.row("int4").weights_bytes == pytest.approx(P_8B * 4.15625 / 8, rel=1e-15)  # 4,171,971,664
    assert e.kv_cache_bytes == 4096 * KV_8B  # batch 1 x 4,096 tokens = 537 MB
    assert e.row("int4").memory_vs_bf16 == pytest.approx(4.15625 / 16)


def test_decode_is_bandwidth_over_bytes_per_step():
    """BF16 8B at batch 1: (7.5B x 2 + 4,096 x 131,072) bytes at 3.35 TB/s = 4.64 ms, i.e. 215.5 tokens/s."""
    e = explore("llama-3.1-8b")
    bytes_bf16 = P_8B_COMPUTE * 2 + 4096 * KV_8B  # 15,546,720,256
    assert e.row("bf16").decode.tokens_per_s == pytest.approx(H100_BW / bytes_bf16, rel=1e-12)
    bytes_int4 = P_8B_COMPUTE * 4.15625 / 8 + 4096 * KV_8B
    assert e.row("int4").decode.tokens_per_s == pytest.approx(H100_BW / bytes_int4, rel=1e-12)  # 755 tokens/s
    assert all(r.decode.bound == "memory" for r in e.rows)


def test_prefill_runs_at_the_math_formats_peak():
    """Prefill = peak / (2 x 7.5B): 65,890 tokens/s at BF16 for BF16, INT4 and GGUF; FP8/INT8 twice that on H100."""
    e = explore("llama-3.1-8b")
    bf16 = H100_BF16 / (2 * P_8B_COMPUTE)  # 65,890 tokens/s
    for fmt in ("bf16", "int4", "q8_0", "q6_k", "q4_k_m", "q2_k"):
        assert e.row(fmt).prefill.tokens_per_s == pytest.approx(bf16, rel=1e-12), fmt
    assert e.row("fp8").prefill.tokens_per_s == pytest.approx(H100_FP8 / (2 * P_8B_COMPUTE), rel=1e-12)
    assert e.row("int8").prefill_vs_bf16 == pytest.approx(2.0, rel=1e-3)
    assert e.row("fp32").prefill_vs_bf16 == pytest.approx(0.5)  # TF32 at half the BF16 rate
    a100 = explore("llama-3.1-8b", gpu="a100-80gb")
    assert a100.row("fp8").prefill.compute_format == "bf16" and a100.row("fp8").prefill_vs_bf16 == 1.0


def test_weight_only_int4_turns_compute_bound_first():
    """Ridge B* = W / (2 P BW / F - KV_s): INT4 at 128 tokens = 3.90 GB / (50.8 MB - 16.8 MB) = 114 sequences."""
    short = explore("llama-3.1-8b", context_tokens=128)
    w = P_8B_COMPUTE * 4.15625 / 8
    expected = w / (2 * P_8B_COMPUTE * H100_BW / H100_BF16 - 128 * KV_8B)
    assert short.row("int4").ridge_batch == pytest.approx(expected, rel=1e-12)
    assert short.row("int4").ridge_batch < short.row("bf16").ridge_batch
    # the prose's example: at batch 512 INT4 and BF16 both compute-bound at the BF16 rate, FP8 still ahead
    big = explore("llama-3.1-8b", context_tokens=128, batch=512)
    int4, bf16, fp8 = big.row("int4"), big.row("bf16"), big.row("fp8")
    assert int4.decode.bound == bf16.decode.bound == "compute"
    assert (
        int4.decode.tokens_per_s
        == bf16.decode.tokens_per_s
        == pytest.approx(H100_BF16 * 512 / (2 * P_8B_COMPUTE * 512))
    )
    assert round(bf16.decode.tokens_per_s, -2) == 65_900 and round(fp8.decode.tokens_per_s, -3) == 107_000


def test_long_context_kv_traffic_keeps_decode_memory_bound():
    """At 4,096 tokens a sequence's 537 MB of KV outweighs its 50.8 MB compute-equivalent: no ridge batch."""
    e = explore("llama-3.1-8b", batch=1024)
    assert all(r.ridge_batch is None and r.decode.bound == "memory" for r in e.rows)


def test_gpu_counts_auto_and_fixed():
    """70B on H100: BF16 needs 4 GPUs, INT4 one; on a fixed single GPU BF16 is flagged, not dropped."""
    auto = explore("llama-3.1-70b")
    assert auto.row("bf16").gpus == 4 and auto.row("int4").gpus == 1
    one = explore("llama-3.1-70b", gpus=1)
    assert not one.row("bf16").fits and one.row("bf16").gpus_needed == 4 and one.row("bf16").gpus == 1
    assert one.row("int4").fits
    assert one.row("bf16").decode.tokens_per_s == pytest.approx(auto.row("bf16").decode.tokens_per_s / 4, rel=0.02)


def test_fp8_kv_cache_halves_the_cache():
    """The KV-cache precision is separate from the weights: FP8 halves it for every format."""
    assert explore("llama-3.1-8b", kv_precision="fp8").kv_cache_bytes == explore("llama-3.1-8b").kv_cache_bytes / 2


@pytest.mark.parametrize("model", [m.id for m in MODELS])
@pytest.mark.parametrize("gpu", ["h100-sxm", "l4", "mi300x"])
def test_every_catalog_model_gives_finite_numbers(model, gpu):
    """Every model on a big, a small and an AMD GPU: positive, finite memory and speeds for all nine formats."""
    e = explore(model, gpu, batch=8, context_tokens=8192)
    assert [r.format.id for r in e.rows] == list(FORMAT_IDS)
    for r in e.rows:
        for x in (r.weights_bytes, r.decode.tokens_per_s, r.prefill.tokens_per_s, r.decode_vs_bf16):
            assert math.isfinite(x) and x > 0, (r.format.id, x)


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"batch": 0}, "batch"),
        ({"batch": "-1"}, "batch"),
        ({"batch": ""}, "batch"),
        ({"batch": "abc"}, "batch"),
        ({"batch": "1e9"}, "batch"),
        ({"batch": "2.5"}, "batch"),
        ({"context_tokens": "0"}, "context"),
        ({"context_tokens": "nan"}, "context"),
        ({"context_tokens": "1e13"}, "context"),
        ({"gpus": "0"}, "gpus"),
        ({"gpu": "tpu"}, "gpu"),
        ({"kv_precision": "int4"}, "kv_precision"),
    ],
)
def test_bad_input_names_its_field(kwargs, field):
    """Every bad input is one InputError naming the field the widget shows it next to."""
    with pytest.raises(InputError) as exc:
        explore("llama-3.1-8b", **kwargs)
    assert exc.value.field == field


def test_unknown_format_names_the_precision_field():
    """The format selector's errors land on its field."""
    with pytest.raises(InputError) as exc:
        get_format("q3_k")
    assert exc.value.field == "precision"


# -- the CLI -------------------------------------------------------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "playground", "quantization", *args], cwd=ROOT, capture_output=True, text=True
    )


def test_cli_json_is_one_document_with_the_engine_numbers():
    """--json prints exactly one JSON document whose numbers equal the engine's, format by format."""
    proc = _cli("--model", "llama-3.1-70b", "--gpu", "h100-sxm", "--batch", "16", "--context", "2048", "--json")
    assert proc.returncode == 0 and proc.stderr == ""
    data = json.loads(proc.stdout)
    e = explore("llama-3.1-70b", "h100-sxm", 16, 2048)
    assert [p["id"] for p in data["precisions"]] == list(FORMAT_IDS)
    for p, r in zip(data["precisions"], e.rows, strict=True):
        assert p["weights_bytes"] == r.weights_bytes and p["effective_bits"] == r.format.effective_bits
        assert p["decode_tokens_per_s"] == r.decode.tokens_per_s and p["prefill_tokens_per_s"] == r.prefill.tokens_per_s
        assert p["gpus"] == r.gpus and p["quality"]["rating"] == r.rating.level
        assert p["quality"]["evidence"][0]["source"] and p["quality"]["evidence"][0]["date"]
    assert data["kv_cache_bytes"] == e.kv_cache_bytes and data["gpus"] is None


def test_cli_text_and_formulas():
    """The readable output has the table, the evidence and, with --precision, that format's formulas."""
    proc = _cli("--model", "llama-3.1-8b", "--precision", "int4")
    assert proc.returncode == 0
    assert "Q4_K_M" in proc.stdout and "Kurtic et al. 2024" in proc.stdout
    assert "b_eff = 4 + (16 + 4) / 128 = 4.156" in proc.stdout


def test_cli_reads_a_config_file():
    """--config sizes a pasted config.json exactly like the same model from the catalog would be sized."""
    path = ROOT / "tests" / "unit" / "configs" / "qwen3-30b-a3b.json"
    data = json.loads(_cli("--config", str(path), "--json").stdout)
    assert data["model"] == str(path)
    assert data["precisions"][1]["weights_bytes"] == explore("qwen3-30b-a3b").row("bf16").weights_bytes


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--model", "nope"],
        ["--model", "llama-3.1-8b", "--batch", "abc"],
        ["--model", "llama-3.1-8b", "--batch", "-4"],
        ["--model", "llama-3.1-8b", "--context", "1e400"],
        ["--model", "llama-3.1-8b", "--gpus", "0"],
        ["--model", "llama-3.1-8b", "--gpu", "<script>"],
        ["--model", "llama-3.1-8b", "--kv-precision", "int4"],
        ["--model", "llama-3.1-8b", "--precision", "q3_k"],
        ["--config", "/nonexistent/config.json"],
        ["--model", "llama-3.1-8b", "--config", "x.json"],
    ],
)
def test_cli_bad_input_exits_2_with_one_line(args):
    """Bad input: exit code 2, nothing on stdout, exactly one line on stderr, no traceback."""
    proc = _cli(*args, "--json")
    assert proc.returncode == 2 and proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


# -- the widget glue (no browser) -----------------------------------------------------------------------


def test_widget_renders_fast_and_shows_the_engine_numbers():
    """The default render is well under a 16 ms frame in CPython and carries the engine's raw numbers."""
    values = defaults(widget_module)
    html, error = update(widget_module, values)
    assert error is None
    e = explore("llama-3.1-8b")
    assert f'data-key="int4.decode_tokens_per_s" data-value="{e.row("int4").decode.tokens_per_s!r}"' in html
    assert 'data-key="bits.fp32.hex" data-value="0x3DCCCCCD"' in html
    seconds = min(timeit.repeat(lambda: widget_module.render(values), number=5, repeat=3)) / 5  # not update's cache
    assert seconds < 0.016, seconds


@pytest.mark.parametrize(
    "field,bad", [("batch", "-2"), ("context", "abc"), ("value", "1e39"), ("value", ""), ("config", "")]
)
def test_widget_bad_input_lands_on_its_field(field, bad):
    """Bad text in a field comes back as that field's inline error (config only matters for a custom model)."""
    values = {**defaults(widget_module), field: bad}
    if field == "config":
        values["model"] = "custom"
    html, error = update(widget_module, values)
    assert html is None and error[0] == field


# -- the numbers the prose quotes -----------------------------------------------------------------------


def test_section_prose_numbers():
    """docs/sections/quantize.md: 215/416/755 tokens/s, 65,900 vs 107,000, 4.156 bits, 0x3DCCCCCD, code 26."""
    text = pathlib.Path(ROOT / "docs" / "sections" / "quantize.md").read_text()
    e = explore("llama-3.1-8b")
    for fmt, shown in (("bf16", "215"), ("fp8", "416"), ("int4", "755")):
        assert f"{e.row(fmt).decode.tokens_per_s:.0f}" == shown and shown in text
    assert "4.156" in text and f"{get_format('int4').effective_bits:.3f}" == "4.156"
    assert "4.89" in text and "3.16" in text
    bits = quantize("0.1")
    assert bits["fp32"].hex == "0x3DCCCCCD" and f"{bits['fp32'].decoded:.11f}" == "0.10000000149"
    assert f"{bits['bf16'].decoded:.4f}" == "0.1001" and f"{bits['fp8_e4m3'].decoded:.4f}" == "0.1016"
    assert bits["int8"].scale == 0.48 / 127 and bits["int8"].code == 26 and f"{bits['int8'].decoded:.4f}" == "0.0983"
    assert "0.10000000149" in text and "code 26" in text and "0.0983" in text
    assert "65,900" in text and "107,000" in text
    for fmt, shown in (("q8_0", 0.09), ("q6_k", 0.56), ("q4_k_m", 2.9), ("q2_k", 57)):
        loss = 100 * evidence_by_id(f"llama.cpp-{fmt}").loss_fraction
        assert loss == pytest.approx(shown, rel=0.04) and f"{shown}%" in text
