"""Precision formats, the GPU table and the price list."""

import pytest

from playground.errors import InputError
from playground.gpus import GPUS, get_gpu, peak_flops
from playground.precision import GGUF_FORMATS, get_gguf_format, get_precision
from playground.prices import HOURLY, PURCHASE, hourly_price, purchase_price
from playground.units import GiB


def test_int4_group_scale_overhead():
    """INT4 g128 with an FP16 scale and a 4-bit zero point: 4 + 20/128 = 4.15625 bits, rendered as a Term."""
    int4 = get_precision("int4")
    assert int4.effective_bits == 4.15625
    assert int4.effective_bits_term().plugged() == "b_eff = 4 + (16 + 4) / 128 = 4.156"


def test_fp8_block_scales_are_negligible():
    """FP8 with one FP32 scale per 128x128 block adds 0.002 bits per weight."""
    assert get_precision("fp8").effective_bits == pytest.approx(8.00195, abs=1e-5)


def test_kv_precisions_exclude_integer_weight_formats():
    """KV formats are fp32/bf16/fp16/fp8; int4 is a weight format only."""
    assert get_precision("fp8", kv=True).bits == 8
    with pytest.raises(InputError, match="KV-cache precision"):
        get_precision("int4", kv=True)


def test_gguf_nominal_bits_from_block_layouts():
    """llama.cpp block layouts: Q8_0 8.5, Q6_K 6.5625, Q4_K 4.5, Q2_K 2.625 bits per weight."""
    nominal = {f.id: f.nominal_bits for f in GGUF_FORMATS}
    assert nominal == {"Q8_0": 8.5, "Q6_K": 6.5625, "Q4_K_M": 4.5, "Q2_K": 2.625}


def test_gguf_effective_bits_from_llama_cpp_table():
    """llama.cpp's quantize README (Llama-3.1-8B): Q4_K_M files average 4.89 bits, Q2_K 3.16, above nominal."""
    assert get_gguf_format("q4_k_m").effective_bits == pytest.approx(4.8944)
    assert get_gguf_format("Q2_K").effective_bits == pytest.approx(3.1593)
    assert all(f.effective_bits >= f.nominal_bits for f in GGUF_FORMATS)


def test_gpu_ids_are_the_agreed_slugs():
    """The table has exactly the slugs other sections use."""
    assert [g.id for g in GPUS] == [
        "a100-40gb",
        "a100-80gb",
        "h100-sxm",
        "h100-pcie",
        "h200-sxm",
        "b200",
        "gb200",
        "l40s",
        "l4",
        "rtx-4090",
        "rtx-pro-6000",
        "mi300x",
        "mi325x",
        "mi355x",
        "gaudi3",
        "b300",
        "gb300",
        "gh200",
        "h20",
        "h800",
        "a100-pcie",
        "a40",
        "rtx-6000-ada",
        "rtx-5090",
        "rtx-3090",
    ]


def test_h100_datasheet_figures_are_dense():
    """H100 SXM: 3.35 TB/s, 989 TFLOP/s BF16 and 1979 FP8 dense (the 3958 headline is 2:4 sparse)."""
    h100 = get_gpu("h100-sxm")
    assert (h100.bandwidth_bytes_per_s, h100.bf16_flops, h100.fp8_flops) == (3.35e12, 989e12, 1979e12)
    assert h100.memory_bytes == 80 * GiB


def test_fp8_on_a100_falls_back_to_bf16_math():
    """A100 has no FP8 tensor cores: FP8 runs at its 312 TFLOP/s BF16 rate."""
    assert get_gpu("a100-80gb").fp8_flops is None
    assert peak_flops(get_gpu("a100-80gb"), "fp8") == (312e12, "bf16")
    assert peak_flops(get_gpu("h100-sxm"), "fp8") == (1979e12, "fp8")


def test_reference_unverified_figures_are_flagged():
    """The reference marks H100 PCIe compute as unverified; the record says so."""
    pcie = get_gpu("h100-pcie")
    assert pcie.unverified and "bf16_flops" in pcie.unverified_fields
    assert not get_gpu("h100-sxm").unverified


def test_gb200_node_is_the_nvl72_domain():
    """A GB200 or GB300 'node' is the 72-GPU NVLink domain; the others have 8 per node."""
    assert get_gpu("gb200").gpus_per_node == get_gpu("gb300").gpus_per_node == 72
    assert {g.gpus_per_node for g in GPUS if g.id not in ("gb200", "gb300")} == {8}


def test_every_gpu_names_a_source_and_date():
    """Every GPU and price carries a source and a date."""
    assert all(g.source.startswith("https://") and g.retrieved for g in GPUS)
    assert all(p.source and p.as_of for p in PURCHASE + HOURLY)


def test_prices_from_the_reference():
    """2026 notes: H100 ~$30k street; AWS p5 $6.88 and GPU clouds $3.20-3.99 per GPU-hour; L4 rents, never sold."""
    assert purchase_price("h100-sxm").usd == 30_000
    assert {(p.rates, p.low_usd, p.high_usd) for p in HOURLY if p.gpu_id == "h100-sxm"} == {
        ("hyperscaler", 6.88, 6.88),
        ("gpu_cloud", 3.20, 3.99),
    }
    assert hourly_price("l4").as_of == "2026-05" and purchase_price("l4") is None
    assert hourly_price("l4", "hyperscaler").low_usd == 0.7068  # GCP g2-standard-4
