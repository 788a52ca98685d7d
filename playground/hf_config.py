"""Read a Hugging Face config.json into an Architecture.

Fields that set a model's size must be present (a real config.json always has them, and guessing one
would silently size a different model). Fields that transformers' configuration class treats as
optional take that class's default: num_key_value_heads -> num_attention_heads for llama and the MLA
families, head_dim -> hidden_size // num_attention_heads (gpt_oss: 64), no tied embeddings, no sliding
window unless use_sliding_window, n_shared_experts 1 and first_k_dense_replace 3 for DeepSeek/GLM, etc.
For families whose class defaults num_key_value_heads to one particular model's number (mistral: 8,
qwen3_moe: 4, ...), we require it instead: KV-cache size depends on it directly.
"""

import json

from .architecture import Architecture
from .errors import InputError

_CORE = ("vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads")
_MLA = (
    "n_routed_experts",
    "num_experts_per_tok",
    "moe_intermediate_size",
    "kv_lora_rank",
    "q_lora_rank",
    "qk_nope_head_dim",
    "qk_rope_head_dim",
    "v_head_dim",
)
REQUIRED = {
    "llama": _CORE,
    "mistral": (*_CORE, "num_key_value_heads"),
    "qwen2": (*_CORE, "num_key_value_heads"),
    "qwen3": (*_CORE, "num_key_value_heads"),
    "mixtral": (*_CORE, "num_key_value_heads", "num_local_experts", "num_experts_per_tok"),
    "qwen2_moe": (
        *_CORE,
        "num_key_value_heads",
        "num_experts",
        "num_experts_per_tok",
        "moe_intermediate_size",
        "shared_expert_intermediate_size",
    ),
    "qwen3_moe": (*_CORE, "num_key_value_heads", "num_experts", "num_experts_per_tok", "moe_intermediate_size"),
    "deepseek_v3": (*_CORE, *_MLA),
    "kimi_k2": (*_CORE, *_MLA),  # Moonshot's Kimi K2 ships DeepseekV3 code under its own model_type
    "glm_moe_dsa": (*_CORE, *_MLA),
    "gpt_oss": (*_CORE, "num_key_value_heads", "num_local_experts", "num_experts_per_tok"),
}
SUPPORTED_MODEL_TYPES = tuple(REQUIRED)
# transformers stores some counts under another name and maps them (attribute_map): accept both spellings
_ALIASES = {
    "num_local_experts": ("num_experts",),
    "num_experts": ("num_local_experts",),
    "n_routed_experts": ("num_local_experts", "num_experts"),
}


def _get(config: dict, name: str, default=None):
    for key in (name, *_ALIASES.get(name, ())):
        if key in config:
            return config[key]
    return default


# Far above any real model; keeps a mistyped config from making the per-layer loops run for minutes.
_MAXIMUM = {"num_hidden_layers": 10_000}
_MAX_DIMENSION = 10**9


def _int(config: dict, name: str, default=None, allow_none: bool = False, minimum: int = 1):
    value = _get(config, name, default)
    if value is None and allow_none:
        return None
    maximum = _MAXIMUM.get(name, _MAX_DIMENSION)
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise InputError(
            f"config.json field '{name}' must be an integer from {minimum} to {maximum:,}, got {value!r}", "config"
        )
    return value


_WINDOW_DEFAULT = {"mistral": 4096, "gpt_oss": 128}  # the config classes' defaults; mixtral's is None


def _sliding(config: dict, model_type: str) -> tuple[int | None, tuple[str, ...]]:
    """The window and per-layer pattern, following each config class's __post_init__."""
    if model_type not in ("mistral", "mixtral", "gpt_oss", "qwen2", "qwen3", "qwen2_moe", "qwen3_moe"):
        return None, ()  # llama and the MLA families attend fully in every layer
    if model_type.startswith("qwen") and not config.get("use_sliding_window", False):
        return None, ()
    if _get(config, "sliding_window", _WINDOW_DEFAULT.get(model_type)) is None:
        return None, ()
    window = _int(config, "sliding_window", _WINDOW_DEFAULT.get(model_type))
    layers = config["num_hidden_layers"]
    types = config.get("layer_types")
    if types is None and model_type == "gpt_oss":  # GptOssConfig: even layers slide, odd layers attend fully
        types = ["sliding_attention" if (i + 1) % 2 else "full_attention" for i in range(layers)]
    elif types is None and model_type in ("qwen2", "qwen3"):  # Qwen2Config: layers from max_window_layers slide
        start = _int(config, "max_window_layers", 28, minimum=0)
        types = ["sliding_attention" if i >= start else "full_attention" for i in range(layers)]
    elif types is None and model_type == "qwen2_moe":  # Qwen2MoeConfig: odd-numbered layers below the limit
        start = _int(config, "max_window_layers", 28, minimum=0)
        types = ["sliding_attention" if (i + 1) % 2 and i < start else "full_attention" for i in range(layers)]
    if types is not None and (not isinstance(types, list) or not all(isinstance(t, str) for t in types)):
        raise InputError("config.json field 'layer_types' must be a list of strings", "config")
    return window, tuple(types or ())


