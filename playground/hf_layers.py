"""Per-layer patterns in Hugging Face configs: which mixer and which feed-forward part each layer has.

Configs describe a layer stack in many ways; each rule below is the one its configuration class applies
(in __init__ or the modeling code), and a value we cannot interpret is refused naming its field:

- layer_types: a list of kinds ("full_attention", "sliding_attention", "chunked_attention",
  "linear_attention", "mamba", "attention") - Gemma 3, OLMo 3, Cohere 2, GPT-OSS, Qwen3-Next, Granite 4;
- sliding_window_pattern p: every p-th layer is global, the rest slide (Gemma 3, Cohere 2);
- hybrid_override_pattern: one character per layer, M Mamba-2, * attention, - MLP, E MoE (Nemotron-H);
- attn_type_list: 1 softmax attention, 0 lightning (linear) attention (MiniMax);
- layers_block_type: "attention" / "mamba" per layer (Jamba, Granite hybrids); Nemotron-H also writes "mlp" and
  "moe" there, one mixer or one MLP per block like its pattern characters;
- full_attention_interval n: every n-th layer is full attention, the others linear (Qwen3-Next);
- attn_layer_period/offset and expert_layer_period/offset (Jamba);
- no_rope_layers: 1 = RoPE layer, which Llama 4 runs as chunked attention; 0 = global NoPE layer;
- interleave_moe_layer_step / moe_layers: which layers are MoE (Llama 4).
"""

from .architecture import CHUNKED, DENSE, FULL, LINEAR, MAMBA, MOE, NO_FFN, NO_MIXER, SLIDING
from .errors import InputError

_KIND_NAMES = {
    "full_attention": FULL,
    "attention": FULL,
    "global": FULL,
    "sliding_attention": SLIDING,
    "local": SLIDING,
    "chunked_attention": CHUNKED,
    "linear_attention": LINEAR,
    "mamba": MAMBA,
}
# Nemotron-H: (mixer, feed-forward) per character
_HYBRID_CHARS = {"M": (MAMBA, NO_FFN), "*": (FULL, NO_FFN), "-": (NO_MIXER, DENSE), "E": (NO_MIXER, MOE)}
_BLOCK_NAMES = {
    "mamba": _HYBRID_CHARS["M"],
    "attention": _HYBRID_CHARS["*"],
    "mlp": _HYBRID_CHARS["-"],
    "moe": _HYBRID_CHARS["E"],
}


def _refuse(field: str, value, why: str = "") -> InputError:
    shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
    return InputError(f"config.json field '{field}' has a value we cannot interpret: {shown}{why}", "config")


def _list(config: dict, name: str, layers: int) -> list:
    value = config[name]
    if not isinstance(value, (list, str)):
        raise _refuse(name, value, " (expected one entry per layer)")
    if len(value) != layers:
        raise InputError(f"config.json field '{name}' has {len(value)} entries for {layers} layers", "config")
    return list(value)


def _period(config: dict, name: str, default: int, minimum: int = 1) -> int:
    value = config.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _refuse(name, value)
    return value


