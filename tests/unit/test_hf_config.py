"""Importing pasted Hugging Face config.json files: one fixture per family, and the errors."""

import json
from pathlib import Path

import pytest

from playground.architecture import kv_bytes_per_token, param_breakdown
from playground.errors import InputError
from playground.hf_config import SUPPORTED_MODEL_TYPES, from_config, load_config_text
from playground.models import get_model

CONFIGS = Path(__file__).parent / "configs"


def load(name: str):
    return load_config_text((CONFIGS / name).read_text())


@pytest.mark.parametrize(
    "name,model_id",
    [
        ("llama-3.1-8b.json", "llama-3.1-8b"),
        ("mistral-7b-v0.1.json", "mistral-7b"),
        ("mixtral-8x7b.json", "mixtral-8x7b"),
        ("qwen2.5-7b.json", "qwen2.5-7b"),
        ("qwen3-30b-a3b.json", "qwen3-30b-a3b"),
        ("deepseek-v3.json", "deepseek-v3"),
        ("glm-5.json", "glm-5"),
        ("gpt-oss-20b.json", "gpt-oss-20b"),
    ],
)
def test_pasted_config_sizes_like_the_catalog_entry(name, model_id):
    """A full hub config.json (extra keys and all) gives the same parameters and KV as the catalog shape."""
    arch, catalog = load(name), get_model(model_id).arch
    assert param_breakdown(arch).total == param_breakdown(catalog).total
    assert param_breakdown(arch).active == param_breakdown(catalog).active
    assert kv_bytes_per_token(arch, 16, 50_000) == kv_bytes_per_token(catalog, 16, 50_000)


def test_qwen3_dense_matches_model_card():
    """Qwen3-8B model card: 8.2B parameters, 6.95B without embeddings; QK-norm is recognised."""
    arch = load("qwen3-8b.json")
    p = param_breakdown(arch)
    assert arch.qk_norm
    assert p.total == pytest.approx(8.2e9, abs=0.05e9)
    assert p.total - p.embedding - p.lm_head == pytest.approx(6.95e9, abs=0.005e9)


def test_qwen2_moe_shared_expert_matches_model_card():
    """Qwen1.5-MoE-A2.7B model card: 14.3B total, 2.7B activated (shared expert and its gate counted)."""
    p = param_breakdown(load("qwen1.5-moe-a2.7b.json"))
    assert p.total == pytest.approx(14.3e9, abs=0.05e9)
    assert p.active == pytest.approx(2.7e9, abs=0.05e9)
    assert p.shared_experts == 24 * 3 * 2048 * 5632


def test_kimi_k2_reads_as_deepseek_v3_shape():
    """Kimi K2 (model_type kimi_k2): '1T total, 32B activated' on its card; ours 1.03T and 31.7B without the
    input embedding, each rounding to the card's figure."""
    arch = load("kimi-k2-instruct.json")
    p = param_breakdown(arch)
    assert arch.attention_kind == "mla" and p.moe_layers == 60
    assert round(p.total / 1e12, 1) == 1.0
    assert round(p.active_compute / 1e9) == 32


def test_gpt_oss_defaults_alternate_layers_when_layer_types_absent():
    """Without layer_types, GptOssConfig makes even layers sliding: 12 of 24."""
    cfg = json.loads((CONFIGS / "gpt-oss-20b.json").read_text())
    del cfg["layer_types"]
    arch = from_config(cfg)
    assert arch.num_sliding_layers == 12 and arch.layer_types[0] == "sliding_attention"


def test_llama_defaults_kv_heads_to_attention_heads():
    """LlamaConfig: an absent num_key_value_heads means MHA (Llama 2 configs omit nothing, older ones did)."""
    cfg = json.loads((CONFIGS / "llama-3.1-8b.json").read_text())
    del cfg["num_key_value_heads"]
    assert from_config(cfg).num_key_value_heads == 32


def test_multimodal_text_config_is_unwrapped():
    """A wrapper config with text_config (e.g. Kimi K2.5) is sized by its language model."""
    inner = json.loads((CONFIGS / "kimi-k2-instruct.json").read_text())
    arch = from_config({"model_type": "kimi_k25", "text_config": inner})
    assert arch.model_type == "kimi_k2"


def test_unknown_model_type_lists_supported():
    """An unsupported model_type names every supported one."""
    with pytest.raises(InputError) as err:
        from_config({"model_type": "bert"})
    assert err.value.field == "config"
    for name in SUPPORTED_MODEL_TYPES:
        assert name in str(err.value)


def test_missing_field_is_named():
    """A config without num_key_value_heads (Mistral needs it) says which field is missing."""
    cfg = json.loads((CONFIGS / "mistral-7b-v0.1.json").read_text())
    del cfg["num_key_value_heads"]
    with pytest.raises(InputError, match="config.json is missing 'num_key_value_heads'"):
        from_config(cfg)


def test_malformed_json_is_one_line():
    """Broken JSON becomes an InputError whose message is a single line with the position."""
    with pytest.raises(InputError) as err:
        load_config_text('{"model_type": "llama",')
    assert "\n" not in str(err.value) and "line 1" in str(err.value)


@pytest.mark.parametrize("value", [0, -4, "4096", 40.5, True, None, 10**12])
def test_bad_field_values_are_rejected(value):
    """Non-positive, non-integer or boolean sizes are refused with the field's name."""
    cfg = json.loads((CONFIGS / "llama-3.1-8b.json").read_text())
    cfg["hidden_size"] = value
    with pytest.raises(InputError, match="hidden_size"):
        from_config(cfg)


def test_absurd_layer_count_is_refused_quickly():
    """A billion layers is a typo, refused before any per-layer loop runs."""
    cfg = json.loads((CONFIGS / "llama-3.1-8b.json").read_text())
    cfg["num_hidden_layers"] = 10**9
    with pytest.raises(InputError, match="num_hidden_layers"):
        from_config(cfg)


def test_not_an_object():
    """A JSON array is not a config."""
    with pytest.raises(InputError, match="JSON object"):
        load_config_text("[1, 2]")
