"""The model catalog: each entry is its config.json's shape fields, read by the same code as a pasted config.

Official parameter counts are kept beside each entry only so tests and pages can compare them with
what we compute from the shape; nothing is sized from them.
"""

from dataclasses import dataclass

from .architecture import Architecture
from .errors import InputError
from .hf_config import from_config

RETRIEVED = "2026-11-28"
_HF = "https://huggingface.co/{}/blob/main/config.json"


@dataclass(frozen=True)
class Model:
    """A catalog model: its shape plus where the numbers come from."""

    id: str
    name: str
    arch: Architecture
    source: str  # the config.json the shape was copied from
    retrieved: str
    default: bool  # one of the sizes the pages show first
    notes: str
    official_params_total: float  # as published (model card or paper), for comparison only
    official_params_active: float
    official_source: str
    release_precision: str = "bf16"  # the format the publisher ships the weights in (precision ids)


def _llama(layers, hidden, heads, kv_heads, ffn, vocab, max_pos):
    return {
        "model_type": "llama",
        "num_hidden_layers": layers,
        "hidden_size": hidden,
        "num_attention_heads": heads,
        "num_key_value_heads": kv_heads,
        "intermediate_size": ffn,
        "vocab_size": vocab,
        "max_position_embeddings": max_pos,
        "tie_word_embeddings": False,
    }


_DEEPSEEK_V3 = {
    "model_type": "deepseek_v3",
    "num_hidden_layers": 61,
    "hidden_size": 7168,
    "intermediate_size": 18432,
    "moe_intermediate_size": 2048,
    "num_attention_heads": 128,
    "num_key_value_heads": 128,
    "vocab_size": 129280,
    "q_lora_rank": 1536,
    "kv_lora_rank": 512,
    "qk_nope_head_dim": 128,
    "qk_rope_head_dim": 64,
    "v_head_dim": 128,
    "n_routed_experts": 256,
    "n_shared_experts": 1,
    "num_experts_per_tok": 8,
    "first_k_dense_replace": 3,
    "moe_layer_freq": 1,
    "topk_method": "noaux_tc",
    "num_nextn_predict_layers": 1,
    "max_position_embeddings": 163840,
    "tie_word_embeddings": False,
}
_GLM5 = {
    "model_type": "glm_moe_dsa",
    "num_hidden_layers": 78,
    "hidden_size": 6144,
    "intermediate_size": 12288,
    "moe_intermediate_size": 2048,
    "num_attention_heads": 64,
    "num_key_value_heads": 64,
    "vocab_size": 154880,
    "q_lora_rank": 2048,
    "kv_lora_rank": 512,
    "qk_nope_head_dim": 192,
    "qk_rope_head_dim": 64,
    "v_head_dim": 256,
    "n_routed_experts": 256,
    "n_shared_experts": 1,
    "num_experts_per_tok": 8,
    "first_k_dense_replace": 3,
    "index_n_heads": 32,
    "index_head_dim": 128,
    "index_topk": 2048,
    "num_nextn_predict_layers": 1,
    "max_position_embeddings": 202752,
    "tie_word_embeddings": False,
}


def _llama32(layers, hidden, heads, ffn, head_dim):
    """Llama 3.2 1B/3B: tied embeddings, explicit head_dim."""
    return {
        **_llama(layers, hidden, heads, 8, ffn, 128256, 131072),
        "head_dim": head_dim,
        "tie_word_embeddings": True,
    }


def _qwen3(layers, hidden, heads, kv_heads, ffn):
    """Qwen3 dense: QK-norm, head_dim 128, no sliding window in the released configs."""
    return {
        "model_type": "qwen3",
        "num_hidden_layers": layers,
        "hidden_size": hidden,
        "num_attention_heads": heads,
        "num_key_value_heads": kv_heads,
        "head_dim": 128,
        "intermediate_size": ffn,
        "vocab_size": 151936,
        "use_sliding_window": False,
        "max_position_embeddings": 40960,
        "tie_word_embeddings": False,
    }


def _gpt_oss(layers, experts):
    return {
        "model_type": "gpt_oss",
        "num_hidden_layers": layers,
        "hidden_size": 2880,
        "intermediate_size": 2880,
        "num_attention_heads": 64,
        "num_key_value_heads": 8,
        "head_dim": 64,
        "vocab_size": 201088,
        "num_local_experts": experts,
        "num_experts_per_tok": 4,
        "sliding_window": 128,
        "layer_types": ["sliding_attention" if i % 2 == 0 else "full_attention" for i in range(layers)],
        "attention_bias": True,
        "max_position_embeddings": 131072,
        "tie_word_embeddings": False,
    }