def mixer_pattern(config: dict, layers: int, family_sliding: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(layer_types, ffn_types from the same pattern or ()); () layer_types means uniform."""
    if config.get("hybrid_override_pattern"):
        pattern = _list(config, "hybrid_override_pattern", layers)
        bad = [c for c in pattern if c not in _HYBRID_CHARS]
        if bad:
            raise _refuse("hybrid_override_pattern", bad[0], " (we know M, *, - and E)")
        return tuple(_HYBRID_CHARS[c][0] for c in pattern), tuple(_HYBRID_CHARS[c][1] for c in pattern)
    if config.get("layer_types"):
        kinds = _list(config, "layer_types", layers)
        bad = [k for k in kinds if k not in _KIND_NAMES]
        if bad:
            raise _refuse("layer_types", bad[0], " (a layer kind we cannot size)")
        return tuple(_KIND_NAMES[k] for k in kinds), ()
    if config.get("attn_type_list"):
        kinds = _list(config, "attn_type_list", layers)
        if any(k not in (0, 1) or isinstance(k, bool) for k in kinds):
            raise _refuse("attn_type_list", kinds, " (expected 0 or 1 per layer)")
        return tuple(FULL if k == 1 else LINEAR for k in kinds), ()
    if config.get("layers_block_type"):
        kinds = _list(config, "layers_block_type", layers)
        bad = [k for k in kinds if k not in _BLOCK_NAMES]
        if bad:
            raise _refuse("layers_block_type", bad[0], " (we know attention, mamba, mlp and moe)")
        if family_sliding == "single_block":  # Nemotron-H: each block is one mixer or one MLP
            return tuple(_BLOCK_NAMES[k][0] for k in kinds), tuple(_BLOCK_NAMES[k][1] for k in kinds)
        if any(k in ("mlp", "moe") for k in kinds):
            raise _refuse("layers_block_type", "mlp/moe", " (MLP-only blocks in a family with MLPs in every layer)")
        return tuple(_BLOCK_NAMES[k][0] for k in kinds), ()
    if "full_attention_interval" in config:
        every = _period(config, "full_attention_interval", 4)
        return tuple(FULL if (i + 1) % every == 0 else LINEAR for i in range(layers)), ()
    if "attn_layer_period" in config:  # Jamba
        period, offset = _period(config, "attn_layer_period", 8), _period(config, "attn_layer_offset", 4, 0)
        return tuple(FULL if i % period == offset else MAMBA for i in range(layers)), ()
    if config.get("attention_chunk_size"):  # Llama 4: RoPE layers are chunked, NoPE layers global
        flags = config.get("no_rope_layers") or [int((i + 1) % 4 != 0) for i in range(layers)]
        flags = _list({"no_rope_layers": flags}, "no_rope_layers", layers)
        if any(f not in (0, 1) or isinstance(f, bool) for f in flags):
            raise _refuse("no_rope_layers", flags, " (expected 0 or 1 per layer)")
        return tuple(CHUNKED if f else FULL for f in flags), ()
    if not config.get("sliding_window"):
        return (), ()
    if family_sliding == "alternate":  # Gemma2Config / GptOssConfig: even layers slide
        return tuple(SLIDING if (i + 1) % 2 else FULL for i in range(layers)), ()
    if family_sliding == "pattern":  # Gemma 3 (default 6), Cohere 2 (its configs set 4)
        every = _period(config, "sliding_window_pattern", 6)
        return tuple(FULL if (i + 1) % every == 0 else SLIDING for i in range(layers)), ()
    if family_sliding == "qwen":  # Qwen2Config: layers from max_window_layers on slide
        start = _period(config, "max_window_layers", 28, 0)
        return tuple(SLIDING if i >= start else FULL for i in range(layers)), ()
    if family_sliding == "qwen2_moe":  # Qwen2MoeConfig: odd-numbered layers below the limit
        start = _period(config, "max_window_layers", 28, 0)
        return tuple(SLIDING if (i + 1) % 2 and i < start else FULL for i in range(layers)), ()
    return (), ()  # uniform: every layer slides (Mistral, Phi-3)


def ffn_pattern(config: dict, layers: int, rule: str) -> tuple[str, ...]:
    """Per-layer feed-forward kinds for families that state them outside the MoE defaults; () otherwise."""
    if rule == "jamba":
        experts = config.get("num_experts", 16)
        period, offset = _period(config, "expert_layer_period", 2), _period(config, "expert_layer_offset", 1, 0)
        return tuple(MOE if experts > 1 and i % period == offset else DENSE for i in range(layers))
    if rule == "llama4":
        if "moe_layers" in config and config["moe_layers"] is not None:
            moe = config["moe_layers"]
            if not isinstance(moe, list) or any(not isinstance(i, int) or not 0 <= i < layers for i in moe):
                raise _refuse("moe_layers", moe, " (expected layer indices)")
        else:
            step = _period(config, "interleave_moe_layer_step", 1)
            moe = range(step - 1, layers, step)
        chosen = set(moe)
        return tuple(MOE if i in chosen else DENSE for i in range(layers))
    if rule == "all_moe":
        return (MOE,) * layers
    return ()
