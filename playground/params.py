"""Parameter counts from an Architecture, layer by layer, matching each family's transformers modules.

Every layer contributes its token mixer (attention, linear attention or a Mamba block), its feed-forward
part (dense MLP or experts) and its norms. Multi-token-prediction (MTP) layers are left out: DeepSeek-V3
and GLM-5 ship one that speculative decoding can use; the official counts (671B and 744B) exclude it, and
so do we (Hugging Face's 685B for DeepSeek-V3 includes it).
"""

from dataclasses import dataclass
from functools import lru_cache

from .formula import Formula, Term

_SYMBOLS = {
    "params_total": ("P", "count", "parameters, total"),
    "params_active": ("P_a", "count", "parameters per token"),
    "embedding": ("E", "count", "input embedding"),
    "attention": ("A", "count", "attention"),
    "linear_attention": ("A_lin", "count", "linear attention"),
    "mamba": ("S", "count", "Mamba (SSM) blocks"),
    "indexer": ("I", "count", "sparse-attention indexer"),
    "dense_mlp": ("M_d", "count", "dense MLPs"),
    "routed_experts": ("M_r", "count", "routed experts"),
    "shared_experts": ("M_s", "count", "shared experts"),
    "router": ("R", "count", "routers"),
    "norms": ("N", "count", "norms"),
    "lm_head": ("U", "count", "output head"),
    "idle_experts": ("n_e − k", "int", "routed experts a token skips"),
    "params_per_expert": ("P_e", "count", "one expert in one layer"),
    "moe_layers": ("L_moe", "int", "MoE layers"),
}
TOTAL = Formula(
    "params_total = embedding + attention + linear_attention + mamba + indexer + dense_mlp + routed_experts"
    " + shared_experts + router + norms + lm_head",
    why="every weight tensor of the serving model (MTP layers excluded)",
    symbols=_SYMBOLS,
)
ACTIVE = Formula(
    "params_active = params_total - idle_experts * params_per_expert * moe_layers",
    why="a token runs only its top-k routed experts in each MoE layer",
    symbols=_SYMBOLS,
)


@dataclass(frozen=True)
class ParamBreakdown:
    """Parameter counts by part; `total` is their sum, `active` what one token uses."""

    embedding: int
    attention: int  # projections, their biases, q/k norms, sinks, MLA's internal norms
    linear_attention: int  # Gated DeltaNet / lightning-attention layers
    mamba: int  # Mamba-1 / Mamba-2 blocks
    indexer: int  # GLM-5's sparse-attention indexer (wq_b, wk, k_norm, weights_proj)
    dense_mlp: int
    routed_experts: int  # all experts, all MoE layers
    shared_experts: int
    router: int
    norms: int  # the per-layer norms and the final one
    lm_head: int  # 0 when tied to the embedding
    total: int
    active: int  # per token: everything except the routed experts it skips (input embedding included)
    active_compute: int  # active minus the input embedding table, which a token only indexes (one row)
    moe_layers: int
    dense_layers: int  # layers with a dense MLP
    params_per_expert: int  # one routed expert in one layer
    n_routed_experts: int
    experts_per_token: int
    terms: tuple[Term, ...]


def attention_params(a) -> int:
    """One softmax-attention layer: projections and their extras (MLA, biases, q/k norms, sinks, gates)."""
    h = a.hidden_size
    if a.kv_lora_rank is not None:  # MLA, as in DeepseekV2/V3Attention and GlmMoeDsaAttention
        qk = a.qk_nope_head_dim + a.qk_rope_head_dim
        bias = 1 if a.attention_bias else 0
        if a.q_lora_rank:  # q_a_proj, q_a_layernorm, q_b_proj
            q = (h + bias) * a.q_lora_rank + a.q_lora_rank + a.q_lora_rank * a.num_attention_heads * qk
        else:  # DeepSeek-V2-Lite: one q_proj
            q = h * a.num_attention_heads * qk
        kv_a = (h + bias) * (a.kv_lora_rank + a.qk_rope_head_dim) + a.kv_lora_rank  # + kv_a_layernorm
        kv_b = a.kv_lora_rank * a.num_attention_heads * (a.qk_nope_head_dim + a.v_head_dim)
        o = a.num_attention_heads * a.v_head_dim * h + bias * h
        return q + kv_a + kv_b + o
    q_out, kv_out = a.num_attention_heads * a.head_dim, a.num_key_value_heads * a.head_dim
    gate = q_out if a.attn_output_gate else 0  # Qwen3-Next: q_proj is twice as wide
    params = h * (q_out + gate + 2 * kv_out) + q_out * h
    if a.attention_bias or a.qkv_bias:
        params += q_out + gate + 2 * kv_out
    if a.attention_bias:
        params += h  # o_proj bias
    if a.qk_norm:
        params += 2 * a.head_dim
    if a.qk_norm_full:
        params += q_out + kv_out
    if a.attention_sinks:
        params += a.num_attention_heads
    return params