_REFERENCE = "model card; table in shared/reference/README.md"
_ENTRIES = (
    # id, name, hub repo, default, config, official total, official active, where the official count is, notes
    (
        "llama-2-7b",
        "Llama 2 7B",
        "meta-llama/Llama-2-7b-hf",
        True,
        _llama(32, 4096, 32, 32, 11008, 32000, 4096),
        6.74e9,
        6.74e9,
        _REFERENCE,
        "MHA: one KV head per query head, so its KV cache is 4x Llama 3.1 8B's.",
    ),
    (
        "llama-2-13b",
        "Llama 2 13B",
        "meta-llama/Llama-2-13b-hf",
        True,
        _llama(40, 5120, 40, 40, 13824, 32000, 4096),
        13.0e9,
        13.0e9,
        _REFERENCE,
        "MHA, 4k context.",
    ),
    (
        "llama-3.1-8b",
        "Llama 3.1 8B",
        "meta-llama/Llama-3.1-8B",
        False,
        _llama(32, 4096, 32, 8, 14336, 128256, 131072),
        8.03e9,
        8.03e9,
        _REFERENCE,
        "GQA with 8 KV heads.",
    ),
    (
        "llama-3.1-70b",
        "Llama 3.1 70B",
        "meta-llama/Llama-3.1-70B",
        True,
        _llama(80, 8192, 64, 8, 28672, 128256, 131072),
        70.6e9,
        70.6e9,
        _REFERENCE,
        "GQA with 8 KV heads.",
    ),
    (
        "llama-3.1-405b",
        "Llama 3.1 405B",
        "meta-llama/Llama-3.1-405B",
        True,
        _llama(126, 16384, 128, 8, 53248, 128256, 131072),
        405e9,
        405e9,
        _REFERENCE,
        "GQA with 8 KV heads; 16-bit weights alone exceed one 8x H100 node.",
    ),
    (
        "mistral-7b",
        "Mistral 7B v0.1",
        "mistralai/Mistral-7B-v0.1",
        False,
        {
            "model_type": "mistral",
            "num_hidden_layers": 32,
            "hidden_size": 4096,
            "num_attention_heads": 32,
            "num_key_value_heads": 8,
            "intermediate_size": 14336,
            "vocab_size": 32000,
            "sliding_window": 4096,
            "max_position_embeddings": 32768,
            "tie_word_embeddings": False,
        },
        7.24e9,
        7.24e9,
        _REFERENCE,
        "Sliding-window attention (4096) in every layer: its KV cache stops growing.",
    ),
    (
        "mixtral-8x7b",
        "Mixtral 8x7B",
        "mistralai/Mixtral-8x7B-v0.1",
        False,
        {
            "model_type": "mixtral",
            "num_hidden_layers": 32,
            "hidden_size": 4096,
            "num_attention_heads": 32,
            "num_key_value_heads": 8,
            "intermediate_size": 14336,
            "vocab_size": 32000,
            "num_local_experts": 8,
            "num_experts_per_tok": 2,
            "sliding_window": None,
            "max_position_embeddings": 32768,
            "tie_word_embeddings": False,
        },
        46.7e9,
        12.9e9,
        "Mistral AI, 'Mixtral of experts' (2023); " + _REFERENCE,
        "8 experts, top-2 per token.",
    ),
    (
        "gpt-oss-120b",
        "gpt-oss-120b",
        "openai/gpt-oss-120b",
        False,
        _gpt_oss(36, 128),
        116.83e9,
        5.13e9,
        "OpenAI gpt-oss model card (2025), parameter table; " + _REFERENCE,
        "128 experts, top-4; sliding window 128 on alternate layers; attention sinks and biases. "
        "OpenAI's active count leaves out the input embedding.",
    ),
    (
        "deepseek-v3",
        "DeepSeek-V3",
        "deepseek-ai/DeepSeek-V3",
        False,
        _DEEPSEEK_V3,
        671e9,
        37e9,
        "DeepSeek-V3 technical report (arXiv 2412.19437); " + _REFERENCE,
        "MLA (cached latent 512 + RoPE key 64), 256 routed + 1 shared experts, top-8. The checkpoint's extra MTP "
        "layer (685B on Hugging Face) is not counted.",
    ),
    (
        "glm-5",
        "GLM-5",
        "zai-org/GLM-5",
        True,
        _GLM5,
        744e9,
        40e9,
        "GLM-5 model README (zai-org/GLM-5); " + _REFERENCE,
        "The 745B MoE: MLA plus DeepSeek sparse attention (an indexer picks 2048 tokens), 256 routed + 1 shared "
        "experts, top-8; the MTP layer is not counted.",
    ),
    (
        "gpt-oss-20b",
        "gpt-oss-20b",
        "openai/gpt-oss-20b",
        False,
        _gpt_oss(24, 32),
        20.91e9,
        3.61e9,
        "OpenAI gpt-oss model card (2025), parameter table",
        "32 experts, top-4; same attention as gpt-oss-120b.",
    ),
    (
        "qwen2.5-7b",
        "Qwen2.5 7B",
        "Qwen/Qwen2.5-7B",
        False,
        {
            "model_type": "qwen2",
            "num_hidden_layers": 28,
            "hidden_size": 3584,
            "num_attention_heads": 28,
            "num_key_value_heads": 4,
            "intermediate_size": 18944,
            "vocab_size": 152064,
            "use_sliding_window": False,
            "max_position_embeddings": 131072,
            "tie_word_embeddings": False,
        },
        7.61e9,
        7.61e9,
        "Qwen2.5-7B model card ('Number of Parameters: 7.61B')",
        "GQA with 4 KV heads; q/k/v biases.",
    ),
    (
        "qwen3-30b-a3b",
        "Qwen3 30B-A3B",
        "Qwen/Qwen3-30B-A3B",
        False,
        {
            "model_type": "qwen3_moe",
            "num_hidden_layers": 48,
            "hidden_size": 2048,
            "num_attention_heads": 32,
            "num_key_value_heads": 4,
            "head_dim": 128,
            "intermediate_size": 6144,
            "moe_intermediate_size": 768,
            "num_experts": 128,
            "num_experts_per_tok": 8,
            "decoder_sparse_step": 1,
            "mlp_only_layers": [],
            "vocab_size": 151936,
            "max_position_embeddings": 40960,
            "tie_word_embeddings": False,
        },
        30.5e9,
        3.3e9,
        "Qwen3-30B-A3B model card ('30.5B in total and 3.3B activated')",
        "128 experts, top-8, QK-norm, 4 KV heads.",
    ),
)

