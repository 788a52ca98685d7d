"""Read a Hugging Face config.json into an Architecture.

One reader for every family: sizes come from fields (legacy spellings too: n_head, n_layer, n_embd,
n_head_kv, multi_query), layer patterns from the pattern fields (hf_layers.py), and only what a
config.json does not state - where the norms sit, whether the MLP is gated, which field holds the expert
width - comes from a short table of block layouts per model_type (FAMILIES), each taken from that family's
transformers modeling code. A multimodal wrapper is sized by its language model (text_config) and says so.

Fields that set a model's size must be present (guessing one would silently size a different model).
Fields that transformers' configuration class treats as optional take that class's default:
num_key_value_heads -> num_attention_heads for llama and the MLA families, head_dim -> hidden_size //
num_attention_heads, Gemma 3's vocab_size 262208 and sliding_window_pattern 6, etc. Families whose class
defaults num_key_value_heads to one particular model's number (mistral: 8, qwen3_moe: 4, ...) must state it.
Anything we cannot interpret - an unknown model_type, a layer kind, a pattern character - is refused with
the field's name, never guessed.
"""

import json

from .architecture import LINEAR, MAMBA, Architecture
from .errors import InputError
from .hf_fields import get, int_field, need
from .hf_layers import mixer_pattern
from .hf_parts import experts, falcon, linear_attention, mamba, mla

# model_type -> block layout and defaults. Keys: kv (True: num_key_value_heads must be stated), tie
# (class default of tie_word_embeddings), norms (per layer), sliding ("all", "alternate", "pattern",
# "qwen", "qwen2_moe", None = the class has no sliding window), moe (how experts are described), plus
# flags copied onto the Architecture. Each row cites the class it follows.
_LLAMA: dict = {"sliding": None}
FAMILIES: dict[str, dict] = {
    "llama": _LLAMA,  # LlamaDecoderLayer
    "granite": _LLAMA,  # GraniteDecoderLayer: llama plus scalar multipliers (no parameters)
    "mistral": {"kv": True, "sliding": "all", "window": 4096},
    "ministral": {"kv": True, "sliding": "all"},
    "phi3": {"sliding": "all"},  # Phi3: fused qkv_proj and gate_up_proj, same sizes as llama
    "qwen2": {"kv": True, "sliding": "qwen", "qkv_bias": True},
    "qwen3": {"kv": True, "sliding": "qwen", "qk_norm": True},
    "mixtral": {"kv": True, "sliding": "all", "moe": "full_width"},
    "gpt_oss": {"kv": True, "sliding": "alternate", "window": 128, "moe": "full_width", "head_dim": 64},
    "qwen2_moe": {"kv": True, "sliding": "qwen2_moe", "qkv_bias": True, "moe": "qwen", "shared": True},
    "qwen3_moe": {"kv": True, "sliding": "qwen", "qk_norm": True, "moe": "qwen"},
    "qwen3_next": {
        "kv": True,
        "sliding": "qwen",
        "qk_norm": True,
        "attn_output_gate": True,
        "moe": "qwen",
        "shared": True,
        "linear": "gated_deltanet",
    },
    "deepseek_v2": {"moe": "deepseek", "mla": True, "first_dense": 0, "topk": "greedy"},
    "deepseek_v3": {"moe": "deepseek", "mla": True},
    "kimi_k2": {"moe": "deepseek", "mla": True},  # Moonshot's Kimi K2 ships DeepseekV3 code under its own type
    "glm_moe_dsa": {"moe": "deepseek", "mla": True},
    "gemma": {"tie": True},  # GemmaDecoderLayer
    "gemma2": {"kv": True, "tie": True, "norms": 4, "sliding": "alternate", "window": 4096},
    "gemma3_text": {
        "kv": True,
        "tie": True,
        "norms": 4,
        "qk_norm": True,
        "sliding": "pattern",
        "window": 4096,
        "defaults": {"vocab_size": 262208, "sliding_window_pattern": 6},
    },
    "olmo2": {"qk_norm_full": True},  # Olmo2: q_norm/k_norm over all heads, post-attention/feedforward norms
    "olmo3": {"qk_norm_full": True, "sliding": "pattern", "window": 4096, "defaults": {"sliding_window_pattern": 4}},
    "cohere": {"tie": True, "norms": 1},  # CohereDecoderLayer: one LayerNorm (no bias), parallel blocks
    "cohere2": {
        "tie": True,
        "norms": 1,
        "sliding": "pattern",
        "window": 4096,
        "defaults": {"sliding_window_pattern": 4},
    },
    "falcon": {"tie": True, "falcon": True, "mlp_gated": False, "norm_bias": True},
    "granitemoe": {"tie": True, "moe": "granite"},
    "granitemoeshared": {"tie": True, "moe": "granite", "shared": True},
    "llama4_text": {"kv": True, "moe": "llama4"},
    "minimax_m2": {"kv": True, "moe": "minimax", "router_bias": True},
    "minimax": {"kv": True, "moe": "minimax", "linear": "lightning"},
    # MiniMax-M1's remote-code type: vLLM's registry serves MiniMaxM1ForCausalLM with MiniMaxText01ForCausalLM
    "minimax_m1": {"kv": True, "moe": "minimax", "linear": "lightning"},
    "jamba": {"kv": True, "moe": "jamba", "mamba": 1},
    "nemotron_h": {"kv": True, "norms": 1, "mlp_gated": False, "mamba": 2, "moe": "nemotron", "blocks": "single"},
}
SUPPORTED_MODEL_TYPES = tuple(FAMILIES)
_WRAPPED_TEXT = {"gemma3": "gemma3_text", "llama4": "llama4_text"}  # when text_config omits its model_type


