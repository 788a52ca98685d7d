"""NVFP4 and MXFP4: formats, mixed checkpoints, bits of one weight, speed fallback and quality evidence."""

import json
import subprocess
import sys

import pytest

from playground.bits import EXAMPLE_WEIGHTS, quantize
from playground.checkpoint import split
from playground.fp4 import E2M1, e2m1_code, quantize_fp4
from playground.gpus import get_gpu, peak_flops
from playground.models import get_model
from playground.precision import get_precision
from playground.quality import rate
from playground.quantization import explore, get_format
from playground.vram import estimate

ml_dtypes = pytest.importorskip("ml_dtypes")
np = pytest.importorskip("numpy")


def _cli(*args):
    out = subprocess.run([sys.executable, "-m", "playground", *args, "--json"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_bits_per_weight_follow_the_block_layouts():
    """NVFP4 = 4 + 8/16 = 4.5 bits, MXFP4 = 4 + 8/32 = 4.25 (issue 15; OCP MX v1.0, NVIDIA NVFP4 blog)."""
    assert get_precision("nvfp4").effective_bits == 4.5
    assert get_precision("mxfp4").effective_bits == 4.25
    assert get_precision("fp4").id == "nvfp4"  # the CLI alias
    assert get_precision("nvfp4").effective_bits_term().plugged() == "b_eff = 4 + (8 + 0) / 16 = 4.5"


def test_vram_reports_the_format_bits_on_llama_70b():
    """`vram --precision nvfp4` on Llama 3.1 70B gives 4.5 bits per weight, mxfp4 4.25 (issue 15's done-when)."""
    for precision, bits in (("nvfp4", 4.5), ("mxfp4", 4.25), ("fp4", 4.5)):
        data = _cli("vram", "--model", "llama-3.1-70b", "--precision", precision, "--users", "1", "--context", "4096")
        assert data["weight_bits"] == bits
        assert data["weight_split"]["scope"] == "linear"


def test_fp4_keeps_embeddings_head_and_norms_in_bf16():
    """Linear layers at 4.5 bits; the 128256 x 8192 embedding and head plus norms at 16 (ModelOpt NVFP4 layout)."""
    arch = get_model("llama-3.1-70b").arch
    ws = split(arch, get_precision("nvfp4"))
    kept = 2 * 128256 * 8192 + (80 * 2 + 1) * 8192  # embedding + lm_head + the norms
    assert ws.kept_params == kept
    assert ws.weights_bytes == pytest.approx((ws.quantized_params * 4.5 + kept * 16) / 8, rel=1e-12)
    assert 4.5 < ws.average_bits < 4.9
    assert ws.term.plugged() == "W = (68.5B × 4.5 + 2.1B × 16) / 8 = 42.7 GB"
    # formats that always covered every parameter keep the old, uniform result
    for pid in ("bf16", "fp8", "int8", "int4"):
        prec = get_precision(pid)
        assert split(arch, prec).weights_bytes == arch_params(arch) * prec.effective_bits / 8


def arch_params(arch):
    from playground.architecture import param_breakdown

    return param_breakdown(arch).total


def test_gpt_oss_120b_release_size():
    """gpt-oss-120b in MXFP4 is experts at 4.25 bits + the rest in BF16: 65.2 GB (HF repo: ~65 GB; issue: 55-70 GB)."""
    data = _cli("vram", "--model", "gpt-oss-120b", "--precision", "mxfp4", "--users", "1", "--context", "4096")
    assert data["weight_split"]["scope"] == "experts"
    assert 55e9 <= data["weights_bytes"] <= 70e9
    assert data["weights_bytes"] == pytest.approx(65.2e9, rel=0.005)
    # the same size everywhere: capacity, moe and the explorer use one function
    moe = _cli("moe", "--dense", "llama-3.1-70b", "--moe", "gpt-oss-120b", "--precision", "mxfp4")
    assert moe["moe"]["weights_bytes"] == data["weights_bytes"]
    row = explore("gpt-oss-120b", "b200").row("mxfp4")
    assert row.weights_bytes == data["weights_bytes"]


def test_e2m1_holds_only_the_eight_magnitudes():
    """Every 4-bit code decodes to ±{0, 0.5, 1, 1.5, 2, 3, 4, 6}, matching ml_dtypes.float4_e2m1fn bit for bit."""
    from fractions import Fraction

    from playground.bits import _decode_code

    values = {abs(_decode_code(E2M1, code)[0]) for code in range(16)}
    assert values == {0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0}
    for code in range(16):
        ours = _decode_code(E2M1, code)[0]
        theirs = float(np.array([code], dtype=np.uint8).view(ml_dtypes.float4_e2m1fn)[0])
        assert ours == theirs
    assert e2m1_code(Fraction(1.25)) == (0b0010, False)  # tie between 1 and 1.5 goes to even (1.0)
    assert e2m1_code(Fraction(7)) == (0b0111, True)  # past 6: saturates


def test_quantize_point_one_exact_fp4_entries():
    """0.1 in the example group: NVFP4 E2M1 1.5 x E4M3 0.078125 = 0.1171875; MXFP4 1.5 x 2^-4 = 0.09375 (exact)."""
    data = _cli("quantize", "0.1")
    nv, mx = data["nvfp4"], data["mxfp4"]
    assert (nv["bits"], nv["hex"], nv["scale"], nv["scale_bits"], nv["decoded"]) == (
        "0011",
        "0x3",
        0.078125,
        "00011010",
        0.1171875,
    )
    assert nv["error"] == 0.1171875 - 0.1 or nv["error"] == pytest.approx(0.0171875, abs=1e-17)
    assert (mx["bits"], mx["scale"], mx["scale_bits"], mx["decoded"]) == ("0011", 0.0625, "01111011", 0.09375)
    assert mx["error"] == pytest.approx(0.00625, abs=1e-17)
    for entry in (nv, mx):
        assert set(entry) >= {"bits", "hex", "decoded", "scale", "error"}


@pytest.mark.parametrize("value", [0.1, -0.37, 0.48, 0.5, 1e-3, -2.5, 7.0, 1e5, 3e-9, 0.2501])
def test_fp4_matches_ml_dtypes(value):
    """Scale and element equal ml_dtypes' casts: E4M3(absmax/6) for NVFP4, 2^(floor(log2 absmax) - 2) for MXFP4."""
    import math

    amax = max(abs(w) for w in (value, *EXAMPLE_WEIGHTS))
    nv = quantize_fp4(value, "nvfp4")
    scale = float(ml_dtypes.float8_e4m3fn(amax / 6))
    if math.isfinite(scale):  # a plain cast gives NaN past 448, where we saturate like the hardware
        assert nv.scale == scale
        assert nv.element == float(ml_dtypes.float4_e2m1fn(np.clip(value / scale, -6, 6)))
        assert nv.decoded == nv.element * nv.scale
    mx = quantize_fp4(value, "mxfp4")
    power = float(ml_dtypes.float8_e8m0fnu(2.0 ** (math.floor(math.log2(amax)) - 2)))
    assert mx.scale == power
    assert int(mx.scale_bits, 2) == int(np.array([power], dtype=ml_dtypes.float8_e8m0fnu).view(np.uint8)[0])
    assert mx.element == float(ml_dtypes.float4_e2m1fn(np.clip(value / power, -6, 6)))


def test_mxfp4_saturates_the_block_maximum():
    """0.48 / 2^-4 = 7.68 > 6: MXFP4 stores 6 x 0.0625 = 0.375 (the power-of-two error NVFP4's FP8 scale avoids)."""
    q = quantize(0.48)
    assert q["mxfp4"].clamped and q["mxfp4"].decoded == 0.375
    assert not q["nvfp4"].clamped and q["nvfp4"].decoded == 6 * 0.078125


def test_fp4_on_h100_gains_no_flops():
    """FP4 falls back to BF16 (weight-only) on an H100 and A100, FP4 tensor cores on B200 (dense datasheet 9 PF)."""
    assert peak_flops(get_gpu("h100-sxm"), "fp4") == (989e12, "bf16")
    assert peak_flops(get_gpu("a100-80gb"), "fp4") == (312e12, "bf16")
    assert peak_flops(get_gpu("b200"), "fp4") == (9000e12, "fp4")
    e = explore("llama-3.1-8b", "h100-sxm", batch=1)
    nv, bf, fp8 = e.row("nvfp4"), e.row("bf16"), e.row("fp8")
    assert nv.prefill.tokens_per_s == bf.prefill.tokens_per_s < fp8.prefill.tokens_per_s
    assert nv.decode.tokens_per_s > fp8.decode.tokens_per_s  # fewer bytes: bandwidth is what it buys
    b = explore("llama-3.1-8b", "b200", batch=1)
    assert b.row("nvfp4").prefill.tokens_per_s == pytest.approx(4 * b.row("bf16").prefill.tokens_per_s)


def test_fp4_quality_ratings_from_published_measurements():
    """NVFP4 RTN lost 6.2% on Llama-3.1-8B (arXiv 2509.23202): Caution; MXFP4 trails it by ~10% (2603.08713)."""
    nv, mx = rate("nvfp4", 4096), rate("mxfp4", 4096)
    assert nv.level == "caution" and nv.loss_fraction == pytest.approx((78.9 - 74.0) / 78.9)
    assert mx.level == "noticeable" and mx.loss_fraction > nv.loss_fraction
    assert rate("nvfp4", 65536).level == "noticeable"  # the long-context 4-bit result applies too
    assert get_format("fp4").id == "nvfp4"


def test_every_section_accepts_fp4():
    """VRAM, capacity, parallelism, cost and MoE all take nvfp4 and mxfp4 (issue 15, item 1)."""
    for precision in ("nvfp4", "mxfp4"):
        assert estimate("llama-3.1-70b", precision, 1, 4096).weights_bytes > 0
        base = ["--model", "llama-3.1-70b", "--precision", precision]
        assert _cli("capacity", *base, "--gpu", "b200", "--gpus", "1")["kv_tokens"] > 0
        assert _cli("parallel", "--model", "llama-3.1-70b", "--gpus", "8", "--gpu", "b200", "--precision", precision)
        assert _cli("cost", *base, "--requests-per-day", "100000")
        assert _cli("moe", "--dense", "llama-3.1-70b", "--moe", "glm-5", "--precision", precision)