_ENTRIES += (
    (
        "llama-3.3-70b",
        "Llama 3.3 70B Instruct",
        "meta-llama/Llama-3.3-70B-Instruct",
        False,
        _llama(80, 8192, 64, 8, 28672, 128256, 131072),
        70.6e9,
        70.6e9,
        "Llama 3.3 model card (70B; 70.6B in the safetensors index); same shape as Llama 3.1 70B",
        "Llama 3.1 70B's architecture with a newer post-training; what MLPerf Inference 5.x and most 70B "
        "benchmarks run.",
    ),
    (
        "llama-2-70b",
        "Llama 2 70B",
        "meta-llama/Llama-2-70b-hf",
        False,
        _llama(80, 8192, 64, 8, 28672, 32000, 4096),
        69.0e9,
        69.0e9,
        "Llama 2 paper (Touvron et al. 2023, arXiv 2307.09288: 70B); 68.98B in the safetensors index",
        "The MLPerf Inference LLM benchmark model; GQA with 8 KV heads, 4k context.",
    ),
    (
        "llama-3.2-1b",
        "Llama 3.2 1B",
        "meta-llama/Llama-3.2-1B",
        False,
        _llama32(16, 2048, 32, 8192, 64),
        1.23e9,
        1.23e9,
        "Llama 3.2 model card (1.23B); tied input and output embeddings",
        "Tied embeddings: one 128256 x 2048 table serves as input embedding and output head.",
    ),
    (
        "llama-3.2-3b",
        "Llama 3.2 3B",
        "meta-llama/Llama-3.2-3B",
        False,
        _llama32(28, 3072, 24, 8192, 128),
        3.21e9,
        3.21e9,
        "Llama 3.2 model card (3.21B); tied input and output embeddings",
        "Tied embeddings; GQA with 8 KV heads.",
    ),
    (
        "qwen3-8b",
        "Qwen3 8B",
        "Qwen/Qwen3-8B",
        False,
        _qwen3(36, 4096, 32, 8, 12288),
        8.2e9,
        8.2e9,
        "Qwen3-8B model card ('Number of Parameters: 8.2B')",
        "QK-norm, GQA with 8 KV heads.",
    ),
    (
        "qwen3-32b",
        "Qwen3 32B",
        "Qwen/Qwen3-32B",
        False,
        _qwen3(64, 5120, 64, 8, 25600),
        32.8e9,
        32.8e9,
        "Qwen3-32B model card ('Number of Parameters: 32.8B')",
        "QK-norm, GQA with 8 KV heads.",
    ),
    (
        "qwen3-235b-a22b",
        "Qwen3 235B-A22B",
        "Qwen/Qwen3-235B-A22B",
        False,
        {
            "model_type": "qwen3_moe",
            "num_hidden_layers": 94,
            "hidden_size": 4096,
            "num_attention_heads": 64,
            "num_key_value_heads": 4,
            "head_dim": 128,
            "intermediate_size": 12288,
            "moe_intermediate_size": 1536,
            "num_experts": 128,
            "num_experts_per_tok": 8,
            "decoder_sparse_step": 1,
            "mlp_only_layers": [],
            "vocab_size": 151936,
            "max_position_embeddings": 40960,
            "tie_word_embeddings": False,
        },
        235e9,
        22e9,
        "Qwen3-235B-A22B model card ('235B in total and 22B activated')",
        "128 experts, top-8, QK-norm, 4 KV heads; every layer is MoE.",
    ),
    (
        "deepseek-r1",
        "DeepSeek-R1",
        "deepseek-ai/DeepSeek-R1",
        False,
        _DEEPSEEK_V3,
        671e9,
        37e9,
        "DeepSeek-R1 model card (671B total, 37B activated; arXiv 2501.12948)",
        "DeepSeek-V3's architecture (same config.json shape), released in FP8; the MTP layer is not counted.",
    ),
    (
        "mixtral-8x22b",
        "Mixtral 8x22B",
        "mistralai/Mixtral-8x22B-v0.1",
        False,
        {
            "model_type": "mixtral",
            "num_hidden_layers": 56,
            "hidden_size": 6144,
            "num_attention_heads": 48,
            "num_key_value_heads": 8,
            "intermediate_size": 16384,
            "vocab_size": 32000,
            "num_local_experts": 8,
            "num_experts_per_tok": 2,
            "sliding_window": None,
            "max_position_embeddings": 65536,
            "tie_word_embeddings": False,
        },
        141e9,
        39e9,
        "Mistral AI, 'Cheaper, Better, Faster, Stronger' (Mixtral 8x22B announcement, 2024: 141B, 39B active)",
        "8 experts, top-2, GQA with 8 KV heads.",
    ),
)

