"""VRAM estimates: the parts, their sum, input validation, and properties over random inputs."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.errors import InputError
from playground.models import MODELS
from playground.precision import PRECISIONS
from playground.units import GiB
from playground.vram import estimate

MODEL_IDS = [m.id for m in MODELS]
PRECISION_IDS = [p.id for p in PRECISIONS]


def test_llama_70b_bf16_weights():
    """70.55B parameters x 16 bits = 141.1 GB of weights (the '70B needs 140 GB' rule of thumb)."""
    e = estimate("llama-3.1-70b", "bf16", 1, 8192)
    assert e.weights_bytes == pytest.approx(141.1e9, rel=0.001)


def test_kv_cache_is_users_times_context_times_per_token():
    """Llama 3.1 8B: 32 users x 8k tokens x 128 KiB = 32 GiB of 16-bit KV."""
    e = estimate("llama-3.1-8b", "bf16", 32, 8192)
    assert e.kv_cache_bytes == 32 * GiB


def test_total_is_exactly_the_sum_of_parts():
    """total_bytes = weights + KV + overhead, with and without a GPU."""
    for gpu in (None, "h100-sxm", "mi300x"):
        e = estimate("glm-5", "fp8", 8, 16384, gpu=gpu)
        assert e.total_bytes == e.weights_bytes + e.kv_cache_bytes + e.state_bytes + e.overhead_bytes


def test_overhead_parts_and_reserve():
    """On 2 H100s: per GPU 1.79 GiB non-torch + 1.79 NCCL + activations + 0.5 graphs + 10% of 79.22 GiB."""
    e = estimate("llama-3.1-8b", "bf16", 1, 1024, gpu="h100-sxm", gpus=2)
    o = e.overhead
    assert (o.non_torch_bytes, o.nccl_bytes, o.cuda_graph_bytes) == (1.79 * GiB, 1.79 * GiB, 0.5 * GiB)
    assert o.reserve_bytes == pytest.approx(0.1 * 79.22 * GiB, rel=1e-3)
    assert o.total_bytes == pytest.approx(
        2 * (o.non_torch_bytes + o.nccl_bytes + o.activation_bytes + o.cuda_graph_bytes + o.reserve_bytes)
    )


def test_activation_calibration_reproduces_the_vllm_log():
    """One GPU, 8192 batched tokens, Llama 3 8B shape: the 1.26 GiB activation peak of the vLLM log."""
    e = estimate("llama-3.1-8b", "bf16", 1, 1)
    assert e.overhead.activation_bytes / GiB == pytest.approx(1.26, rel=1e-9)


def test_batched_tokens_default_follows_vllm_serve():
    """`vllm serve` profiles 8192 tokens on >= 70 GiB GPUs but 2048 on smaller ones and on A100s."""
    big = estimate("llama-3.1-8b", "bf16", 1, 1, gpu="h100-sxm", gpus=1).overhead.activation_bytes
    small = estimate("llama-3.1-8b", "bf16", 1, 1, gpu="l4", gpus=1).overhead.activation_bytes
    a100 = estimate("llama-3.1-8b", "bf16", 1, 1, gpu="a100-80gb", gpus=1).overhead.activation_bytes
    assert big == pytest.approx(4 * small) and a100 == small
    assert (
        estimate("llama-3.1-8b", "bf16", 1, 1, gpu="l4", gpus=1, max_batched_tokens=8192).overhead.activation_bytes
        == big
    )


def test_default_kv_precision():
    """KV defaults to 16 bits, except FP32 weights keep an FP32 cache; an explicit choice wins."""
    assert estimate("llama-3.1-8b", "int4", 1, 100).kv_precision == "bf16"
    assert estimate("llama-3.1-8b", "fp32", 1, 100).kv_bits == 32
    assert estimate("llama-3.1-8b", "fp32", 1, 100, kv_precision="fp8").kv_bits == 8


def test_int4_counts_group_scales():
    """INT4 with an FP16 scale and 4-bit zero point per 128 weights stores 4.156 bits per weight."""
    e = estimate("llama-3.1-8b", "int4", 1, 100)
    assert e.weights_bytes == pytest.approx(e.params_total * 4.15625 / 8)


def test_terms_render_the_weights_formula():
    """The weights Term shows its formula and the plugged numbers."""
    e = estimate("llama-3.1-70b", "bf16", 1, 8192)
    weights = next(t for t in e.terms if t.name == "weights_bytes")
    assert weights.plugged() == "W = 70.6B × 16 / 8 = 141 GB"


def test_context_beyond_trained_length_warns():
    """Llama 2 was trained to 4096 tokens: asking for 8192 is allowed but flagged."""
    assert "4,096" in estimate("llama-2-7b", "bf16", 1, 8192).warnings[0]
    assert estimate("llama-2-7b", "bf16", 1, 4096).warnings == ()


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"users": 0}, "users"),
        ({"users": -3}, "users"),
        ({"users": 1.5}, "users"),
        ({"users": "many"}, "users"),
        ({"users": 10**7 + 1}, "users"),
        ({"context_tokens": 0}, "context"),
        ({"context_tokens": 10**8}, "context"),
        ({"context_tokens": float("nan")}, "context"),
        ({"precision": "int3"}, "precision"),
        ({"kv_precision": "int4"}, "kv_precision"),
        ({"model_or_arch": "gpt-5"}, "model"),
        ({"gpu": "h100"}, "gpu"),
    ],
)
def test_bad_input_names_the_field(kwargs, field):
    """Each bad input raises an InputError with a one-line message and the offending field."""
    args = {"model_or_arch": "llama-3.1-8b", "precision": "bf16", "users": 1, "context_tokens": 1024, **kwargs}
    with pytest.raises(InputError) as err:
        estimate(**args)
    assert err.value.field == field and "\n" not in str(err.value)


users_st = st.integers(1, 10**7)
context_st = st.integers(1, 10**7)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(MODEL_IDS), st.sampled_from(PRECISION_IDS), users_st, users_st, context_st)
def test_monotonic_in_users(model_id, precision, users_a, users_b, context):
    """More users never need less memory."""
    low, high = sorted((users_a, users_b))
    assert (
        estimate(model_id, precision, low, context).total_bytes
        <= estimate(model_id, precision, high, context).total_bytes
    )


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(MODEL_IDS), st.sampled_from(PRECISION_IDS), users_st, context_st, context_st)
def test_monotonic_in_context(model_id, precision, users, context_a, context_b):
    """Longer contexts never need less memory (window layers stop growing but never shrink)."""
    low, high = sorted((context_a, context_b))
    a = estimate(model_id, precision, users, low).kv_cache_bytes
    b = estimate(model_id, precision, users, high).kv_cache_bytes
    assert a <= b * (1 + 1e-12)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(MODEL_IDS), users_st, context_st)
def test_monotonic_in_bits(model_id, users, context):
    """Fewer weight bits never need more memory: fp32 >= bf16 >= fp8 >= int4."""
    totals = [
        estimate(model_id, p, users, context, kv_precision="bf16").weights_bytes
        for p in ("fp32", "bf16", "fp8", "int4")
    ]
    assert totals == sorted(totals, reverse=True)


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(MODEL_IDS),
    st.sampled_from(PRECISION_IDS),
    users_st,
    context_st,
    st.sampled_from([None, "h100-sxm", "l4", "gb200", "mi355x"]),
)
def test_sum_of_parts_and_finite(model_id, precision, users, context, gpu):
    """Any valid input gives finite, non-negative parts that add up exactly to the total."""
    e = estimate(model_id, precision, users, context, gpu=gpu)
    parts = (e.weights_bytes, e.kv_cache_bytes, e.state_bytes, e.overhead_bytes, e.total_bytes)
    assert all(math.isfinite(p) and p >= 0 for p in parts)
    assert e.total_bytes == e.weights_bytes + e.kv_cache_bytes + e.state_bytes + e.overhead_bytes
    assert all(math.isfinite(t.value) for t in e.terms)
