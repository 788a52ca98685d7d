"""A decoder-only model's shape, layer by layer, and its attention (KV) cache.

Field names follow transformers' configuration classes (LlamaConfig, MixtralConfig, Qwen2MoeConfig,
DeepseekV3Config, Gemma3TextConfig, Llama4TextConfig, Qwen3NextConfig, JambaConfig, NemotronHConfig, ...).
Each layer has a token mixer (full, sliding-window or chunked attention, linear attention, a Mamba SSM, or
none) and a feed-forward part (dense MLP, mixture of experts, or none). Nothing derived is stored: parameter
counts (params.py), the KV cache (here), the fixed per-sequence state (state.py) and FLOPs per token
(flops.py) are all computed from this one description, so a pasted config.json and a catalog entry go
through the same math.
"""

from dataclasses import dataclass
from functools import cached_property

from .errors import InputError
from .formula import Formula, Term

# Token mixers (Architecture.layer_types) and feed-forward kinds (Architecture.ffn_types).
FULL, SLIDING, CHUNKED = "full_attention", "sliding_attention", "chunked_attention"
LINEAR, MAMBA, NO_MIXER = "linear_attention", "mamba", "none"
MIXERS = (FULL, SLIDING, CHUNKED, LINEAR, MAMBA, NO_MIXER)
ATTENTION_MIXERS = (FULL, SLIDING, CHUNKED)
DENSE, MOE, NO_FFN = "dense", "moe", "none"
FFNS = (DENSE, MOE, NO_FFN)

