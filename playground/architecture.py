"""A decoder-only transformer's shape, and what follows from it: parameter counts and KV-cache bytes.

Field names follow transformers' configuration classes (LlamaConfig, MixtralConfig, Qwen2MoeConfig,
DeepseekV3Config, GlmMoeDsaConfig, GptOssConfig, ...). Nothing derived is stored: parameters and KV
bytes are computed from the shape, so a pasted config.json and a catalog entry go through the same math.
"""

from dataclasses import dataclass
from functools import cached_property, lru_cache

from .errors import InputError
from .formula import Formula, Term

_SYMBOLS = {
    "params_total": ("P", "count", "parameters, total"),
    "params_active": ("P_a", "count", "parameters per token"),
    "embedding": ("E", "count", "input embedding"),
    "attention": ("A", "count", "attention"),
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
    "kv_bytes_per_token": ("K_t", "bytes", "KV cache per token"),
    "layers": ("L", "int", "layers"),
    "full_layers": ("L_f", "int", "full-attention layers"),
    "sliding_layers": ("L_s", "int", "sliding-window layers"),
    "window_fraction": ("min(C, w) / C", "number", "share of the context a window layer keeps"),
    "kv_heads": ("n_kv", "int", "KV heads"),
    "head_dim": ("d", "int", "head dimension"),
    "bits": ("b", "int", "bits per value"),
    "kv_lora_rank": ("r_kv", "int", "latent rank"),
    "rope_dim": ("d_r", "int", "decoupled RoPE key dim"),
    "index_head_dim": ("d_i", "int", "indexer key dim"),
}
TOTAL = Formula(
    "params_total = embedding + attention + indexer + dense_mlp + routed_experts + shared_experts"
    " + router + norms + lm_head",
    why="every weight tensor of the serving model (MTP layers excluded)",
    symbols=_SYMBOLS,
)
ACTIVE = Formula(
    "params_active = params_total - idle_experts * params_per_expert * moe_layers",
    why="a token runs only its top-k routed experts in each MoE layer",
    symbols=_SYMBOLS,
)
KV_STANDARD = Formula(
    "kv_bytes_per_token = 2 * layers * kv_heads * head_dim * bits / 8",
    why="every layer stores a key and a value vector per KV head",
    symbols=_SYMBOLS,
)
KV_SLIDING = Formula(
    "kv_bytes_per_token = 2 * (full_layers + sliding_layers * window_fraction) * kv_heads * head_dim * bits / 8",
    why="sliding-window layers keep only the last w tokens, so they stop growing",
    symbols=_SYMBOLS,
)
KV_MLA = Formula(
    "kv_bytes_per_token = layers * (kv_lora_rank + rope_dim) * bits / 8",
    why="MLA caches one compressed latent plus a shared RoPE key per layer, not per head",
    symbols=_SYMBOLS,
)
KV_MLA_INDEXER = Formula(
    "kv_bytes_per_token = layers * (kv_lora_rank + rope_dim + index_head_dim) * bits / 8",
    why="MLA latent plus the sparse-attention indexer's own key per layer",
    symbols=_SYMBOLS,
)


