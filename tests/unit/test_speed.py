"""The step-time model: every term, the fast path against the shown formulas, and physical limits."""

import math
import random

import pytest

from playground.errors import InputError
from playground.gpus import get_gpu
from playground.models import get_model
from playground.performance import efficiency_from, performance, plan
from playground.precision import get_precision
from playground.speed import (
    Efficiency,
    attention_flops_per_token,
    custom,
    ideal,
    step_terms,
    step_time_s,
    step_work,
)

L70 = get_model("llama-3.1-70b").arch
H100 = get_gpu("h100-sxm")
FP8 = get_precision("fp8")
# round numbers so each term can be checked by hand
E = Efficiency("test", 0.5, 1e6, 0.0, 0.5, 0.25, 0.25, 0.5, 1e-5, 1e-3, 2.0)


def _work(**kw):
    args = {"decode_seqs": 64, "decode_context_tokens": 2000, "prefill_tokens": 256, "prefill_context_tokens": 500}
    args.update(kw)
    return step_work(L70, H100, 8, "fp8", 8, tp=kw.pop("tp", 1), **{k: v for k, v in args.items() if k != "tp"})


def test_fast_path_equals_shown_formulas():
    """step_time_s and the last Term of step_terms are the same number for many layouts."""
    for tp, pp, decode, prefill in [(1, 1, 1, 0), (8, 1, 512, 4096), (4, 2, 33, 100), (2, 1, 0, 8192)]:
        w = step_work(L70, H100, 8, "fp8", 8, decode, 1500, prefill, 700, tp, pp)
        for eff in (E, ideal(), custom(0.6), efficiency_from("calibrated")):
            assert step_terms(w, eff)[-1].value == pytest.approx(step_time_s(w, eff), rel=1e-12)


def test_weights_term_is_bytes_over_achieved_bandwidth():
    """Streaming the weights: W / (η_bw × BW × m / (m + m½)) with W = weights read per GPU."""
    w = _work(prefill_tokens=0, decode_seqs=1)
    terms = {t.name: t for t in step_terms(w, E)}
    m = w.weights_bytes / w.layers
    achieved = 0.5 * 3.35e12 * m / (m + 1e6)
    assert terms["achieved_bandwidth"].value == pytest.approx(achieved)
    assert terms["weights_time_s"].value == pytest.approx(w.weights_bytes / achieved)
    # Llama 3.1 70B in FP8 without the input embedding: about 69.5 GB read per step at batch 1
    assert w.weights_bytes == pytest.approx(69.5e9, rel=0.01)


def test_linear_flops_are_two_per_weight_per_token():
    """Decode tokens run every active weight, prompt tokens skip the output head."""
    from playground.architecture import param_breakdown

    p = param_breakdown(L70)
    w = _work(decode_seqs=10, prefill_tokens=100)
    assert w.linear_flops == pytest.approx(2 * (p.active_compute * 10 + (p.active_compute - p.lm_head) * 100))
    compute = {t.name: t for t in step_terms(w, E)}["linear_compute_s"]
    assert w.expert_flops == 0 and w.rows == 110
    assert compute.value == pytest.approx(w.linear_flops / (0.25 * 1979e12))


def test_experts_see_few_rows_so_their_flops_run_below_peak():
    """A routed expert multiplies tokens x k / E rows; with n½ fitted, fewer rows mean a lower FLOP/s share."""
    import dataclasses

    mixtral = get_model("mixtral-8x7b").arch  # 8 experts, top-2
    w = step_work(mixtral, H100, 8, "fp8", 8, 64, 1000, 960, 500)
    assert w.rows == 1024 and w.expert_rows == pytest.approx(1024 * 2 / 8)  # every expert touched
    one = step_work(mixtral, H100, 8, "fp8", 8, 1, 1000, 0, 0)
    assert one.expert_rows == pytest.approx(1.0)  # one token: each of its 2 experts sees one row
    slow = dataclasses.replace(E, half_rows=256.0)
    expected = (w.linear_flops * (1024 + 256) / 1024 + w.expert_flops * (256 + 256) / 256) / (0.25 * 1979e12)
    assert {t.name: t for t in step_terms(w, slow)}["linear_compute_s"].value == pytest.approx(expected)


def test_attention_flops_grow_with_context_and_stop_at_the_window():
    """Scores and values: 2 × layers × heads × (qk + v) × context; window layers stop at the window."""
    assert attention_flops_per_token(L70, 1000) == pytest.approx(2 * 80 * 64 * 256 * 1000)
    mistral = get_model("mistral-7b").arch  # every layer has a 4,096-token window
    assert attention_flops_per_token(mistral, 100_000) == attention_flops_per_token(mistral, 4096)


def test_kv_read_scales_with_batch_and_context():
    """Decode reads each sequence's KV cache once per step: batch x context x bytes per token (FP8: 160 KiB)."""
    w = _work(prefill_tokens=0, decode_seqs=10, decode_context_tokens=1000)
    assert w.kv_bytes == pytest.approx(10 * 1000 * 80 * 2 * 8 * 128)


def test_allreduce_two_per_layer_only_under_tensor_parallelism():
    """TP=1 has no all-reduce; TP=8 has 160 for 80 layers, each ring moving 2(t-1)/t of the message."""
    assert _work().allreduces == 0
    w = _work(tp=8)
    assert w.allreduces == 160
    term = {t.name: t for t in step_terms(w, E)}["allreduce_time_s"]
    message = (64 + 256) * 8192 * 2
    assert term.value == pytest.approx(160 * (1e-5 + 2 * 7 / 8 * message / (0.5 * 450e9)))


