"""Roofline decode and prefill estimates."""

import pytest

from playground.architecture import param_breakdown
from playground.gpus import get_gpu
from playground.models import get_model
from playground.roofline import decode_step, prefill, weights_bytes_read

H100 = get_gpu("h100-sxm")


def test_batch_one_decode_is_bandwidth_bound():
    """Llama 3.1 8B BF16 on an H100 at batch 1: ~15 GB read per token at 3.35 TB/s caps decode near 220 tok/s."""
    arch = get_model("llama-3.1-8b").arch
    weights, _ = weights_bytes_read(arch, 2)
    step = decode_step(H100, 1, weights, 0, 1, param_breakdown(arch).active_compute)
    assert step.bound == "memory"
    assert step.tokens_per_s == pytest.approx(3.35e12 / (7.5e9 * 2), rel=0.01)


def test_large_batches_become_compute_bound():
    """Past the ridge point (~295 FLOP/byte on an H100 in BF16) a decode step is compute-bound."""
    arch = get_model("llama-3.1-8b").arch
    weights, _ = weights_bytes_read(arch, 2)
    step = decode_step(H100, 1, weights, 0, 1024, param_breakdown(arch).active_compute)
    assert step.bound == "compute" and step.time_s == step.compute_time_s


def test_efficiency_scales_time():
    """At 50% efficiency a step takes twice as long."""
    ideal = decode_step(H100, 1, 1e10, 1e9)
    half = decode_step(H100, 1, 1e10, 1e9, efficiency=0.5)
    assert half.time_s == pytest.approx(2 * ideal.time_s)


def test_prefill_uses_fp8_peak_only_where_supported():
    """8B parameters x 1000 tokens x 2 FLOPs: H100 at 1979 TFLOP/s FP8, A100 back at 312 BF16."""
    h = prefill(H100, 1, 8e9, 1000, "fp8")
    a = prefill(get_gpu("a100-80gb"), 1, 8e9, 1000, "fp8")
    assert h.compute_format == "fp8" and h.time_s == pytest.approx(16e12 / 1979e12)
    assert a.compute_format == "bf16" and a.time_s == pytest.approx(16e12 / 312e12)


def test_moe_batch_touches_more_experts():
    """DeepSeek-V3 at batch 1 reads ~37B parameters' worth; large batches approach all 671B."""
    arch = get_model("deepseek-v3").arch
    one, term = weights_bytes_read(arch, 1, 1)
    many, _ = weights_bytes_read(arch, 1, 4096)
    assert one == pytest.approx(36.6e9, rel=0.01) and term.value == pytest.approx(8)
    assert many == pytest.approx(param_breakdown(arch).active_compute + 248 * 58 * 3 * 7168 * 2048, rel=1e-6)
