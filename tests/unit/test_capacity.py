"""vLLM-style KV pool sizing, checked against the vLLM log in shared/reference/README.md."""

import pytest

from playground.capacity import capacity
from playground.gpus import get_gpu
from playground.units import GiB

# vLLM log, Llama-3-8B BF16 on 1x H100 (shared/reference/README.md): 79.22 GiB x 0.90 = 71.29 GiB;
# weights 14.96, non-torch 1.79, activations 1.26, KV cache 53.29 GiB (~436k tokens).
# Llama 3.1 8B has Llama 3 8B's shape, so its catalog entry stands in for it.


def test_h100_usable_memory_is_what_vllm_reports():
    """An H100 '80 GB' shows 79.22 GiB to vLLM; 90% of it is 71.29 GiB."""
    h100 = get_gpu("h100-sxm")
    assert h100.usable_memory_bytes / GiB == pytest.approx(79.22, abs=0.005)
    assert 0.90 * h100.usable_memory_bytes / GiB == pytest.approx(71.29, abs=0.01)


def test_vllm_log_parts_single_gpu():
    """Weights, non-torch memory and activations match the log within 10%."""
    c = capacity("llama-3.1-8b", "h100-sxm", 1, "bf16")
    assert c.weights_per_gpu_bytes / GiB == pytest.approx(14.96, rel=0.10)
    assert (c.non_torch_bytes + c.nccl_bytes) / GiB == pytest.approx(1.79, rel=0.10)
    assert c.activation_bytes / GiB == pytest.approx(1.26, rel=0.10)


def test_vllm_log_kv_pool_with_default_cuda_graphs():
    """With our default 0.5 GiB of CUDA graphs the pool is within 10% of the log's 53.29 GiB / ~436k tokens."""
    c = capacity("llama-3.1-8b", "h100-sxm", 1, "bf16")
    assert c.kv_pool_bytes / GiB == pytest.approx(53.29, rel=0.10)
    assert c.kv_tokens == pytest.approx(436_000, rel=0.10)


def test_vllm_log_kv_pool_as_that_version_computed_it():
    """That vLLM version took CUDA graphs from the headroom; with graphs at 0 we land within 0.1%."""
    c = capacity("llama-3.1-8b", "h100-sxm", 1, "bf16", cuda_graph_bytes=0)
    assert c.kv_pool_bytes / GiB == pytest.approx(53.29, rel=0.001)
    assert c.kv_tokens == pytest.approx(436_000, rel=0.002)


def test_vllm_log_tensor_parallel_two():
    """The log at TP=2: 7.48 GiB of weights and 3.58 GiB non-torch memory per GPU (NCCL included)."""
    c = capacity("llama-3.1-8b", "h100-sxm", 2, "bf16")
    assert c.weights_per_gpu_bytes / GiB == pytest.approx(7.48, rel=0.01)
    assert (c.non_torch_bytes + c.nccl_bytes) / GiB == pytest.approx(3.58, rel=0.01)
    assert c.layout.tensor_parallel == 2


def test_max_users_and_context_use_the_same_pool():
    """max_users at C and max_context at those users agree: U x C fits, U x (C_max + 1) does not."""
    c = capacity("llama-3.1-70b", "h100-sxm", 4, "fp8", context_tokens=32768, users=8)
    assert c.context_limited_by == "memory"
    assert c.max_users * 32768 * c.kv_bytes_per_token <= c.kv_pool_bytes
    assert (c.max_users + 1) * 32768 * c.kv_bytes_per_token > c.kv_pool_bytes
    assert 8 * c.max_context * c.kv_bytes_per_token <= c.kv_pool_bytes
    assert 8 * (c.max_context + 1) * c.kv_bytes_per_token > c.kv_pool_bytes


def test_all_window_model_is_limited_by_its_trained_length():
    """Mistral 7B's windows cap every layer, so once 4096 tokens fit, only max_position_embeddings limits."""
    c = capacity("mistral-7b", "h100-sxm", 1, "bf16", users=10)
    assert c.max_context == 32768 and c.context_limited_by == "model"


def test_partial_window_model_grows_past_the_window():
    """gpt-oss-120b: window layers stop at 128 tokens, so context beyond it costs only the full layers."""
    c = capacity("gpt-oss-120b", "h200-sxm", 1, "int4", users=50)
    per_layer = 2 * 8 * 64 * 2  # bytes per token per layer, 16-bit KV
    assert c.fits and c.context_limited_by == "memory"
    assert 50 * per_layer * (18 * c.max_context + 18 * 128) <= c.kv_pool_bytes


def test_not_fitting_is_an_answer_not_an_error():
    """Llama 3.1 405B in BF16 on 8 H100s leaves no KV pool: fits=False, zero capacity."""
    c = capacity("llama-3.1-405b", "h100-sxm", 8, "bf16")
    assert not c.fits and c.kv_pool_bytes == 0 and c.max_users == 0 and c.kv_tokens == 0
    assert "Does not fit" in c.reason


def test_mla_cache_is_replicated_across_tensor_parallel_ranks():
    """DeepSeek-V3 at TP=8 keeps the latent on every rank: 8 copies, so 1/8 of the tokens of a split cache."""
    c = capacity("deepseek-v3", "h200-sxm", 8, "fp8", context_tokens=8192)
    assert c.layout.kv_replication == 8
    assert c.kv_tokens == int(c.kv_pool_bytes // (c.kv_bytes_per_token * 8))