# what each publisher ships (config.json quantization_config): gpt-oss's experts in MXFP4 with the rest in
# BF16; DeepSeek's block-wise FP8 (e4m3, 128 x 128). Every other catalog model ships BF16.
_RELEASE_PRECISION = {"gpt-oss-120b": "mxfp4", "gpt-oss-20b": "mxfp4", "deepseek-v3": "fp8", "deepseek-r1": "fp8"}


# Issue 16: families read by the general config reader (chunked attention, multimodal wrappers, linear
# attention). Kept as their own block so catalog additions elsewhere merge cleanly.
def _llama4(experts: int, moe_step: int, max_pos: int, qk_norm: bool) -> dict:
    """Llama 4's multimodal config.json; only text_config is sized (the vision encoder is not)."""
    return {
        "model_type": "llama4",
        "text_config": {
            "model_type": "llama4_text",
            "num_hidden_layers": 48,
            "hidden_size": 5120,
            "intermediate_size": 8192,  # one expert (and the shared expert)
            "intermediate_size_mlp": 16384,  # the dense MLP of non-MoE layers
            "num_attention_heads": 40,
            "num_key_value_heads": 8,
            "head_dim": 128,
            "vocab_size": 202048,
            "num_local_experts": experts,
            "num_experts_per_tok": 1,
            "interleave_moe_layer_step": moe_step,
            "attention_chunk_size": 8192,
            "no_rope_layers": [1, 1, 1, 0] * 12,  # every 4th layer is global NoPE attention
            "use_qk_norm": qk_norm,
            "max_position_embeddings": max_pos,
            "tie_word_embeddings": False,
        },
    }


