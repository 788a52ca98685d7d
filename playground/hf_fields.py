"""Reading one config.json field: its spellings, its type and range, the refusal when it is missing or bad."""

from .errors import InputError

# Legacy and family-specific spellings of the same quantity (transformers' attribute_map).
_ALIASES = {
    "num_hidden_layers": ("n_layer", "num_layers"),
    "num_attention_heads": ("n_head", "num_heads"),
    "hidden_size": ("n_embd", "d_model"),
    "num_key_value_heads": ("n_head_kv", "num_kv_heads"),
    "head_dim": ("attention_head_dim",),  # Nemotron-H's remote-code configs
    "num_local_experts": ("num_experts", "n_routed_experts"),
    "num_experts": ("num_local_experts",),
    "n_routed_experts": ("num_local_experts", "num_experts"),
}

# Far above any real model; keeps a mistyped config from making the per-layer loops run for minutes.
_MAXIMUM = {"num_hidden_layers": 10_000}
_MAX_DIMENSION = 10**9


def get(config: dict, name: str, default=None):
    """The field under its own name or any alias, else `default`."""
    for key in (name, *_ALIASES.get(name, ())):
        if key in config:
            return config[key]
    return default


def int_field(config: dict, name: str, default=None, allow_none: bool = False, minimum: int = 1):
    """An integer field in range; KeyError as the default means the field is required."""
    value = get(config, name, default)
    if value is None and allow_none:
        return None
    if value is KeyError:
        raise InputError(f"config.json is missing '{name}', which this model needs to size it", "config")
    maximum = _MAXIMUM.get(name, _MAX_DIMENSION)
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise InputError(
            f"config.json field '{name}' must be an integer from {minimum} to {maximum:,}, got {value!r}", "config"
        )
    return value


def need(config: dict, name: str, default=KeyError, minimum: int = 1) -> int:
    """A size the model cannot be sized without (unless a class default is passed)."""
    return int_field(config, name, default, minimum=minimum)


def layer_list(config: dict, name: str) -> tuple[int, ...]:
    value = config.get(name) or []
    if not isinstance(value, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in value):
        raise InputError(f"config.json field '{name}' must be a list of layer indices", "config")
    return tuple(value)
