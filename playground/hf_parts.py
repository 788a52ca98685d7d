"""The family-specific parts of a config.json: experts, MLA, linear attention, Mamba blocks, Falcon's layout.

Each reader fills Architecture fields from the config (hf_config.from_config calls them) and follows the
named transformers class; a missing size is refused by hf_fields.need, naming the field.
"""

import math

from .errors import InputError
from .hf_fields import get, int_field, layer_list, need
from .hf_layers import ffn_pattern


def falcon(config: dict, fields: dict) -> None:
    """FalconDecoderLayer: fused query_key_value, non-gated 4h MLP, LayerNorms with bias."""
    if config.get("alibi"):
        raise InputError("config.json field 'alibi' is true: ALiBi Falcon variants are not supported", "config")
    fields["intermediate_size"] = int_field(config, "ffn_hidden_size", 4 * fields["hidden_size"])
    new_arch = bool(config.get("new_decoder_architecture"))
    if new_arch:  # ln_attn and ln_mlp, unless num_ln_in_parallel_attn says one
        fields["norms_per_layer"] = int_field(config, "num_ln_in_parallel_attn", 2)
    else:  # parallel attention shares input_layernorm; sequential blocks add post_attention_layernorm
        fields["norms_per_layer"] = 1 if config.get("parallel_attn", True) else 2


def experts(config: dict, family: dict, fields: dict) -> None:
    rule, layers = family["moe"], fields["num_hidden_layers"]
    if rule == "nemotron" and "moe" not in fields["ffn_types"]:
        return  # Nemotron-H without E layers is dense
    if rule == "jamba" and get(config, "num_experts", 16) <= 1:
        return
    width_field = {"qwen": "moe_intermediate_size", "deepseek": "moe_intermediate_size"}.get(rule, "intermediate_size")
    if rule == "nemotron":
        width_field = "moe_intermediate_size"
    fields.update(
        n_routed_experts=need(config, "n_routed_experts"),
        num_experts_per_tok=need(config, "num_experts_per_tok"),
        moe_intermediate_size=need(config, width_field),
    )
    if rule == "qwen":
        fields.update(
            decoder_sparse_step=int_field(config, "decoder_sparse_step", 1),
            mlp_only_layers=layer_list(config, "mlp_only_layers"),
        )
    if family.get("shared") and rule == "qwen":
        fields.update(
            n_shared_experts=1,
            shared_expert_gate=True,
            shared_expert_intermediate_size=need(config, "shared_expert_intermediate_size"),
        )
    if family.get("shared") and rule == "granite":
        fields.update(n_shared_experts=1, shared_expert_intermediate_size=need(config, "shared_intermediate_size"))
    if rule == "llama4":  # Llama4TextMoe: routed experts plus one shared expert of the same width
        fields.update(
            intermediate_size=need(config, "intermediate_size_mlp"),
            n_shared_experts=1,
            shared_expert_intermediate_size=fields["moe_intermediate_size"],
            ffn_types=ffn_pattern(config, layers, "llama4"),
        )
    if rule == "minimax":
        shared = int_field(config, "shared_intermediate_size", 0, minimum=0)
        fields.update(
            ffn_types=ffn_pattern(config, layers, "all_moe"),
            router_bias=bool(config.get("use_routing_bias", family.get("router_bias", False))),
        )
        if shared:
            fields.update(n_shared_experts=1, shared_expert_intermediate_size=shared)
    if rule == "granite":
        fields["ffn_types"] = ffn_pattern(config, layers, "all_moe")
    if rule == "jamba":
        fields["ffn_types"] = ffn_pattern(config, layers, "jamba")
    if rule == "nemotron":  # NemotronHMOE: non-gated experts, a shared expert, DeepSeek-style score bias
        shared = int_field(config, "moe_shared_expert_intermediate_size", 0, minimum=0)
        fields.update(router_bias=True, n_shared_experts=int(shared > 0), shared_expert_intermediate_size=shared)
    if rule == "deepseek":
        fields.update(
            n_shared_experts=int_field(config, "n_shared_experts", 1, minimum=0),
            shared_expert_intermediate_size=fields["moe_intermediate_size"],
            router_bias=config.get("topk_method", family.get("topk", "noaux_tc")) == "noaux_tc",  # score bias
            first_k_dense_replace=int_field(config, "first_k_dense_replace", family.get("first_dense", 3), minimum=0),
            moe_layer_freq=int_field(config, "moe_layer_freq", 1),
        )


