"""GPU recommendations: counts follow the memory math and tensor-parallel sizes."""

import pytest

from playground.errors import InputError
from playground.gpus import GPUS, get_gpu
from playground.recommend import compare_gpus, recommend
from playground.vram import estimate


def test_llama_8b_fits_one_h100():
    """Llama 3.1 8B BF16, 1 user x 8k: ~21 GB against a 76.6 GB budget fits one H100."""
    fit = recommend(estimate("llama-3.1-8b", "bf16", 1, 8192), get_gpu("h100-sxm"))
    assert fit.gpu_count == 1 and fit.fits_single_gpu and fit.fits_single_node


def test_405b_bf16_needs_two_h100_nodes():
    """405B BF16 weights are 812 GB: 101 GB per GPU on 8 H100s exceeds the 76.6 GB budget, so 2 nodes."""
    fit = recommend(estimate("llama-3.1-405b", "bf16", 1, 8192), get_gpu("h100-sxm"))
    assert fit.gpu_count == 16 and fit.nodes == 2 and not fit.fits_single_node
    assert (fit.tensor_parallel, fit.pipeline_parallel) == (8, 2)


def test_405b_fp8_fits_one_h100_node():
    """405B FP8 (406 GB) fits one 8x H100 node, and 4 would not (109 GB per GPU)."""
    fit = recommend(estimate("llama-3.1-405b", "fp8", 1, 8192), get_gpu("h100-sxm"))
    assert fit.gpu_count == 8 and fit.nodes == 1 and fit.fits_single_node and not fit.fits_single_gpu


def test_405b_bf16_fits_one_h200_node():
    """141 GB H200s hold 405B BF16 in one node of 8."""
    fit = recommend(estimate("llama-3.1-405b", "bf16", 1, 8192), get_gpu("h200-sxm"))
    assert fit.gpu_count == 8 and fit.fits_single_node


def test_counts_are_tensor_parallel_sizes():
    """Every recommended in-node count is a power of two; beyond a node, a whole number of nodes."""
    for model, precision, users in (("llama-3.1-70b", "bf16", 64), ("glm-5", "bf16", 1), ("llama-2-13b", "fp32", 8)):
        for fit in compare_gpus(estimate(model, precision, users, 8192)):
            n, node = fit.gpu_count, fit.gpu.gpus_per_node
            assert n & (n - 1) == 0 or n % node == 0, (model, fit.gpu.id, n)


def test_fewer_gpus_would_not_fit():
    """The chosen count is minimal: the reason quotes what one step down would need, above the budget."""
    fit = recommend(estimate("llama-3.1-70b", "bf16", 32, 8192), get_gpu("h100-sxm"))
    assert fit.gpu_count == 4
    assert fit.need_per_gpu_bytes <= fit.budget_per_gpu_bytes


def test_automatic_choice_prefers_fewest_gpus():
    """Without a GPU, no data-center GPU in the table needs fewer GPUs than the pick."""
    est = estimate("llama-3.1-405b", "bf16", 1, 8192)
    pick = recommend(est)
    others = [f for f in compare_gpus(est) if f.fits and f.gpu.datacenter]
    assert all(pick.gpu_count <= f.gpu_count for f in others)
    assert "picked for the fewest GPUs" in pick.reason


def test_consumer_cards_are_compared_but_not_picked():
    """The RTX 4090 appears in the comparison but is never the automatic choice."""
    est = estimate("llama-2-7b", "int4", 1, 2048)
    assert any(f.gpu.id == "rtx-4090" for f in compare_gpus(est))
    assert recommend(est).gpu.datacenter


def test_compare_covers_every_gpu():
    """The comparison has one row per GPU in the table, in table order."""
    fits = compare_gpus(estimate("glm-5", "fp8", 4, 16384))
    assert [f.gpu.id for f in fits] == [g.id for g in GPUS]


def test_estimate_on_recommended_gpus_fits_their_memory():
    """Re-estimating on the recommended deployment gives a total within its usable memory."""
    est = estimate("llama-3.1-70b", "bf16", 16, 32768)
    fit = recommend(est, get_gpu("h100-sxm"))
    final = estimate("llama-3.1-70b", "bf16", 16, 32768, gpu=fit.gpu, gpus=fit.gpu_count)
    assert final.total_bytes <= fit.gpu_count * fit.gpu.usable_memory_bytes


def test_unknown_gpu_lists_choices():
    """An unknown GPU id is an InputError naming the valid ids."""
    with pytest.raises(InputError, match="h100-sxm") as err:
        get_gpu("h100")
    assert err.value.field == "gpu"