def test_pipeline_and_expert_parallel_messages():
    """PP adds one hand-off per stage step; EP adds two all-to-alls per MoE layer."""
    w = step_work(L70, H100, 8, "fp8", 8, 32, 1000, 0, 0, 1, 2)
    assert w.handoffs == 1 and w.layers == 40
    mixtral = get_model("mixtral-8x7b").arch
    w = step_work(mixtral, H100, 8, "fp8", 8, 32, 1000, 0, 0, 2, 1, 2)
    assert w.alltoalls == 64 and w.alltoall_bytes == pytest.approx(32 * 4096 * 2 * 2 / 2)


def test_ideal_is_an_upper_bound_on_speed():
    """No calibrated or custom efficiency is ever faster than the ideal roofline."""
    for tp in (1, 2, 8):
        w = _work(tp=tp)
        assert step_time_s(w, efficiency_from("calibrated")) > step_time_s(w, ideal())
        assert step_time_s(w, custom(0.5)) == pytest.approx(2 * step_time_s(w, ideal()))


def test_more_batch_more_throughput_but_slower_steps():
    """A bigger batch lengthens the step but raises tokens per second (until compute-bound)."""
    eff = efficiency_from("calibrated")
    small, big = _work(decode_seqs=8, prefill_tokens=0), _work(decode_seqs=256, prefill_tokens=0)
    assert step_time_s(big, eff) > step_time_s(small, eff)
    assert 256 / step_time_s(big, eff) > 8 / step_time_s(small, eff)


def test_offline_batch_follows_trtllm_bench_memory_rule():
    """KV pool = 0.95 x (memory - weights/GPU - CUDA context); each request reserves input + output tokens."""
    p = plan("llama-3.1-70b", "h100-sxm", 8, "fp8", 1000, 1000, tp=8)
    from playground.architecture import param_breakdown
    from playground.overhead import NON_TORCH_BYTES

    weights = param_breakdown(L70).total * FP8.bytes_per_weight
    pool = 0.95 * (H100.usable_memory_bytes - weights / 8 - NON_TORCH_BYTES)
    assert {t.name: t for t in p.terms}["kv_pool_per_gpu_bytes"].value == pytest.approx(pool)
    expected = math.floor(8 * pool / (2000 * 80 * 2 * 8 * 128 * 1))
    assert p.max_seqs == expected and p.batch == min(expected, 4096)


def test_bad_layouts_are_refused_with_the_field():
    """Impossible layouts raise InputError naming the field; a model that does not fit says so."""
    cases = [
        ({"gpus": 3, "tp": 2}, "gpus"),
        ({"gpus": 8, "tp": 3}, "tp"),
        ({"gpus": 8, "tp": 8, "ep": 2}, "ep"),
        ({"gpus": 1, "tp": 1}, "gpus"),  # 70B in BF16 does not fit one H100
    ]
    for layout, field in cases:
        with pytest.raises(InputError) as err:
            performance("llama-3.1-70b", "h100-sxm", precision="bf16", input_tokens=100, output_tokens=100, **layout)
        assert err.value.field == field
    with pytest.raises(InputError):
        efficiency_from("fast")


def test_hybrid_models_read_their_fixed_state_every_step():
    """Qwen3-Next's linear-attention layers add 2 x state bytes per decoding sequence (read and write)."""
    from playground.state import state_bytes_per_sequence

    arch = get_model("qwen3-next-80b-a3b").arch
    state = state_bytes_per_sequence(arch)
    assert state > 0
    short = step_work(arch, H100, 8, "fp8", 16, 10, 1, 0, 0)
    long = step_work(arch, H100, 8, "fp8", 16, 10, 1001, 0, 0)
    kv_per_token = (long.kv_bytes - short.kv_bytes) / (10 * 1000)
    assert short.kv_bytes == pytest.approx(10 * (kv_per_token + 2 * state), rel=1e-6)


@pytest.mark.parametrize("model", ["llama-3.1-70b", "gemma-3-27b", "deepseek-v3", "gpt-oss-120b", "qwen3-next-80b-a3b"])
def test_simulator_step_function_is_step_time_bit_for_bit(model):
    """Replica.step_time_fn, the simulator's fused path, returns exactly step_time_s(work(...)): same arithmetic."""
    from playground.speed import Replica

    rng = random.Random(model)
    arch = get_model(model).arch
    for tp, pp, ep in [(1, 1, 1), (8, 1, 1), (4, 2, 1), (2, 1, 4)]:
        for eff in (E, ideal(), custom(0.6), efficiency_from("calibrated")):
            replica = Replica(arch, H100, FP8.effective_bits, FP8.compute, 8, tp, pp, ep, FP8)
            step = replica.step_time_fn(eff)
            for _ in range(25):
                d, p = rng.choice([0, 1, 7, 256, 1024]), rng.choice([0, 1, 100, 8192])
                c, pc = rng.choice([0, 1, 4097, 130_000]), rng.choice([0, 3, 5000])
                if d + p:
                    assert step(d, c, p, pc) == step_time_s(replica.work(d, c, p, pc), eff)
    with pytest.raises(InputError):
        step(0, 10, 0, 0)


def test_attention_flops_without_terms_equal_the_breakdown():
    """flops.attention_and_state_flops (the simulator's path) is flops_per_token's attention + state, exactly."""
    from playground.flops import attention_and_state_flops, flops_per_token
    from playground.models import MODELS

    for m in MODELS:
        for context in (0, 1, 4096, 4097, 131_072, 10**6):
            f = flops_per_token(m.arch, context)
            assert attention_and_state_flops(m.arch, context) == f.attention_flops + f.state_flops
