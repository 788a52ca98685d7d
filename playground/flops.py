"""FLOPs to process one token at a given context, from the same Architecture as parameters and KV.

Three parts:

- linear: every weight the token uses is one multiply-add, 2 FLOPs (2 x active parameters without the
  input embedding, which is a lookup; the output head is included);
- attention: the token's query against each cached key (scores) and the weighted sum of values, 2 FLOPs
  per multiply-add, over the tokens each layer attends to: the whole context for full attention, at most
  the window for sliding layers and at most one chunk for chunked layers (the same caps as the KV cache,
  so this is the worst case within a chunk); MLA scores over its nope+rope key dim and sums its value dim;
  DeepSeek sparse attention (GLM-5) attends to the indexer's top-k tokens, and the indexer itself scores
  the whole context;
- state: linear-attention and Mamba layers update a fixed-size state instead, a constant per token,
  counted per state value: Mamba 6 (decay, input product, add, readout multiply-add), Gated DeltaNet 7
  (decay, key retrieval, rank-1 update, readout), lightning attention 5 (decay, update, readout).
"""

from dataclasses import dataclass

from .architecture import CHUNKED, FULL, MAMBA, SLIDING, Architecture
from .formula import Formula, Term
from .params import param_breakdown
from .state import state_elements

_SYMBOLS = {
    "total_flops": ("F", "flops", "FLOPs per token"),
    "linear_flops": ("F_lin", "flops", "weight FLOPs"),
    "attention_flops": ("F_att", "flops", "attention FLOPs"),
    "state_flops": ("F_st", "flops", "state-update FLOPs"),
    "params_active_compute": ("P_a′", "count", "active parameters without the input embedding"),
    "attended_tokens": ("T_att", "count", "tokens attended, summed over layers"),
    "heads": ("n_h", "int", "query heads"),
    "qk_dim": ("d_qk", "int", "query/key dim per head"),
    "v_dim": ("d_v", "int", "value dim per head"),
    "indexed_tokens": ("T_idx", "count", "tokens the indexer scores, summed over layers"),
    "index_heads": ("n_i", "int", "indexer heads"),
    "index_head_dim": ("d_i", "int", "indexer dim"),
    "state_layers": ("L_r", "int", "layers with a recurrent state"),
    "ops_per_value": ("c", "int", "FLOPs per state value"),
    "ssm_elements": ("n_ssm", "count", "state values per layer"),
}
TOTAL = Formula(
    "total_flops = linear_flops + attention_flops + state_flops", why="weights, attention, state", symbols=_SYMBOLS
)
LINEAR_FLOPS = Formula(
    "linear_flops = 2 * params_active_compute", why="one multiply-add per weight the token uses", symbols=_SYMBOLS
)
ATTENTION = Formula(
    "attention_flops = 2 * attended_tokens * heads * (qk_dim + v_dim)",
    why="a score per attended key and a weighted sum of its value, in every attention layer",
    symbols=_SYMBOLS,
)
ATTENTION_INDEXED = Formula(
    "attention_flops = 2 * attended_tokens * heads * (qk_dim + v_dim)"
    " + 2 * indexed_tokens * index_heads * index_head_dim",
    why="attention over the indexer's top-k tokens, plus the indexer scoring the whole context",
    symbols=_SYMBOLS,
)
STATE = Formula(
    "state_flops = state_layers * ops_per_value * ssm_elements",
    why="a fixed-size state update per token, whatever the context",
    symbols=_SYMBOLS,
)


@dataclass(frozen=True)
class FlopsBreakdown:
    """FLOPs for one token at `context_tokens` of context."""

    context_tokens: int
    linear_flops: float
    attention_flops: float
    state_flops: float
    total_flops: float
    attended_tokens: int  # summed over attention layers
    terms: tuple[Term, ...]


def _attended(arch: Architecture, context_tokens: int) -> tuple[int, int]:
    """(tokens attended summed over attention layers, tokens indexed summed over layers)."""
    c = context_tokens
    per_kind = {
        FULL: min(c, arch.index_topk) if arch.index_topk else c,
        SLIDING: min(c, arch.sliding_window or c),
        CHUNKED: min(c, arch.attention_chunk_size or c),
    }
    attended = sum(n * arch.mixers.count(kind) for kind, n in per_kind.items())  # whole tokens: exact
    indexed = c * arch.num_attention_layers if arch.index_n_heads else 0
    return attended, indexed


def _attention(arch: Architecture, context_tokens: int) -> tuple[Formula, dict]:
    """The attention formula for this architecture and its inputs at `context_tokens`."""
    a = arch
    attended, indexed = _attended(a, context_tokens)
    if a.kv_lora_rank is not None:
        qk, v = a.qk_nope_head_dim + a.qk_rope_head_dim, a.v_head_dim
    else:
        qk = v = a.head_dim
    shape = {"attended_tokens": attended, "heads": a.num_attention_heads, "qk_dim": qk, "v_dim": v}
    if indexed:
        return ATTENTION_INDEXED, {
            **shape,
            "indexed_tokens": indexed,
            "index_heads": a.index_n_heads,
            "index_head_dim": a.index_head_dim,
        }
    return ATTENTION, shape


def _state(arch: Architecture) -> dict | None:
    """STATE's inputs, or None without linear-attention or Mamba layers."""
    a = arch
    if not a.num_state_layers:
        return None
    ops = 6 if MAMBA in a.mixers else 5 if a.linear_attention_kind == "lightning" else 7
    return {"state_layers": a.num_state_layers, "ops_per_value": ops, "ssm_elements": state_elements(a)[1]}


def flops_per_token(arch: Architecture, context_tokens: int) -> FlopsBreakdown:
    """FLOPs to run one token whose context (itself included) is `context_tokens` long."""
    a = arch
    context_tokens = max(1, int(context_tokens))
    linear = LINEAR_FLOPS(params_active_compute=param_breakdown(a).active_compute)
    formula, inputs = _attention(a, context_tokens)
    attention = formula(**inputs)
    terms = [linear, attention]
    state_value = 0.0
    state_inputs = _state(a)
    if state_inputs:
        state = STATE(**state_inputs)
        terms.append(state)
        state_value = state.value
    total = TOTAL(linear_flops=linear.value, attention_flops=attention.value, state_flops=state_value)
    return FlopsBreakdown(
        context_tokens=context_tokens,
        linear_flops=linear.value,
        attention_flops=attention.value,
        state_flops=state_value,
        total_flops=total.value,
        attended_tokens=inputs["attended_tokens"],
        terms=(*terms, total),
    )


def attention_and_state_flops(arch: Architecture, context_tokens: int) -> float:
    """flops_per_token(...).attention_flops + .state_flops, without its terms (simulators ask for thousands)."""
    formula, inputs = _attention(arch, max(1, int(context_tokens)))
    state_inputs = _state(arch)
    return formula.evaluate(**inputs) + (STATE.evaluate(**state_inputs) if state_inputs else 0.0)
