"""Parameter counts and KV bytes computed from model shapes, pinned to published figures."""

import pytest

from playground.architecture import kv_breakdown, kv_bytes_per_token, param_breakdown
from playground.models import DEFAULT_MODEL_IDS, MODELS, get_model
from playground.units import GiB

# Published totals: the table in shared/reference/README.md and each model card (Model.official_source).
TOTALS = {
    "llama-2-7b": 6.74e9,
    "llama-2-13b": 13.0e9,
    "llama-3.1-8b": 8.03e9,
    "llama-3.1-70b": 70.6e9,
    "llama-3.1-405b": 405e9,
    "mistral-7b": 7.24e9,
    "mixtral-8x7b": 46.7e9,
    "gpt-oss-120b": 116.83e9,
    "deepseek-v3": 671e9,
    "glm-5": 744e9,
    "gpt-oss-20b": 20.91e9,
    "qwen2.5-7b": 7.61e9,
    "qwen3-30b-a3b": 30.5e9,
    # the FP4-era additions (issue 15); their sources: tests/unit/test_catalog_2025.py
    "llama-3.3-70b": 70.6e9,
    "llama-2-70b": 69.0e9,
    "llama-3.2-1b": 1.23e9,
    "llama-3.2-3b": 3.21e9,
    "qwen3-8b": 8.2e9,
    "qwen3-32b": 32.8e9,
    "qwen3-235b-a22b": 235e9,
    "deepseek-r1": 671e9,
    "mixtral-8x22b": 141e9,
}
# Issue 16's entries (more tests in test_hf_families.py). Llama 4 Scout is pinned there: Meta's 109B
# includes the vision encoder, which we do not size.
TOTALS |= {"llama-4-maverick": 400e9, "gemma-3-27b": 27.016e9, "qwen3-next-80b-a3b": 80e9}
LANGUAGE_MODEL_ONLY = {"llama-4-scout"}


def _rounds_to(value: float, published: float, step: float) -> bool:
    """True if `value` rounds to the published figure at its printed precision (`step` = last digit's unit)."""
    return abs(value - published) <= step / 2


@pytest.mark.parametrize("model_id", sorted(TOTALS))
def test_total_params_match_official_within_half_percent(model_id):
    """Every catalog model's computed total is within 0.5% of its published count (MTP layers excluded)."""
    total = param_breakdown(get_model(model_id).arch).total
    assert total == pytest.approx(TOTALS[model_id], rel=0.005)


def test_every_catalog_model_has_a_pinned_total():
    """No catalog entry escapes the official-count check above."""
    assert {m.id for m in MODELS} == set(TOTALS) | LANGUAGE_MODEL_ONLY


def test_mixtral_active_matches_mistral_including_embeddings():
    """Mistral AI's 12.9B active counts both embedding tables: ours rounds to 12.9B."""
    assert _rounds_to(param_breakdown(get_model("mixtral-8x7b").arch).active, 12.9e9, 0.1e9)


@pytest.mark.parametrize("model_id,published", [("gpt-oss-120b", 5.13e9), ("gpt-oss-20b", 3.61e9)])
def test_gpt_oss_active_matches_openai_without_input_embedding(model_id, published):
    """OpenAI's model card counts the unembedding but not the embedding as active: 5.13B and 3.61B."""
    assert _rounds_to(param_breakdown(get_model(model_id).arch).active_compute, published, 0.01e9)


def test_deepseek_v3_active_rounds_to_37b():
    """The DeepSeek-V3 report's '37B activated' matches our count without the input embedding (36.6B)."""
    assert _rounds_to(param_breakdown(get_model("deepseek-v3").arch).active_compute, 37e9, 1e9)


def test_glm5_active_rounds_to_40b_without_embeddings():
    """GLM-5's README '40B active' matches our count without either embedding table (39.9B); with them it is 41.8B."""
    p = param_breakdown(get_model("glm-5").arch)
    assert _rounds_to(p.active - p.embedding - p.lm_head, 40e9, 1e9)
    assert p.active == pytest.approx(41.8e9, rel=0.001)


def test_qwen3_moe_active_near_3_3b():
    """Qwen's '3.3B activated' is our 3.35B (embeddings included) truncated; allow 2%."""
    assert param_breakdown(get_model("qwen3-30b-a3b").arch).active == pytest.approx(3.3e9, rel=0.02)


def test_dense_models_are_fully_active():
    """For a dense model every parameter is used by every token."""
    p = param_breakdown(get_model("llama-3.1-70b").arch)
    assert p.active == p.total and p.moe_layers == 0 and p.params_per_expert == 0


def test_breakdown_parts_sum_to_total():
    """The total is exactly the sum of the named parts, for every catalog model."""
    for m in MODELS:
        p = param_breakdown(m.arch)
        parts = (
            p.embedding
            + p.attention
            + p.linear_attention
            + p.mamba
            + p.indexer
            + p.dense_mlp
            + p.routed_experts
            + p.shared_experts
            + p.router
            + p.norms
            + p.lm_head
        )
        assert parts == p.total, m.id


def test_moe_layer_counts_follow_first_k_dense_replace():
    """DeepSeek-V3 has 61 - 3 = 58 MoE layers, GLM-5 78 - 3 = 75; Mixtral's 32 layers are all MoE."""
    assert param_breakdown(get_model("deepseek-v3").arch).moe_layers == 58
    assert param_breakdown(get_model("glm-5").arch).moe_layers == 75
    assert param_breakdown(get_model("mixtral-8x7b").arch).moe_layers == 32