def from_config(config: dict) -> Architecture:
    """Build an Architecture from a parsed config.json (dict)."""
    if not isinstance(config, dict):
        raise InputError("config.json must be a JSON object", "config")
    if isinstance(config.get("text_config"), dict) and "model_type" in config["text_config"]:
        config = config["text_config"]  # multimodal wrappers keep the language model here
    model_type = config.get("model_type")
    if model_type not in REQUIRED:
        raise InputError(
            f"config.json model_type {model_type!r} is not supported; supported: {', '.join(SUPPORTED_MODEL_TYPES)}",
            "config",
        )
    for name in REQUIRED[model_type]:
        if _get(config, name, KeyError) is KeyError:
            raise InputError(f"config.json is missing '{name}', which {model_type} needs to size the model", "config")
    heads = _int(config, "num_attention_heads")
    hidden = _int(config, "hidden_size")
    fields = dict(
        model_type=model_type,
        vocab_size=_int(config, "vocab_size"),
        hidden_size=hidden,
        intermediate_size=_int(config, "intermediate_size"),
        num_hidden_layers=_int(config, "num_hidden_layers"),
        num_attention_heads=heads,
        num_key_value_heads=_int(config, "num_key_value_heads", heads, allow_none=True) or heads,
        max_position_embeddings=_int(config, "max_position_embeddings", 0, minimum=0),
        tie_word_embeddings=bool(config.get("tie_word_embeddings", False)),
    )
    head_dim = _int(config, "head_dim", 64 if model_type == "gpt_oss" else None, allow_none=True)
    fields["head_dim"] = head_dim or hidden // heads
    fields["sliding_window"], fields["layer_types"] = _sliding(config, model_type)
    fields["attention_bias"] = bool(config.get("attention_bias", model_type == "gpt_oss"))
    fields["mlp_bias"] = bool(config.get("mlp_bias", False)) and model_type == "llama"
    if model_type in ("qwen2", "qwen2_moe"):
        fields["qkv_bias"] = bool(config.get("qkv_bias", True))  # Qwen2 always has q/k/v biases
    if model_type in ("qwen3", "qwen3_moe"):
        fields["qk_norm"] = True
    if model_type in ("mixtral", "gpt_oss"):  # experts are full-width MLPs
        fields.update(
            n_routed_experts=_int(config, "num_local_experts"),
            num_experts_per_tok=_int(config, "num_experts_per_tok"),
            moe_intermediate_size=fields["intermediate_size"],
        )
    if model_type == "gpt_oss":
        fields.update(attention_sinks=True, expert_bias=True, router_bias=True)
    if model_type in ("qwen2_moe", "qwen3_moe"):
        fields.update(
            n_routed_experts=_int(config, "num_experts"),
            num_experts_per_tok=_int(config, "num_experts_per_tok"),
            moe_intermediate_size=_int(config, "moe_intermediate_size"),
            decoder_sparse_step=_int(config, "decoder_sparse_step", 1),
            mlp_only_layers=_layer_list(config, "mlp_only_layers"),
        )
    if model_type == "qwen2_moe":
        fields.update(
            n_shared_experts=1,
            shared_expert_gate=True,
            shared_expert_intermediate_size=_int(config, "shared_expert_intermediate_size"),
        )
    if model_type in ("deepseek_v3", "kimi_k2", "glm_moe_dsa"):
        moe_width = _int(config, "moe_intermediate_size")
        fields.update(
            n_routed_experts=_int(config, "n_routed_experts"),
            num_experts_per_tok=_int(config, "num_experts_per_tok"),
            moe_intermediate_size=moe_width,
            n_shared_experts=_int(config, "n_shared_experts", 1, minimum=0),
            shared_expert_intermediate_size=moe_width,
            router_bias=config.get("topk_method", "noaux_tc") == "noaux_tc",  # e_score_correction_bias
            first_k_dense_replace=_int(config, "first_k_dense_replace", 3, minimum=0),
            moe_layer_freq=_int(config, "moe_layer_freq", 1),
            q_lora_rank=_int(config, "q_lora_rank", allow_none=True),
            kv_lora_rank=_int(config, "kv_lora_rank"),
            qk_nope_head_dim=_int(config, "qk_nope_head_dim"),
            qk_rope_head_dim=_int(config, "qk_rope_head_dim"),
            v_head_dim=_int(config, "v_head_dim"),
            num_nextn_predict_layers=_int(config, "num_nextn_predict_layers", 0, minimum=0),
        )
        fields["head_dim"] = fields["qk_nope_head_dim"] + fields["qk_rope_head_dim"]
        fields["num_key_value_heads"] = heads  # the latent serves every head
    if model_type == "glm_moe_dsa":
        fields.update(
            index_n_heads=_int(config, "index_n_heads", 32), index_head_dim=_int(config, "index_head_dim", 128)
        )
    return Architecture(**fields)


def _layer_list(config: dict, name: str) -> tuple[int, ...]:
    value = config.get(name) or []
    if not isinstance(value, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in value):
        raise InputError(f"config.json field '{name}' must be a list of layer indices", "config")
    return tuple(value)


def load_config_text(text: str) -> Architecture:
    """Parse pasted config.json text; malformed JSON becomes a one-line InputError."""
    try:
        config = json.loads(text)
    except (json.JSONDecodeError, TypeError) as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise InputError(f"config.json is not valid JSON{where}: paste the file's full text", "config") from None
    return from_config(config)