@dataclass(frozen=True)
class Architecture:
    """The shape of a decoder-only transformer (dense, MoE, GQA, MLA, sliding window)."""

    model_type: str
    vocab_size: int
    hidden_size: int
    intermediate_size: int  # dense MLP width
    num_hidden_layers: int
    num_attention_heads: int
    num_key_value_heads: int  # MLA: equals num_attention_heads, as in the configs; the cache is one latent anyway
    head_dim: int  # MLA: qk_nope_head_dim + qk_rope_head_dim (transformers' own head_dim there is the RoPE part)
    max_position_embeddings: int = 0  # 0 = unknown
    tie_word_embeddings: bool = False
    attention_bias: bool = False  # bias on q, k, v and o projections (gpt-oss)
    qkv_bias: bool = False  # bias on q, k, v only (qwen2, qwen2_moe)
    qk_norm: bool = False  # RMSNorm on each query and key head (qwen3, qwen3_moe)
    mlp_bias: bool = False
    attention_sinks: bool = False  # one learned logit per head (gpt-oss)
    sliding_window: int | None = None
    layer_types: tuple[str, ...] = ()  # per layer "full_attention" / "sliding_attention"; () = uniform
    n_routed_experts: int = 0
    num_experts_per_tok: int = 0
    moe_intermediate_size: int = 0  # one routed expert's width
    n_shared_experts: int = 0
    shared_expert_intermediate_size: int = 0  # one shared expert's width
    shared_expert_gate: bool = False  # qwen2_moe's sigmoid gate on the shared expert
    expert_bias: bool = False  # biases inside each expert (gpt-oss)
    router_bias: bool = False  # a bias per expert in the router (gpt-oss) or DeepSeek's e_score_correction_bias
    first_k_dense_replace: int = 0
    moe_layer_freq: int = 1
    decoder_sparse_step: int = 1
    mlp_only_layers: tuple[int, ...] = ()
    q_lora_rank: int | None = None
    kv_lora_rank: int | None = None  # set => MLA
    qk_nope_head_dim: int = 0
    qk_rope_head_dim: int = 0
    v_head_dim: int = 0
    index_n_heads: int = 0  # DeepSeek sparse attention (GLM-5): 0 = no indexer
    index_head_dim: int = 0
    num_nextn_predict_layers: int = 0  # MTP layers: shipped in the checkpoint, not counted for serving

    def __post_init__(self):
        for name in (
            "vocab_size",
            "hidden_size",
            "intermediate_size",
            "num_hidden_layers",
            "num_attention_heads",
            "num_key_value_heads",
            "head_dim",
            "moe_layer_freq",
            "decoder_sparse_step",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InputError(f"config field '{name}' must be a positive integer, got {value!r}", "config")
        if self.kv_lora_rank is None and self.num_attention_heads % self.num_key_value_heads:
            raise InputError(
                f"num_attention_heads ({self.num_attention_heads}) must be a multiple of "
                f"num_key_value_heads ({self.num_key_value_heads})",
                "config",
            )
        if self.n_routed_experts and not 1 <= self.num_experts_per_tok <= self.n_routed_experts:
            raise InputError(
                f"num_experts_per_tok must be between 1 and {self.n_routed_experts}, got {self.num_experts_per_tok!r}",
                "config",
            )
        if self.layer_types and len(self.layer_types) != self.num_hidden_layers:
            raise InputError(
                f"layer_types has {len(self.layer_types)} entries for {self.num_hidden_layers} layers", "config"
            )
        if self.kv_lora_rank is not None and (self.kv_lora_rank < 1 or self.qk_rope_head_dim < 1):
            raise InputError("an MLA config needs positive kv_lora_rank and qk_rope_head_dim", "config")

    @property
    def attention_kind(self) -> str:
        """'mla' (latent cache), 'mha' (a KV head per query head) or 'gqa' (shared KV heads, MQA included)."""
        if self.kv_lora_rank is not None:
            return "mla"
        return "mha" if self.num_key_value_heads == self.num_attention_heads else "gqa"

    @property
    def is_moe(self) -> bool:
        return self.n_routed_experts > 0

    @property
    def tp_must_divide(self) -> int:
        """Tensor parallelism splits attention by query head, so TP must divide this (vLLM's check).

        GQA additionally replicates KV heads once TP exceeds num_key_value_heads; MLA's latent is
        replicated on every TP rank (see kv_replication in overhead.py).
        """
        return self.num_attention_heads

    @cached_property  # frozen, so safe to compute once
    def num_sliding_layers(self) -> int:
        if self.sliding_window is None:
            return 0
        if not self.layer_types:  # Mistral v0.1: every layer uses the window
            return self.num_hidden_layers
        return sum(1 for kind in self.layer_types if kind == "sliding_attention")

    @cached_property  # frozen, so safe to compute once
    def moe_layer_indices(self) -> tuple[int, ...]:
        """Layers whose MLP is a mixture of experts, by each family's rule (the defaults make the rules agree)."""
        if not self.is_moe:
            return ()
        skip = set(self.mlp_only_layers)
        return tuple(
            i
            for i in range(self.num_hidden_layers)
            if i not in skip
            and i >= self.first_k_dense_replace
            and i % self.moe_layer_freq == 0  # DeepSeek's moe_layer_freq
            and (i + 1) % self.decoder_sparse_step == 0
        )  # Qwen's decoder_sparse_step

    @cached_property  # frozen, so safe to compute once
    def ffn_width(self) -> int:
        """The widest MLP activation per token: dense width, or top-k experts plus shared experts."""
        moe = (
            self.num_experts_per_tok * self.moe_intermediate_size
            + self.n_shared_experts * self.shared_expert_intermediate_size
        )
        dense = self.intermediate_size if len(self.moe_layer_indices) < self.num_hidden_layers else 0
        return max(dense, moe if self.is_moe else 0)


@dataclass(frozen=True)
class ParamBreakdown:
    """Parameter counts by part; `total` is their sum, `active` what one token uses."""

    embedding: int
    attention: int  # projections, their biases, q/k norms, sinks, MLA's internal norms
    indexer: int  # GLM-5's sparse-attention indexer (wq_b, wk, k_norm, weights_proj)
    dense_mlp: int
    routed_experts: int  # all experts, all MoE layers
    shared_experts: int
    router: int
    norms: int  # the two per-layer RMSNorms and the final one
    lm_head: int  # 0 when tied to the embedding
    total: int
    active: int  # per token: everything except the routed experts it skips (input embedding included)
    active_compute: int  # active minus the input embedding table, which a token only indexes (one row)
    moe_layers: int
    dense_layers: int
    params_per_expert: int  # one routed expert in one layer
    n_routed_experts: int
    experts_per_token: int
    terms: tuple[Term, ...]


def _attention_params(a: Architecture) -> int:
    h = a.hidden_size
    if a.kv_lora_rank is not None:  # MLA, as in DeepseekV3Attention / GlmMoeDsaAttention
        qk = a.qk_nope_head_dim + a.qk_rope_head_dim
        bias = 1 if a.attention_bias else 0
        if a.q_lora_rank:
            q = (h + bias) * a.q_lora_rank + a.q_lora_rank + a.q_lora_rank * a.num_attention_heads * qk
        else:
            q = h * a.num_attention_heads * qk
        kv_a = (h + bias) * (a.kv_lora_rank + a.qk_rope_head_dim) + a.kv_lora_rank  # + kv_a_layernorm
        kv_b = a.kv_lora_rank * a.num_attention_heads * (a.qk_nope_head_dim + a.v_head_dim)
        o = a.num_attention_heads * a.v_head_dim * h + bias * h
        return q + kv_a + kv_b + o
    q_out, kv_out = a.num_attention_heads * a.head_dim, a.num_key_value_heads * a.head_dim
    params = h * (q_out + 2 * kv_out) + q_out * h
    if a.attention_bias or a.qkv_bias:
        params += q_out + 2 * kv_out
    if a.attention_bias:
        params += h  # o_proj bias
    if a.qk_norm:
        params += 2 * a.head_dim
    if a.attention_sinks:
        params += a.num_attention_heads
    return params


def _indexer_params(a: Architecture) -> int:
    if not a.index_n_heads:
        return 0
    query_in = a.q_lora_rank or a.hidden_size
    return (
        query_in * a.index_n_heads * a.index_head_dim  # wq_b
        + a.hidden_size * a.index_head_dim
        + 2 * a.index_head_dim  # wk, k_norm (LayerNorm: weight and bias)
        + a.hidden_size * a.index_n_heads
    )  # weights_proj


def _mlp_params(hidden: int, width: int, bias: bool) -> int:
    """A gated (SwiGLU) MLP: gate, up and down projections."""
    return 3 * hidden * width + ((2 * width + hidden) if bias else 0)


@lru_cache(maxsize=256)
def param_breakdown(arch: Architecture) -> ParamBreakdown:
    """Count parameters from the shape. Multi-token-prediction (MTP) layers are left out.

    DeepSeek-V3 and GLM-5 ship one MTP layer that speculative decoding can use; the official counts
    (671B and 744B) exclude it, and so do we (Hugging Face's 685B for DeepSeek-V3 includes it).
    """
    a, h = arch, arch.hidden_size
    layers = a.num_hidden_layers
    moe_layers = len(a.moe_layer_indices)
    dense_layers = layers - moe_layers
    embedding = a.vocab_size * h
    lm_head = 0 if a.tie_word_embeddings else a.vocab_size * h
    attention = layers * _attention_params(a)
    indexer = layers * _indexer_params(a)
    dense_mlp = dense_layers * _mlp_params(h, a.intermediate_size, a.mlp_bias)
    per_expert = _mlp_params(h, a.moe_intermediate_size, a.expert_bias) if a.is_moe else 0
    routed = moe_layers * a.n_routed_experts * per_expert
    shared = moe_layers * a.n_shared_experts * _mlp_params(h, a.shared_expert_intermediate_size, False)
    router = moe_layers * ((h + (1 if a.router_bias else 0)) * a.n_routed_experts + (h if a.shared_expert_gate else 0))
    norms = layers * 2 * h + h
    parts = {
        "embedding": embedding,
        "attention": attention,
        "indexer": indexer,
        "dense_mlp": dense_mlp,
        "routed_experts": routed,
        "shared_experts": shared,
        "router": router,
        "norms": norms,
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


@dataclass(frozen=True)
class KvBreakdown:
    """KV-cache bytes per token (averaged over the context when sliding windows cap some layers)."""

    bits: int
    context_tokens: int | None
    full_layers: int
    sliding_layers: int
    bytes_per_token: float
    indexer_bytes_per_token: float  # part of bytes_per_token (GLM-5's indexer keys)
    terms: tuple[Term, ...]


def _window_fraction(arch: Architecture, context_tokens: int | None) -> float:
    if not arch.num_sliding_layers or not context_tokens:
        return 1.0
    return min(context_tokens, arch.sliding_window) / context_tokens


def kv_bytes_per_token(arch: Architecture, kv_bits: int = 16, context_tokens: int | None = None) -> float:
    """KV-cache bytes one token adds across all layers (averaged over `context_tokens` if windows apply).

    GLM-5's indexer keys (index_head_dim per layer) are counted at the KV precision: the transformers
    implementation caches them in the model dtype. vLLM stores them in FP8 with a scale, so at 16-bit
    KV this slightly overstates GLM-5 (by ~9%). DeepSeek-V3 has no indexer.
    """
    a = arch
    if a.kv_lora_rank is not None:
        return (
            a.num_hidden_layers
            * (a.kv_lora_rank + a.qk_rope_head_dim + a.index_head_dim * (a.index_n_heads > 0))
            * kv_bits
            / 8
        )
    sliding = a.num_sliding_layers
    layers = a.num_hidden_layers - sliding + sliding * _window_fraction(a, context_tokens)
    return 2 * layers * a.num_key_value_heads * a.head_dim * kv_bits / 8


def kv_breakdown(arch: Architecture, kv_bits: int = 16, context_tokens: int | None = None) -> KvBreakdown:
    """kv_bytes_per_token with the formula that produced it."""
    a = arch
    sliding = a.num_sliding_layers
    indexer = 0.0
    if a.kv_lora_rank is not None:
        common = {
            "layers": a.num_hidden_layers,
            "kv_lora_rank": a.kv_lora_rank,
            "rope_dim": a.qk_rope_head_dim,
            "bits": kv_bits,
        }
        if a.index_n_heads:
            term = KV_MLA_INDEXER(**common, index_head_dim=a.index_head_dim)
            indexer = a.num_hidden_layers * a.index_head_dim * kv_bits / 8
        else:
            term = KV_MLA(**common)
    elif sliding:
        term = KV_SLIDING(
            full_layers=a.num_hidden_layers - sliding,
            sliding_layers=sliding,
            window_fraction=_window_fraction(a, context_tokens),
            kv_heads=a.num_key_value_heads,
            head_dim=a.head_dim,
            bits=kv_bits,
        )
    else:
        term = KV_STANDARD(
            layers=a.num_hidden_layers, kv_heads=a.num_key_value_heads, head_dim=a.head_dim, bits=kv_bits
        )
    return KvBreakdown(
        bits=kv_bits,
        context_tokens=context_tokens,
        full_layers=a.num_hidden_layers - sliding,
        sliding_layers=sliding,
        bytes_per_token=term.value,
        indexer_bytes_per_token=indexer,
        terms=(term,),
    )