def mla(config: dict, family: dict, fields: dict, heads: int) -> None:
    fields.update(
        q_lora_rank=_q_lora_rank(config),
        kv_lora_rank=need(config, "kv_lora_rank"),
        qk_nope_head_dim=need(config, "qk_nope_head_dim"),
        qk_rope_head_dim=need(config, "qk_rope_head_dim"),
        v_head_dim=need(config, "v_head_dim"),
        num_nextn_predict_layers=int_field(config, "num_nextn_predict_layers", 0, minimum=0),
    )
    fields["head_dim"] = fields["qk_nope_head_dim"] + fields["qk_rope_head_dim"]
    fields["num_key_value_heads"] = heads  # the latent serves every head
    if fields["model_type"] == "glm_moe_dsa":
        fields.update(
            index_n_heads=int_field(config, "index_n_heads", 32),
            index_head_dim=int_field(config, "index_head_dim", 128),
            index_topk=int_field(config, "index_topk", 2048),
        )


def _q_lora_rank(config: dict):
    """null = one q_proj (DeepSeek-V2-Lite); absent is refused: the class default (1536) would size another model."""
    if "q_lora_rank" not in config:
        raise InputError("config.json is missing 'q_lora_rank' (null when queries are not compressed)", "config")
    return int_field(config, "q_lora_rank", None, allow_none=True)


def linear_attention(config: dict, family: dict, fields: dict) -> None:
    kind = family["linear"]
    fields["linear_attention_kind"] = kind
    if kind == "gated_deltanet":  # Qwen3NextGatedDeltaNet
        fields.update(
            linear_num_key_heads=need(config, "linear_num_key_heads"),
            linear_num_value_heads=need(config, "linear_num_value_heads"),
            linear_key_head_dim=need(config, "linear_key_head_dim"),
            linear_value_head_dim=need(config, "linear_value_head_dim"),
            linear_conv_kernel_dim=need(config, "linear_conv_kernel_dim"),
        )


def mamba(config: dict, family: dict, fields: dict) -> None:
    version, hidden = family["mamba"], fields["hidden_size"]
    dtype = config.get("mamba_ssm_cache_dtype")
    if dtype not in (None, "auto", "float32", "bfloat16", "float16"):
        raise InputError(f"config.json field 'mamba_ssm_cache_dtype' is {dtype!r}; we know float32/16", "config")
    fields["ssm_state_bits"] = 32 if dtype == "float32" else 16
    if version == 1:  # JambaMambaMixer
        inner = int_field(config, "mamba_expand", 2) * hidden
        rank = config.get("mamba_dt_rank", "auto")
        fields.update(
            mamba_version=1,
            mamba_d_state=int_field(config, "mamba_d_state", 16),
            mamba_d_conv=int_field(config, "mamba_d_conv", 4),
            mamba_d_inner=inner,
            mamba_dt_rank=math.ceil(hidden / 16) if rank == "auto" else int_field(config, "mamba_dt_rank"),
            mamba_conv_bias=bool(config.get("mamba_conv_bias", True)),
            mamba_proj_bias=bool(config.get("mamba_proj_bias", False)),
            mamba_inner_norms=True,
        )
        return
    heads = need(config, "mamba_num_heads")  # NemotronHMamba2Mixer
    fields.update(
        mamba_version=2,
        mamba_num_heads=heads,
        mamba_d_inner=heads * need(config, "mamba_head_dim"),
        mamba_d_state=need(config, "ssm_state_size"),
        mamba_d_conv=int_field(config, "conv_kernel", 4),
        mamba_n_groups=int_field(config, "n_groups", 8),
        mamba_conv_bias=bool(config.get("use_conv_bias", True)),
        mamba_proj_bias=bool(config.get("use_bias", False)),
    )
