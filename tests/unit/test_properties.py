"""Engine-wide properties (hypothesis): parts add up, MoE active <= total, finite numbers, one error type."""

import math

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from playground.architecture import kv_bytes_per_token, param_breakdown
from playground.capacity import capacity
from playground.errors import InputError
from playground.gpus import GPUS
from playground.hf_config import from_config
from playground.models import MODELS
from playground.recommend import plan

MODEL_IDS = [m.id for m in MODELS]
GPU_IDS = [g.id for g in GPUS]
PRECISIONS = ["fp32", "bf16", "fp16", "fp8", "int8", "int4"]


@st.composite
def dense_configs(draw):
    """A llama-shaped config.json with random but plausible sizes."""
    heads = draw(st.sampled_from([8, 16, 32, 64]))
    return {
        "model_type": "llama",
        "num_hidden_layers": draw(st.integers(1, 128)),
        "hidden_size": heads * draw(st.sampled_from([64, 128])),
        "num_attention_heads": heads,
        "num_key_value_heads": draw(st.sampled_from([h for h in (1, 2, 4, 8, heads) if heads % h == 0])),
        "intermediate_size": draw(st.integers(256, 60_000)),
        "vocab_size": draw(st.integers(1000, 300_000)),
        "tie_word_embeddings": draw(st.booleans()),
    }


@st.composite
def moe_configs(draw):
    """A DeepSeek-V3-shaped (MLA + routed and shared experts) config.json with random sizes."""
    experts = draw(st.integers(2, 256))
    layers = draw(st.integers(2, 64))
    return {
        "model_type": "deepseek_v3",
        "num_hidden_layers": layers,
        "hidden_size": draw(st.sampled_from([1024, 7168])),
        "num_attention_heads": draw(st.sampled_from([16, 128])),
        "num_key_value_heads": 16,
        "intermediate_size": draw(st.integers(1024, 20_000)),
        "vocab_size": draw(st.integers(1000, 200_000)),
        "n_routed_experts": experts,
        "num_experts_per_tok": draw(st.integers(1, min(8, experts))),
        "n_shared_experts": draw(st.integers(0, 2)),
        "moe_intermediate_size": draw(st.integers(128, 4096)),
        "first_k_dense_replace": draw(st.integers(0, layers - 1)),
        "moe_layer_freq": 1,
        "q_lora_rank": 1536,
        "kv_lora_rank": 512,
        "qk_nope_head_dim": 128,
        "qk_rope_head_dim": 64,
        "v_head_dim": 128,
    }


@settings(max_examples=60, deadline=None)
@given(st.one_of(dense_configs(), moe_configs()))
def test_any_config_gives_finite_parts_that_add_up(config):
    """Random dense and MoE shapes: finite positive counts, active <= total, parts summing to the total."""
    arch = from_config(config)
    p = param_breakdown(arch)
    parts = (
        p.embedding
        + p.attention
        + p.indexer
        + p.dense_mlp
        + p.routed_experts
        + p.shared_experts
        + p.router
        + p.norms
        + p.lm_head
    )
    assert 0 < p.active <= p.total
    assert parts == p.total or math.isclose(parts, p.total, rel_tol=1e-9)
    assert math.isfinite(kv_bytes_per_token(arch, 16)) and kv_bytes_per_token(arch, 16) > 0


def test_catalog_moe_active_below_total():
    """Every catalog MoE computes less per token than it stores; every dense model computes all of it."""
    for m in MODELS:
        p = param_breakdown(m.arch)
        assert (p.active < p.total) == m.arch.is_moe, m.id


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(MODEL_IDS),
    st.sampled_from(PRECISIONS),
    st.integers(1, 10**6),
    st.integers(1, 10**6),
    st.sampled_from([None, *GPU_IDS]),
)
def test_plan_parts_add_up_and_fit(model_id, precision, users, context, gpu):
    """A plan's total is its parts; when it fits, each GPU's need is within its budget."""
    try:
        sized = plan(model_id, precision, users, context, gpu=gpu)
    except InputError as exc:  # a load needing over a million GPUs is refused, saying what to change
        assert exc.field == "users" and "reduce the users or the context" in str(exc)
        return
    est, rec = sized.estimate, sized.recommendation
    assert est.total_bytes == est.weights_bytes + est.kv_cache_bytes + est.state_bytes + est.overhead_bytes
    assert all(math.isfinite(v) and v >= 0 for v in (est.weights_bytes, est.kv_cache_bytes, est.overhead_bytes))
    if rec.fits:
        assert rec.need_per_gpu_bytes <= rec.budget_per_gpu_bytes * (1 + 1e-12)
        assert rec.gpu_count >= 1 and rec.nodes >= 1


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(MODEL_IDS),
    st.sampled_from(GPU_IDS),
    st.integers(1, 64),
    st.sampled_from(PRECISIONS),
    st.integers(1, 10**6),
)
def test_capacity_shares_add_up(model_id, gpu, gpus, precision, context):
    """Per-GPU weight shares add up to the weights; pools, tokens and users are never negative."""
    cap = capacity(model_id, gpu, gpus, precision, context_tokens=context)
    assert math.isclose(cap.weights_per_gpu_bytes * cap.gpus, cap.weights_bytes, rel_tol=1e-12)
    assert cap.kv_pool_bytes >= 0 and cap.kv_tokens >= 0 and cap.max_users >= 0 and cap.max_context >= 0
    assert cap.fits == (cap.kv_pool_per_gpu_bytes > 0)


@settings(max_examples=80, deadline=None)
@given(
    st.one_of(st.text(max_size=12), st.floats(allow_nan=True, allow_infinity=True), st.integers(-(10**20), 10**20)),
    st.sampled_from(["users", "context"]),
)
def test_any_bad_number_is_one_error_type(value, field):
    """Whatever is typed into users or context, the engine answers or raises InputError naming that field."""
    kwargs = {"users": 4, "context": 4096, field: value}
    try:
        plan("llama-3.1-8b", "bf16", kwargs["users"], kwargs["context"])
    except InputError as exc:
        assert exc.field == field and str(exc)
    else:
        assume(True)