_SYMBOLS = {
    "kv_bytes_per_token": ("K_t", "bytes", "KV cache per token"),
    "layers": ("L", "int", "layers with a KV cache"),
    "full_layers": ("L_f", "int", "full-attention layers"),
    "sliding_layers": ("L_s", "int", "sliding-window layers"),
    "chunked_layers": ("L_c", "int", "chunked-attention layers"),
    "window_fraction": ("min(C, w) / C", "number", "share of the context a window layer keeps"),
    "chunk_fraction": ("min(C, w_c) / C", "number", "share of the context a chunked layer keeps"),
    "kv_heads": ("n_kv", "int", "KV heads"),
    "head_dim": ("d", "int", "head dimension"),
    "bits": ("b", "int", "bits per value"),
    "kv_lora_rank": ("r_kv", "int", "latent rank"),
    "rope_dim": ("d_r", "int", "decoupled RoPE key dim"),
    "index_head_dim": ("d_i", "int", "indexer key dim"),
}
KV_STANDARD = Formula(
    "kv_bytes_per_token = 2 * layers * kv_heads * head_dim * bits / 8",
    why="every attention layer stores a key and a value vector per KV head",
    symbols=_SYMBOLS,
)
KV_SLIDING = Formula(
    "kv_bytes_per_token = 2 * (full_layers + sliding_layers * window_fraction) * kv_heads * head_dim * bits / 8",
    why="sliding-window layers keep only the last w tokens, so they stop growing",
    symbols=_SYMBOLS,
)
KV_CHUNKED = Formula(
    "kv_bytes_per_token = 2 * (full_layers + chunked_layers * chunk_fraction) * kv_heads * head_dim * bits / 8",
    why="chunked-attention layers attend within chunks of w_c tokens, so they keep at most one chunk",
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
    """The shape of a decoder-only model: dense or MoE, GQA or MLA, windows, linear attention, Mamba."""

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
    qk_norm: bool = False  # RMSNorm on each query and key head (qwen3, qwen3_moe, gemma3)
    qk_norm_full: bool = False  # one norm over all query heads and one over all key heads (olmo2, minimax_m2)
    attn_output_gate: bool = False  # q_proj also emits a per-channel output gate (qwen3_next)
    mlp_bias: bool = False
    mlp_gated: bool = True  # gate+up+down (SwiGLU/GeGLU); False: up+down only (falcon, nemotron_h)
    norms_per_layer: int = 2  # gemma2/3: 4 (pre and post norms); cohere, falcon-7b, nemotron_h: 1
    norm_bias: bool = False  # LayerNorm with a bias (falcon)
    attention_sinks: bool = False  # one learned logit per head (gpt-oss)
    sliding_window: int | None = None
    attention_chunk_size: int | None = None  # llama4: local attention within chunks of this many tokens
    layer_types: tuple[str, ...] = ()  # per-layer mixer (MIXERS); () = uniform (sliding if sliding_window set)
    ffn_types: tuple[str, ...] = ()  # per-layer feed-forward (FFNS); () = the MoE placement rules below
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
    index_topk: int = 0  # tokens the indexer selects for each query
    num_nextn_predict_layers: int = 0  # MTP layers: shipped in the checkpoint, not counted for serving
    # Linear attention (Qwen3-Next's Gated DeltaNet; MiniMax's lightning attention uses the attention heads)
    linear_attention_kind: str = ""  # "gated_deltanet" or "lightning"
    linear_num_key_heads: int = 0
    linear_num_value_heads: int = 0
    linear_key_head_dim: int = 0
    linear_value_head_dim: int = 0
    linear_conv_kernel_dim: int = 0
    # Mamba layers (Jamba: Mamba-1; Nemotron-H: Mamba-2)
    mamba_version: int = 0
    mamba_d_state: int = 0
    mamba_d_conv: int = 0
    mamba_d_inner: int = 0  # expand x hidden_size (Mamba-2: num_heads x head_dim)
    mamba_dt_rank: int = 0  # Mamba-1
    mamba_n_groups: int = 1  # Mamba-2
    mamba_num_heads: int = 0  # Mamba-2
    mamba_conv_bias: bool = True
    mamba_proj_bias: bool = False
    mamba_inner_norms: bool = False  # Jamba's RMSNorms on dt, B and C
    conv_state_bits: int = 16  # the convolution window is cached in the model dtype
    ssm_state_bits: int = 16  # the recurrent state: model dtype unless the config asks for float32
    language_model_of: str = ""  # the multimodal wrapper's model_type when only its text_config is sized

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
        for name, allowed in (("layer_types", MIXERS), ("ffn_types", FFNS)):
            kinds = getattr(self, name)
            if kinds and len(kinds) != self.num_hidden_layers:
                raise InputError(f"{name} has {len(kinds)} entries for {self.num_hidden_layers} layers", "config")
            unknown = sorted(set(kinds) - set(allowed))
            if unknown:
                raise InputError(f"config field '{name}' has a layer kind we cannot size: {unknown[0]!r}", "config")
        if MOE in self.ffn_types and not self.is_moe:
            raise InputError("the layer pattern has MoE layers but the config names no experts", "config")
        if self.kv_lora_rank is not None and (self.kv_lora_rank < 1 or self.qk_rope_head_dim < 1):
            raise InputError("an MLA config needs positive kv_lora_rank and qk_rope_head_dim", "config")
        if SLIDING in self.layer_types and not self.sliding_window:
            raise InputError("layer_types has sliding-attention layers but sliding_window is not set", "config")
        if CHUNKED in self.layer_types and not self.attention_chunk_size:
            raise InputError("chunked-attention layers need attention_chunk_size", "config")
        if self.layer_types and not any(kind in ATTENTION_MIXERS for kind in self.layer_types):
            raise InputError(
                "the layer pattern has no attention layer: pure state-space models are not sized here", "config"
            )
        if LINEAR in self.layer_types and MAMBA in self.layer_types:
            raise InputError("layer_types mixes linear-attention and Mamba layers; we cannot size both", "config")

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
    def mixers(self) -> tuple[str, ...]:
        """Each layer's token mixer."""
        if self.layer_types:
            return self.layer_types
        uniform = SLIDING if self.sliding_window else CHUNKED if self.attention_chunk_size else FULL
        return (uniform,) * self.num_hidden_layers  # Mistral v0.1: every layer uses the window

    @cached_property  # frozen, so safe to compute once
    def ffns(self) -> tuple[str, ...]:
        """Each layer's feed-forward part."""
        if self.ffn_types:
            return self.ffn_types
        moe = set(self._moe_by_rule())
        return tuple(MOE if i in moe else DENSE for i in range(self.num_hidden_layers))

    @property
    def num_sliding_layers(self) -> int:
        return self.mixers.count(SLIDING)

    @property
    def num_attention_layers(self) -> int:
        return sum(1 for kind in self.mixers if kind in ATTENTION_MIXERS)

    @property
    def num_state_layers(self) -> int:
        """Layers that keep a fixed-size recurrent state per sequence (linear attention, Mamba)."""
        return self.mixers.count(LINEAR) + self.mixers.count(MAMBA)

    @property
    def window_layers(self) -> tuple[int, int]:
        """(layers whose cache stops at a window, that window): sliding or chunked; (0, 0) if none."""
        sliding, chunked = self.mixers.count(SLIDING), self.mixers.count(CHUNKED)
        if sliding:
            return sliding + (chunked if self.attention_chunk_size == self.sliding_window else 0), self.sliding_window
        return (chunked, self.attention_chunk_size) if chunked else (0, 0)

    def layer_summary(self) -> str:
        """The layer mix in words, e.g. '12 full-attention + 36 linear-attention layers'."""
        names = {
            FULL: "full-attention",
            SLIDING: "sliding-window",
            CHUNKED: "chunked-attention",
            LINEAR: "linear-attention",
            MAMBA: "Mamba",
            NO_MIXER: "MLP-only",
        }
        counts = [(self.mixers.count(kind), names[kind]) for kind in MIXERS if kind in self.mixers]
        return " + ".join(f"{n} {name}" for n, name in counts) + " layers"

    def _moe_by_rule(self) -> tuple[int, ...]:
        if not self.is_moe:
            return ()
        skip = set(self.mlp_only_layers)
        return tuple(
            i
            for i in range(self.num_hidden_layers)
            if i not in skip
            and i >= self.first_k_dense_replace
            and i % self.moe_layer_freq == 0  # DeepSeek's moe_layer_freq
            and (i + 1) % self.decoder_sparse_step == 0  # Qwen's decoder_sparse_step
        )

    @cached_property  # frozen, so safe to compute once
    def moe_layer_indices(self) -> tuple[int, ...]:
        """Layers whose feed-forward part is a mixture of experts."""
        return tuple(i for i, kind in enumerate(self.ffns) if kind == MOE)

    @cached_property  # frozen, so safe to compute once
    def ffn_width(self) -> int:
        """The widest MLP activation per token: dense width, or top-k experts plus shared experts."""
        moe = (
            self.num_experts_per_tok * self.moe_intermediate_size
            + self.n_shared_experts * self.shared_expert_intermediate_size
        )
        dense = self.intermediate_size if DENSE in self.ffns else 0
        return max(dense, moe if self.is_moe else 0)


@dataclass(frozen=True)
class KvBreakdown:
    """KV-cache bytes per token (averaged over the context when windows cap some layers)."""

    bits: int
    context_tokens: int | None
    full_layers: int
    sliding_layers: int  # layers capped by a window (sliding or chunked)
    bytes_per_token: float
    indexer_bytes_per_token: float  # part of bytes_per_token (GLM-5's indexer keys)
    terms: tuple[Term, ...]


def _fraction(window: int | None, context_tokens: int | None) -> float:
    if not window or not context_tokens:
        return 1.0
    return min(context_tokens, window) / context_tokens


def kv_bytes_per_token(arch: Architecture, kv_bits: int = 16, context_tokens: int | None = None) -> float:
    """Attention-cache bytes one token adds across all layers (averaged over `context_tokens` if windows apply).

    Linear-attention and Mamba layers add nothing here: their fixed state is state.py's. GLM-5's indexer
    keys (index_head_dim per layer) are counted at the KV precision: the transformers implementation
    caches them in the model dtype. vLLM stores them in FP8 with a scale, so at 16-bit KV this slightly
    overstates GLM-5 (by ~9%). DeepSeek-V3 has no indexer.
    """
    return kv_breakdown(arch, kv_bits, context_tokens).bytes_per_token


def kv_breakdown(arch: Architecture, kv_bits: int = 16, context_tokens: int | None = None) -> KvBreakdown:
    """kv_bytes_per_token with the formula that produced it."""
    a = arch
    mixers = a.mixers
    full, sliding, chunked = mixers.count(FULL), mixers.count(SLIDING), mixers.count(CHUNKED)
    indexer = 0.0
    shape = {"kv_heads": a.num_key_value_heads, "head_dim": a.head_dim, "bits": kv_bits}
    if a.kv_lora_rank is not None:
        common = {
            "layers": full + sliding + chunked,
            "kv_lora_rank": a.kv_lora_rank,
            "rope_dim": a.qk_rope_head_dim,
            "bits": kv_bits,
        }
        if a.index_n_heads:
            term = KV_MLA_INDEXER(**common, index_head_dim=a.index_head_dim)
            indexer = common["layers"] * a.index_head_dim * kv_bits / 8
        else:
            term = KV_MLA(**common)
    elif sliding and chunked:  # no released model mixes both; kept exact with two window terms
        term = KV_SLIDING(
            full_layers=full + chunked * _fraction(a.attention_chunk_size, context_tokens),
            sliding_layers=sliding,
            window_fraction=_fraction(a.sliding_window, context_tokens),
            **shape,
        )
    elif sliding:
        term = KV_SLIDING(
            full_layers=full,
            sliding_layers=sliding,
            window_fraction=_fraction(a.sliding_window, context_tokens),
            **shape,
        )
    elif chunked:
        term = KV_CHUNKED(
            full_layers=full,
            chunked_layers=chunked,
            chunk_fraction=_fraction(a.attention_chunk_size, context_tokens),
            **shape,
        )
    else:
        term = KV_STANDARD(layers=full, **shape)
    return KvBreakdown(
        bits=kv_bits,
        context_tokens=context_tokens,
        full_layers=full,
        sliding_layers=sliding + chunked,
        bytes_per_token=term.value,
        indexer_bytes_per_token=indexer,
        terms=(term,),
    )


from .params import ParamBreakdown, param_breakdown  # noqa: E402  (re-exported: params.py counts this shape)

__all__ = ["Architecture", "KvBreakdown", "ParamBreakdown", "kv_breakdown", "kv_bytes_per_token", "param_breakdown"]