def _unwrap(config: dict) -> tuple[dict, str]:
    """The language model's config, and the wrapper's model_type if there was one."""
    inner = config.get("text_config")
    if not isinstance(inner, dict):
        return config, ""
    wrapper = str(config.get("model_type", "multimodal"))
    if "model_type" not in inner:
        if wrapper not in _WRAPPED_TEXT:
            raise InputError("config.json text_config has no model_type, so we cannot tell its family", "config")
        inner = {**inner, "model_type": _WRAPPED_TEXT[wrapper]}
    if "tie_word_embeddings" not in inner and "tie_word_embeddings" in config:
        inner = {**inner, "tie_word_embeddings": config["tie_word_embeddings"]}
    return inner, wrapper


def from_config(config: dict) -> Architecture:
    """Build an Architecture from a parsed config.json (dict)."""
    if not isinstance(config, dict):
        raise InputError("config.json must be a JSON object", "config")
    config, wrapper = _unwrap(config)
    model_type = config.get("model_type")
    family = FAMILIES.get(model_type) if isinstance(model_type, str) else None
    if family is None:
        raise InputError(
            f"config.json model_type {model_type!r} is not one we know the block layout of; "
            f"supported: {', '.join(SUPPORTED_MODEL_TYPES)}",
            "config",
        )
    config = {**family.get("defaults", {}), **config}
    hidden, heads = need(config, "hidden_size"), need(config, "num_attention_heads")
    layers = need(config, "num_hidden_layers")
    fields = dict(
        model_type=model_type,
        language_model_of=wrapper,
        vocab_size=need(config, "vocab_size"),
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        max_position_embeddings=int_field(config, "max_position_embeddings", 0, minimum=0),
        tie_word_embeddings=bool(config.get("tie_word_embeddings", family.get("tie", False))),
        norms_per_layer=family.get("norms", 2),
        norm_bias=family.get("norm_bias", False),
        mlp_gated=family.get("mlp_gated", True),
        qk_norm=family.get("qk_norm", False),
        qk_norm_full=family.get("qk_norm_full", False),
        attn_output_gate=family.get("attn_output_gate", False),
    )
    fields["num_key_value_heads"] = _kv_heads(config, family, heads)
    head_dim = int_field(config, "head_dim", family.get("head_dim"), allow_none=True)
    fields["head_dim"] = head_dim or hidden // heads
    fields["intermediate_size"] = int_field(config, "intermediate_size", 4 * hidden if "falcon" in family else KeyError)
    fields["attention_bias"] = bool(config.get("attention_bias", model_type == "gpt_oss") or config.get("bias"))
    fields["mlp_bias"] = bool(config.get("mlp_bias", False) or config.get("bias"))
    if family.get("qkv_bias"):
        fields["qkv_bias"] = bool(config.get("qkv_bias", True))  # Qwen2 always has q/k/v biases
    if model_type in ("cohere", "minimax_m2") and config.get("use_qk_norm"):
        fields["qk_norm_full"] = True  # Cohere: per-head LayerNorm weights; MiniMax-M2: one RMSNorm over all heads
    if "falcon" in family:
        falcon(config, fields)
    if model_type == "gpt_oss":
        fields.update(attention_sinks=True, expert_bias=True, router_bias=True)
    _windows(config, family, layers, fields)
    if family.get("moe"):
        experts(config, family, fields)
    if family.get("mla"):
        mla(config, family, fields, heads)
    for kind, key, read in ((LINEAR, "linear", linear_attention), (MAMBA, "mamba", mamba)):
        if kind in fields["layer_types"]:
            if not family.get(key):  # e.g. a Mamba layer in a family whose block we have no sizes for
                why = f"config.json layer_types lists {kind} layers, which {model_type} does not define"
                raise InputError(why, "config")
            read(config, family, fields)
    return Architecture(**fields)


def _kv_heads(config: dict, family: dict, heads: int) -> int:
    if config.get("multi_query") and not config.get("new_decoder_architecture"):
        return 1  # Falcon-7B: one KV head
    if family.get("kv") and get(config, "num_key_value_heads") is None:
        raise InputError("config.json is missing 'num_key_value_heads', which this model needs to size it", "config")
    return int_field(config, "num_key_value_heads", heads, allow_none=True) or heads


def _windows(config: dict, family: dict, layers: int, fields: dict) -> None:
    sliding = family.get("sliding")
    uses_window = sliding is not None and not (
        sliding in ("qwen", "qwen2_moe") and not config.get("use_sliding_window", False)
    )
    if uses_window and "sliding_window" not in config and family.get("window"):
        config = {**config, "sliding_window": family["window"]}  # the class default (mistral, gemma, gpt-oss)
    window = int_field(config, "sliding_window", None, allow_none=True) if uses_window else None
    chunk = int_field(config, "attention_chunk_size", None, allow_none=True)
    view = {**config, "sliding_window": window}
    if not window and set(view.get("layer_types") or ()) <= {"full_attention", "sliding_attention"}:
        view.pop("layer_types", None)  # Qwen2/3 write layer_types even with the window off
    types, ffns = mixer_pattern(view, layers, "single_block" if family.get("blocks") else sliding or "")
    if not window and "sliding_attention" in types:
        types = tuple("full_attention" if t == "sliding_attention" else t for t in types)
    fields.update(sliding_window=window, attention_chunk_size=chunk, layer_types=types, ffn_types=ffns)


def load_config_text(text: str) -> Architecture:
    """Parse pasted config.json text; malformed JSON becomes a one-line InputError."""
    try:
        config = json.loads(text)
    except (json.JSONDecodeError, TypeError) as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise InputError(f"config.json is not valid JSON{where}: paste the file's full text", "config") from None
    return from_config(config)