def test_one_deepseek_expert_is_three_projections():
    """A DeepSeek-V3 routed expert is gate/up/down of 7168 x 2048: 44.04M parameters."""
    assert param_breakdown(get_model("deepseek-v3").arch).params_per_expert == 3 * 7168 * 2048


# KV bytes per token at 16 bits, by hand: 2 x layers x kv_heads x head_dim x 2 bytes (MLA: layers x latent x 2).
KV_16BIT = {
    "llama-2-7b": 2 * 32 * 32 * 128 * 2,
    "llama-2-13b": 2 * 40 * 40 * 128 * 2,
    "llama-3.1-8b": 2 * 32 * 8 * 128 * 2,
    "llama-3.1-70b": 2 * 80 * 8 * 128 * 2,
    "llama-3.1-405b": 2 * 126 * 8 * 128 * 2,
    "mistral-7b": 2 * 32 * 8 * 128 * 2,
    "mixtral-8x7b": 2 * 32 * 8 * 128 * 2,
    "gpt-oss-120b": 2 * 36 * 8 * 64 * 2,
    "gpt-oss-20b": 2 * 24 * 8 * 64 * 2,
    "qwen2.5-7b": 2 * 28 * 4 * 128 * 2,
    "qwen3-30b-a3b": 2 * 48 * 4 * 128 * 2,
    "deepseek-v3": 61 * (512 + 64) * 2,
    "glm-5": 78 * (512 + 64 + 128) * 2,  # GLM-5 adds its indexer key
}


@pytest.mark.parametrize("model_id", sorted(KV_16BIT))
def test_kv_bytes_per_token_one_token_all_layers(model_id):
    """KV bytes per token at 16 bits, with no window cap, equal the hand-computed shape product."""
    assert kv_bytes_per_token(get_model(model_id).arch, 16) == KV_16BIT[model_id]


@pytest.mark.parametrize("model_id,gib_per_1k", [("llama-3.1-8b", 0.125), ("llama-3.1-70b", 0.313)])
def test_llama_31_blog_kv_figures(model_id, gib_per_1k):
    """Hugging Face's Llama 3.1 post: 0.125 / 0.313 GiB of 16-bit KV per 1k tokens (printed to 3 decimals)."""
    per_1k = kv_bytes_per_token(get_model(model_id).arch, 16) * 1024 / GiB
    assert per_1k == pytest.approx(gib_per_1k, abs=0.001)


def test_llama_31_405b_blog_figure_is_twice_the_config():
    """The same post gives 0.984 GiB per 1k tokens for 405B, exactly twice what its config (126 layers, 8 KV
    heads of 128) stores: 0.492 GiB. We follow the config; the post's figure matches 16 KV heads."""
    per_1k = kv_bytes_per_token(get_model("llama-3.1-405b").arch, 16) * 1024 / GiB
    assert per_1k == pytest.approx(0.492, abs=0.001)
    assert 2 * per_1k == pytest.approx(0.984, abs=0.001)


def test_fp8_kv_halves_the_cache():
    """8-bit KV is half of 16-bit, byte for byte."""
    arch = get_model("llama-3.1-70b").arch
    assert kv_bytes_per_token(arch, 8) * 2 == kv_bytes_per_token(arch, 16)


def test_mistral_window_caps_growth():
    """Mistral 7B's 4096 window: at 8192 tokens the average token costs half a full-attention token."""
    arch = get_model("mistral-7b").arch
    full = kv_bytes_per_token(arch, 16)
    assert kv_bytes_per_token(arch, 16, 4096) == full
    assert kv_bytes_per_token(arch, 16, 8192) == full / 2
    assert kv_bytes_per_token(arch, 16, 8192) * 8192 == kv_bytes_per_token(arch, 16, 100_000) * 100_000


def test_gpt_oss_alternating_window():
    """gpt-oss-120b: 18 full layers grow, 18 window layers stop at 128 tokens."""
    arch = get_model("gpt-oss-120b").arch
    per_layer = 2 * 8 * 64 * 2
    assert arch.num_sliding_layers == 18
    assert kv_bytes_per_token(arch, 16, 131072) * 131072 == per_layer * (18 * 131072 + 18 * 128)


def test_kv_breakdown_shows_indexer_share():
    """GLM-5's breakdown separates the indexer key (78 x 128 x 2 bytes) and renders its formula."""
    kv = kv_breakdown(get_model("glm-5").arch, 16)
    assert kv.indexer_bytes_per_token == 78 * 128 * 2
    assert kv.terms[0].text() == "K_t = L × (r_kv + d_r + d_i) × b / 8"


def test_attention_kinds_and_flags():
    """Attention kind and MoE flag follow the shape."""
    assert get_model("llama-2-7b").arch.attention_kind == "mha"
    assert get_model("llama-3.1-8b").arch.attention_kind == "gqa"
    assert get_model("glm-5").arch.attention_kind == "mla"
    assert get_model("glm-5").arch.is_moe and not get_model("llama-3.1-8b").arch.is_moe
    assert get_model("deepseek-v3").arch.tp_must_divide == 128


def test_default_models_in_seed_order():
    """The five default sizes are 7B, 13B, 70B, 405B and the 745B MoE, flagged in the catalog."""
    assert DEFAULT_MODEL_IDS == ("llama-2-7b", "llama-2-13b", "llama-3.1-70b", "llama-3.1-405b", "glm-5")
    assert {m.id for m in MODELS if m.default} == set(DEFAULT_MODEL_IDS)
