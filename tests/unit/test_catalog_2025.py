"""The 2025-26 catalog: models and GPUs the benchmarks use, and usable memory as PyTorch reports it."""

import json
import subprocess
import sys

import pytest

from playground.architecture import param_breakdown
from playground.capacity import capacity
from playground.gpus import GPUS, get_gpu
from playground.models import get_model
from playground.units import GiB

NEW_MODELS = {  # id: (official total, official active), as published (see each entry's official_source)
    "llama-3.3-70b": (70.6e9, 70.6e9),  # Llama 3.3 model card / safetensors index
    "llama-2-70b": (69.0e9, 69.0e9),  # Llama 2 paper; 68.98B in the safetensors index
    "llama-3.2-1b": (1.23e9, 1.23e9),  # Llama 3.2 model card
    "llama-3.2-3b": (3.21e9, 3.21e9),  # Llama 3.2 model card
    "qwen3-8b": (8.2e9, 8.2e9),  # Qwen3-8B model card
    "qwen3-32b": (32.8e9, 32.8e9),  # Qwen3-32B model card
    "qwen3-235b-a22b": (235e9, 22e9),  # Qwen3-235B-A22B model card
    "deepseek-r1": (671e9, 37e9),  # DeepSeek-R1 model card
    "mixtral-8x22b": (141e9, 39e9),  # Mistral AI announcement
}


