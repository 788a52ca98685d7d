"""Fixed per-sequence state: what linear-attention and Mamba layers keep instead of a KV cache.

Such a layer summarises everything it has read in a state of fixed size, so its memory does not grow with
the context: each running sequence holds one state per layer, whether it is 10 or 100,000 tokens long.
Like vLLM's state caches, each layer keeps two tensors:

- the convolution window: the last (kernel - 1) inputs of the short causal convolution, in the model dtype;
- the recurrent state: Mamba-1 d_inner x d_state, Mamba-2 heads x head_dim x d_state, Gated DeltaNet
  value heads x key dim x value dim, lightning attention heads x head_dim x head_dim; in the model dtype
  unless the config asks for float32 (Nemotron-H's mamba_ssm_cache_dtype).

Shapes follow vLLM's get_state_shape for each layer (mamba_utils.py): e.g. Qwen3-Next keeps
(kernel - 1) x (2 x key_dim + value_dim) and value_heads x key_head_dim x value_head_dim per layer.
"""

from dataclasses import dataclass

from .architecture import LINEAR, MAMBA, Architecture
from .formula import Formula, Term

_SYMBOLS = {
    "state_bytes_per_sequence": ("S_seq", "bytes", "fixed state per sequence"),
    "state_layers": ("L_r", "int", "layers with a recurrent state"),
    "conv_elements": ("n_conv", "count", "convolution-window values per layer"),
    "ssm_elements": ("n_ssm", "count", "recurrent-state values per layer"),
    "conv_bits": ("b_conv", "int", "bits per convolution value"),
    "ssm_bits": ("b_ssm", "int", "bits per state value"),
}
STATE = Formula(
    "state_bytes_per_sequence = state_layers * (conv_elements * conv_bits + ssm_elements * ssm_bits) / 8",
    why="linear-attention and Mamba layers keep a fixed-size state per sequence instead of a growing KV cache",
    symbols=_SYMBOLS,
)


@dataclass(frozen=True)
class StateBreakdown:
    """Per-sequence state bytes, by layer kind and tensor."""

    state_layers: int
    conv_elements_per_layer: int
    ssm_elements_per_layer: int
    conv_bits: int
    ssm_bits: int
    bytes_per_sequence: float  # 0 for a model that is all softmax attention
    terms: tuple[Term, ...]  # empty when there is no state


def state_elements(arch: Architecture) -> tuple[int, int]:
    """(convolution-window values, recurrent-state values) one state layer keeps per sequence."""
    a = arch
    if LINEAR in a.mixers:
        if a.linear_attention_kind == "lightning":  # a head_dim x head_dim matrix per head, no convolution
            return 0, a.num_attention_heads * a.head_dim * a.head_dim
        key_dim = a.linear_num_key_heads * a.linear_key_head_dim
        value_dim = a.linear_num_value_heads * a.linear_value_head_dim
        conv = (a.linear_conv_kernel_dim - 1) * (2 * key_dim + value_dim)
        return conv, a.linear_num_value_heads * a.linear_key_head_dim * a.linear_value_head_dim
    if MAMBA in a.mixers:
        if a.mamba_version == 1:
            return (a.mamba_d_conv - 1) * a.mamba_d_inner, a.mamba_d_inner * a.mamba_d_state
        conv_dim = a.mamba_d_inner + 2 * a.mamba_n_groups * a.mamba_d_state
        return (a.mamba_d_conv - 1) * conv_dim, a.mamba_d_inner * a.mamba_d_state
    return 0, 0


def state_breakdown(arch: Architecture) -> StateBreakdown:
    """The fixed per-sequence state with its formula (no term for a pure-attention model)."""
    layers = arch.num_state_layers
    conv, ssm = state_elements(arch)
    terms: tuple[Term, ...] = ()
    total = 0.0
    if layers:
        term = STATE(
            state_layers=layers,
            conv_elements=conv,
            ssm_elements=ssm,
            conv_bits=arch.conv_state_bits,
            ssm_bits=arch.ssm_state_bits,
        )
        terms, total = (term,), term.value
    return StateBreakdown(
        state_layers=layers,
        conv_elements_per_layer=conv,
        ssm_elements_per_layer=ssm,
        conv_bits=arch.conv_state_bits,
        ssm_bits=arch.ssm_state_bits,
        bytes_per_sequence=total,
        terms=terms,
    )


def state_bytes_per_sequence(arch: Architecture) -> float:
    """Bytes of fixed state one running sequence holds across all layers (0 for pure attention)."""
    return state_breakdown(arch).bytes_per_sequence