def linear_attention_params(a) -> int:
    """One linear-attention layer."""
    h = a.hidden_size
    if a.linear_attention_kind == "lightning":  # MiniMax-Text-01: qkv_proj, output_gate, norm, out_proj
        inner = a.num_attention_heads * a.head_dim
        return h * 3 * inner + h * inner + inner + inner * h
    key_dim = a.linear_num_key_heads * a.linear_key_head_dim  # Qwen3NextGatedDeltaNet
    value_dim = a.linear_num_value_heads * a.linear_value_head_dim
    conv_dim = 2 * key_dim + value_dim
    return (
        h * (2 * key_dim + 2 * value_dim)  # in_proj_qkvz
        + h * 2 * a.linear_num_value_heads  # in_proj_ba
        + conv_dim * a.linear_conv_kernel_dim  # depthwise conv1d, no bias
        + 2 * a.linear_num_value_heads  # dt_bias, A_log
        + a.linear_value_head_dim  # gated RMSNorm
        + value_dim * h  # out_proj
    )


def mamba_params(a) -> int:
    """One Mamba block (mixer only; its norm is counted with the layer's norms)."""
    h, inner, n, k = a.hidden_size, a.mamba_d_inner, a.mamba_d_state, a.mamba_d_conv
    proj_bias, conv_bias = int(a.mamba_proj_bias), int(a.mamba_conv_bias)
    if a.mamba_version == 1:  # JambaMambaMixer
        rank = a.mamba_dt_rank
        return (
            (h + proj_bias) * 2 * inner  # in_proj
            + inner * (k + conv_bias)  # conv1d
            + inner * (rank + 2 * n)  # x_proj
            + (rank + 1) * inner  # dt_proj with bias
            + inner * n  # A_log
            + inner  # D
            + (inner + proj_bias) * h  # out_proj
            + ((rank + 2 * n) if a.mamba_inner_norms else 0)
        )
    heads = a.mamba_num_heads  # Mamba-2 (NemotronHMamba2Mixer)
    conv_dim = inner + 2 * a.mamba_n_groups * n
    return (
        (h + proj_bias) * (inner + conv_dim + heads)  # in_proj: z, x/B/C, dt
        + conv_dim * (k + conv_bias)
        + 3 * heads  # dt_bias, A_log, D
        + inner  # gated RMSNorm
        + (inner + proj_bias) * h  # out_proj
    )


def _indexer_params(a) -> int:
    if not a.index_n_heads:
        return 0
    query_in = a.q_lora_rank or a.hidden_size
    return (
        query_in * a.index_n_heads * a.index_head_dim  # wq_b
        + a.hidden_size * a.index_head_dim
        + 2 * a.index_head_dim  # wk, k_norm (LayerNorm: weight and bias)
        + a.hidden_size * a.index_n_heads
    )  # weights_proj


def mlp_params(hidden: int, width: int, bias: bool, gated: bool = True) -> int:
    """An MLP: gate, up and down projections (SwiGLU/GeGLU), or up and down only."""
    mats = 3 if gated else 2
    return mats * hidden * width + (((mats - 1) * width + hidden) if bias else 0)


@lru_cache(maxsize=256)
def param_breakdown(arch) -> ParamBreakdown:
    """Count parameters from the shape, layer by layer."""
    from .architecture import ATTENTION_MIXERS, DENSE, LINEAR, MAMBA  # late: architecture re-exports us

    a, h = arch, arch.hidden_size
    mixers, ffns = a.mixers, a.ffns
    attention_layers = sum(1 for kind in mixers if kind in ATTENTION_MIXERS)
    moe_layers = len(a.moe_layer_indices)
    dense_layers = ffns.count(DENSE)
    embedding = a.vocab_size * h
    lm_head = 0 if a.tie_word_embeddings else a.vocab_size * h
    gated = a.mlp_gated
    per_expert = mlp_params(h, a.moe_intermediate_size, a.expert_bias, gated) if a.is_moe else 0
    shared_width = a.shared_expert_intermediate_size
    norm_size = h * (2 if a.norm_bias else 1)
    parts = {
        "embedding": embedding,
        "attention": attention_layers * attention_params(a),
        "linear_attention": mixers.count(LINEAR) * linear_attention_params(a) if LINEAR in mixers else 0,
        "mamba": mixers.count(MAMBA) * mamba_params(a) if MAMBA in mixers else 0,
        "indexer": attention_layers * _indexer_params(a),
        "dense_mlp": dense_layers * mlp_params(h, a.intermediate_size, a.mlp_bias, gated),
        "routed_experts": moe_layers * a.n_routed_experts * per_expert,
        "shared_experts": moe_layers * a.n_shared_experts * mlp_params(h, shared_width, False, gated),
        "router": moe_layers
        * ((h + (1 if a.router_bias else 0)) * a.n_routed_experts + (h if a.shared_expert_gate else 0)),
        "norms": a.num_hidden_layers * a.norms_per_layer * norm_size + norm_size,
        "lm_head": lm_head,
    }
    total_term = TOTAL(**parts)
    idle = a.n_routed_experts - a.num_experts_per_tok if a.is_moe else 0
    active_term = ACTIVE(
        params_total=total_term.value, idle_experts=idle, params_per_expert=per_expert, moe_layers=moe_layers
    )
    total, active = int(total_term.value), int(active_term.value)
    return ParamBreakdown(
        **parts,
        total=total,
        active=active,
        active_compute=active - (0 if a.tie_word_embeddings else embedding),
        moe_layers=moe_layers,
        dense_layers=dense_layers,
        params_per_expert=per_expert,
        n_routed_experts=a.n_routed_experts,
        experts_per_token=a.num_experts_per_tok,
        terms=(total_term, active_term),
    )