def _cli(*args):
    out = subprocess.run([sys.executable, "-m", "playground", *args, "--json"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.parametrize("model_id", sorted(NEW_MODELS))
def test_new_models_match_their_official_counts(model_id):
    """Parameters computed from each config.json land within 0.5% (total) and 2% (active) of the published count."""
    model = get_model(model_id)
    total, active = NEW_MODELS[model_id]
    assert (model.official_params_total, model.official_params_active) == (total, active)
    p = param_breakdown(model.arch)
    assert p.total == pytest.approx(total, rel=0.005)
    assert p.active == pytest.approx(active, rel=0.02)
    assert model.source.startswith("https://huggingface.co/") and model.official_source


def test_release_precisions():
    """gpt-oss ships MXFP4 experts and DeepSeek block FP8 (their config.json quantization_config); Llama BF16."""
    assert get_model("gpt-oss-120b").release_precision == "mxfp4"
    assert get_model("deepseek-r1").release_precision == "fp8"
    assert get_model("llama-3.3-70b").release_precision == "bf16"
    ids = {m["id"]: m for m in _cli("models")}
    assert set(NEW_MODELS) <= set(ids) and ids["gpt-oss-20b"]["release_precision"] == "mxfp4"


def test_blackwell_ultra_dense_figures():
    """B300 = HGX B300 / 8: FP4 108 PF dense -> 13.5 PF; GB300 = NVL72 / 72: FP4 1,080 PF -> 15 PF, FP8 5, BF16 2.5."""
    b300, gb300 = get_gpu("b300"), get_gpu("gb300")
    assert (b300.fp4_flops, b300.fp8_flops, b300.bf16_flops) == (13.5e15, 4.5e15, 2.25e15)
    assert (gb300.fp4_flops, gb300.fp8_flops, gb300.bf16_flops) == (15e15, 5e15, 2.5e15)
    assert b300.memory_gib == gb300.memory_gib == 288 and b300.bandwidth_bytes_per_s == 8e12
    assert gb300.gpus_per_node == 72


def test_hopper_variants_and_consumer_blackwell():
    """GH200 96 GB at 4 TB/s with H100 compute; H20 148/296 TFLOPS (unverified); RTX 5090 32 GB at 1.792 TB/s."""
    gh200, h20, h800 = get_gpu("gh200"), get_gpu("h20"), get_gpu("h800")
    assert (gh200.memory_gib, gh200.bandwidth_bytes_per_s, gh200.bf16_flops) == (96, 4e12, 989e12)
    assert (h20.memory_gib, h20.bf16_flops, h20.fp8_flops) == (96, 148e12, 296e12)
    assert {"bf16_flops", "fp8_flops"} <= set(h20.unverified_fields)
    assert h800.interconnect_bytes_per_s == 400e9 and h800.fp8_flops == get_gpu("h100-sxm").fp8_flops
    rtx = get_gpu("rtx-5090")
    assert (rtx.memory_gib, rtx.bandwidth_bytes_per_s, rtx.fp4_flops) == (32, 1.792e12, 1676e12)
    assert not rtx.datacenter and "fp4_flops" in rtx.unverified_fields


@pytest.mark.parametrize(
    "gpu_id, gib",
    [
        ("h100-sxm", 79.22),  # vLLM log total_gpu_memory (vllm PR #12126)
        ("a100-80gb", 79.15),  # PyTorch OOM message on an A100 80GB
        ("a100-40gb", 39.39),  # PyTorch OOM messages on A100 40GB
        ("h200-sxm", 139.81),  # PyTorch OOM message on H200
        ("b200", 178.35),  # PyTorch OOM messages on B200
        ("l40s", 44.52),  # torch total_memory=45589MB on an L40S
        ("l4", 22.05),  # PyTorch OOM in vLLM's L4 CI
        ("rtx-4090", 23.52),  # PyTorch OOM on an RTX 4090
        ("rtx-3090", 23.58),  # vLLM log total_gpu_memory (vllm issue #10517)
        ("rtx-5090", 33_677_180_928 / GiB),  # deviceQuery total global memory
    ],
)
def test_usable_memory_is_what_pytorch_reports(gpu_id, gib):
    """Measured cards carry the total PyTorch reports, with its source; no unverified flag."""
    gpu = get_gpu(gpu_id)
    assert gpu.usable_memory_bytes == pytest.approx(gib * GiB, abs=1e-6 * GiB)
    assert "usable_memory_gib" not in gpu.unverified_fields and gpu.usable_memory_source


def test_every_gpu_names_its_usable_memory_source():
    """Each card has a usable memory at or below nominal; the unverified ones say which rule produced it."""
    for gpu in GPUS:
        assert 0.9 * gpu.memory_bytes < gpu.usable_memory_bytes <= gpu.memory_bytes, gpu.id
        assert gpu.usable_memory_source, gpu.id
        if "usable_memory_gib" in gpu.unverified_fields:
            assert gpu.usable_memory_source.startswith("unverified:"), gpu.id
    data = {g["id"]: g for g in _cli("gpus")}
    assert data["l40s"]["usable_memory_gib"] == 44.52 and "L40S" in data["l40s"]["usable_memory_source"]


def test_gddr_ecc_cards_report_far_less_than_their_gb():
    """An L40S '48 GB' (GDDR6, ECC) holds 44.52 GiB: ECC's 1/16 plus the driver's share, not 99% of nominal."""
    l40s = get_gpu("l40s")
    assert l40s.usable_memory_bytes / l40s.memory_bytes < 15 / 16


# vLLM log, Llama-3.1-8B-Instruct BF16 on 1x L40S, gpu_memory_utilization 0.90 (vllm PR #17122, April 2025,
# V1 engine): weights 14.99 GiB, KV cache 158,656 tokens (shared/reference/README.md).
L40S_LOG_TOKENS = 158_656


def test_l40s_capacity_against_the_vllm_log():
    """Usable memory from PyTorch cut the L40S error from +30% (99% of nominal) to +16%; pinned at that bound."""
    c = capacity("llama-3.1-8b", "l40s", 1, "bf16")
    error = c.kv_tokens / L40S_LOG_TOKENS - 1
    # The rest is engine overhead, not memory: that V1 build kept 5.7 GiB besides weights and KV
    # (0.9 x 44.52 - 14.99 - 19.37), our vLLM overhead model 2.6 GiB (overhead.py).
    assert 0 < error < 0.17, f"{error:+.1%}"


@pytest.mark.xfail(strict=True, reason="issue 14 item 6 target: needs the V1 profiler's overhead, not memory")
def test_l40s_capacity_within_ten_percent():
    """The issue's target: within 10% of the 158,656-token log (fails today at +16%)."""
    c = capacity("llama-3.1-8b", "l40s", 1, "bf16")
    assert abs(c.kv_tokens / L40S_LOG_TOKENS - 1) <= 0.10