_GEMMA3_27B = {
    "model_type": "gemma3",
    "text_config": {
        "model_type": "gemma3_text",
        "vocab_size": 262208,
        "num_hidden_layers": 62,
        "hidden_size": 5376,
        "intermediate_size": 21504,
        "num_attention_heads": 32,
        "num_key_value_heads": 16,
        "head_dim": 128,
        "sliding_window": 1024,
        "sliding_window_pattern": 6,
        "query_pre_attn_scalar": 168,
        "max_position_embeddings": 131072,
    },
}
_QWEN3_NEXT = {
    "model_type": "qwen3_next",
    "num_hidden_layers": 48,
    "hidden_size": 2048,
    "intermediate_size": 5120,
    "num_attention_heads": 16,
    "num_key_value_heads": 2,
    "head_dim": 256,
    "full_attention_interval": 4,
    "linear_num_key_heads": 16,
    "linear_num_value_heads": 32,
    "linear_key_head_dim": 128,
    "linear_value_head_dim": 128,
    "linear_conv_kernel_dim": 4,
    "num_experts": 512,
    "num_experts_per_tok": 10,
    "moe_intermediate_size": 512,
    "shared_expert_intermediate_size": 512,
    "decoder_sparse_step": 1,
    "mlp_only_layers": [],
    "vocab_size": 151936,
    "use_sliding_window": False,
    "max_position_embeddings": 262144,
    "tie_word_embeddings": False,
}
_ARCH_ENTRIES = (
    (
        "llama-4-scout",
        "Llama 4 Scout",
        "meta-llama/Llama-4-Scout-17B-16E-Instruct",
        False,
        _llama4(16, 1, 10485760, True),
        109e9,
        17e9,
        "Llama 4 model card (meta-llama/Llama-4-Scout-17B-16E-Instruct): 17B activated, 109B total",
        "16 experts + 1 shared, top-1 in every layer; chunked attention (8192-token chunks) in 3 of 4 layers, "
        "global NoPE attention in every 4th. Sized as its language model: Meta's 109B also counts the vision "
        "encoder.",
    ),
    (
        "llama-4-maverick",
        "Llama 4 Maverick",
        "meta-llama/Llama-4-Maverick-17B-128E-Instruct",
        False,
        _llama4(128, 2, 1048576, False),
        400e9,
        17e9,
        "Llama 4 model card (meta-llama/Llama-4-Maverick-17B-128E-Instruct): 17B activated, 400B total",
        "128 experts + 1 shared, top-1, in alternate layers (dense MLPs between); chunked attention like Scout. "
        "Sized as its language model.",
    ),
    (
        "gemma-3-27b",
        "Gemma 3 27B",
        "google/gemma-3-27b-it",
        False,
        _GEMMA3_27B,
        27.016e9,
        27.016e9,
        "Gemma 3 technical report (arXiv 2503.19786), Table 1: 1,416M embedding + 25,600M non-embedding "
        "parameters (the 417M vision encoder not included)",
        "Text model of the multimodal checkpoint: 5 sliding-window layers (1024 tokens) per global layer, so "
        "its KV cache nearly stops growing past 1k tokens; GQA with 16 KV heads; tied embeddings.",
    ),
    (
        "qwen3-next-80b-a3b",
        "Qwen3-Next 80B-A3B",
        "Qwen/Qwen3-Next-80B-A3B-Instruct",
        False,
        _QWEN3_NEXT,
        80e9,
        3e9,
        "Qwen3-Next-80B-A3B-Instruct model card ('80B in total and 3B activated')",
        "Hybrid: 36 Gated DeltaNet (linear attention) layers keep a fixed state per sequence, 12 gated "
        "full-attention layers keep a KV cache; 512 experts, top-10 plus one shared. The MTP layer is not "
        "counted.",
    ),
)

MODELS: tuple[Model, ...] = tuple(
    Model(
        id=mid,
        name=name,
        arch=from_config(cfg),
        source=_HF.format(repo),
        retrieved=RETRIEVED,
        default=default,
        notes=notes,
        official_params_total=total,
        official_params_active=active,
        official_source=where,
        release_precision=_RELEASE_PRECISION.get(mid, "bf16"),
    )
    for mid, name, repo, default, cfg, total, active, where, notes in (*_ENTRIES, *_ARCH_ENTRIES)
)
# the seed's five sizes, smallest first
DEFAULT_MODEL_IDS = ("llama-2-7b", "llama-2-13b", "llama-3.1-70b", "llama-3.1-405b", "glm-5")
_BY_ID = {m.id: m for m in MODELS}


def get_model(model_id: str) -> Model:
    """The catalog entry for an id, or an InputError listing the valid ids."""
    model = _BY_ID.get(str(model_id).strip().lower())
    if model is None:
        raise InputError(f"unknown model {model_id!r}; choose one of: {', '.join(_BY_ID)}", "model")
    return model
