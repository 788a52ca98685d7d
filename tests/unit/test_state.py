"""Fixed per-sequence state in VRAM, the GPU recommendation, capacity and the CLI's JSON."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from playground.capacity import capacity
from playground.hf_config import load_config_text
from playground.state import state_bytes_per_sequence
from playground.vram import estimate

ROOT = Path(__file__).resolve().parents[2]
QWEN3_NEXT = Path(__file__).parent / "configs" / "qwen3-next-80b-a3b-thinking.json"


def _vram_json(*args):
    result = subprocess.run(
        [sys.executable, "-m", "playground", "vram", *args, "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_vram_adds_users_times_state():
    """Qwen3-Next: total = weights + KV + users x 39.5 MB of DeltaNet state + overhead, at any context."""
    short = estimate("qwen3-next-80b-a3b", "bf16", 32, 1024)
    long = estimate("qwen3-next-80b-a3b", "bf16", 32, 131072)
    for e in (short, long):
        assert e.state_bytes == 32 * e.state_bytes_per_sequence == 32 * 39_518_208
        assert e.total_bytes == e.weights_bytes + e.kv_cache_bytes + e.state_bytes + e.overhead_bytes
    assert any(t.formula.name == "state_bytes_per_sequence" for t in short.terms)


def test_vram_json_reports_state_and_zero_for_attention_models():
    """`vram --json` has state_bytes_per_sequence: 0 for Llama, the DeltaNet state for a pasted Qwen3-Next."""
    llama = _vram_json("--model", "llama-3.1-8b", "--precision", "bf16", "--users", "4", "--context", "4096")
    assert llama["state_bytes_per_sequence"] == 0 and llama["state_bytes"] == 0
    pasted = _vram_json("--config", str(QWEN3_NEXT), "--precision", "bf16", "--users", "4", "--context", "4096")
    assert pasted["state_bytes_per_sequence"] == 39_518_208
    assert pasted["total_bytes"] == pytest.approx(
        pasted["weights_bytes"] + pasted["kv_cache_bytes"] + pasted["state_bytes"] + pasted["overhead_bytes"]
    )


def test_recommendation_counts_the_state():
    """Each GPU's need includes its share of the users' state (split across GPUs, never replicated)."""
    e = estimate("qwen3-next-80b-a3b", "bf16", 256, 1024, gpu="h100-sxm")
    from playground.recommend import fit_gpu

    fit = fit_gpu(e, e.gpu)
    need = [t for t in fit.terms if t.formula.name == "need_bytes"][0]
    assert dict(need.values)["state_bytes"] == e.state_bytes


def test_capacity_sets_state_aside_per_user():
    """max_users = floor(pool / (C x K_t x rho + S)); kv_tokens count what is left after the users' state."""
    c = capacity("qwen3-next-80b-a3b", "h100-sxm", 4, "bf16", context_tokens=8192, users=16)
    s = state_bytes_per_sequence(load_config_text(QWEN3_NEXT.read_text()))
    rho = c.layout.kv_replication
    assert c.state_bytes_per_sequence == s
    assert c.max_users == int(c.kv_pool_bytes // (8192 * c.kv_bytes_per_token * rho + s))
    assert c.kv_tokens == int((c.kv_pool_bytes - 16 * s) // (c.kv_bytes_per_token * rho))
    # the context per user is limited by what the state leaves
    assert c.max_context <= (c.kv_pool_bytes / 16 - s) / (c.kv_bytes_per_token * rho) + 1


def test_capacity_unchanged_for_attention_models():
    """A pure-attention model keeps the plain formulas: no state term, state 0."""
    c = capacity("llama-3.1-8b", "h100-sxm", 1, "bf16", context_tokens=8192)
    assert c.state_bytes_per_sequence == 0
    assert not any(t.formula.name == "kv_left_bytes" for t in c.terms)


def test_parallel_split_counts_the_replica_state():
    """A TP-8 split of Qwen3-Next holds its users' state split over the 8 GPUs, beside weights, KV and engine."""
    from playground.splits import evaluate, setup

    s = setup("qwen3-next-80b-a3b", 8, users=64)
    split = evaluate(s, "tp", "TP", 8, 1, 1)
    kv = 64 * s.context_tokens * s.kv_bytes_per_token * 4  # 2 KV heads over TP 8: each head on 4 GPUs
    expected = (s.weights.value + kv + 64 * 39_518_208) / 8 + split.overhead_per_gpu_bytes
    assert split.per_gpu_bytes == pytest.approx(expected)
    assert any(t.formula.name == "state_bytes" for t in split.terms)


def test_capacity_json_has_the_state():
    """`capacity --json` reports state_bytes_per_sequence (the Qwen3-Next DeltaNet state for a pasted config)."""
    result = subprocess.run(
        [sys.executable, "-m", "playground", "capacity", "--config", str(QWEN3_NEXT), "--gpu", "h100-sxm"]
        + ["--gpus", "4", "--precision", "bf16", "--context", "8192", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["state_bytes_per_sequence"] == 39_518_208


def test_moe_comparison_memory_includes_the_state():
    """The MoE section's memory for Qwen3-Next adds the batch's DeltaNet state to weights and KV."""
    from playground.moe import compare

    side = compare(moe_id="qwen3-next-80b-a3b", batch=32).moe
    kv_term = [t for t in side.terms if t.formula.name == "kv_read_bytes" and dict(t.values)["batch"] == 32][0]
    assert side.memory_needed_bytes == side.weights_bytes + kv_term.value + 32 * 39_518_208
