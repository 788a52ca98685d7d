"""Number formats for weights and KV cache: integer bits, plus what quantization scales add.

A grouped format stores one scale (and, if asymmetric, a zero point) per `group_size` weights, so its
effective bits per weight are bits + (scale_bits + zero_point_bits) / group_size. Bytes are always
bits / 8, never rounded.
"""

from dataclasses import dataclass

from .errors import InputError
from .formula import Formula, Term

EFFECTIVE_BITS = Formula(
    "effective_bits = bits + (scale_bits + zero_point_bits) / group_size",
    why="each group of weights shares one scale (and a zero point if asymmetric)",
    symbols={
        "effective_bits": ("b_eff", "number", "bits per weight, scales included"),
        "bits": ("b", "int", "bits per stored value"),
        "scale_bits": ("s", "int", "bits per scale"),
        "zero_point_bits": ("z", "int", "bits per zero point"),
        "group_size": ("g", "int", "weights per scale"),
    },
)


@dataclass(frozen=True)
class Precision:
    """A weight (or KV) format: value bits and the per-group scale overhead."""

    id: str
    name: str
    bits: int
    group_size: int | None = None  # weights per scale; None = no per-group scales (or negligible, see note)
    scale_bits: int = 0
    zero_point_bits: int = 0
    kv: bool = False  # offered as a KV-cache precision too
    compute: str = "bf16"  # which peak FLOP/s a GPU applies (gpus.peak_flops): fp32, bf16, fp8, int8, fp4
    applies_to: str = "all"  # parameter groups stored in this format (checkpoint.SCOPES); the rest stay 16-bit
    scale_format: str = ""  # the block scale's own number format (bits.py encodes it), for block-scaled floats
    note: str = ""
    source: str = ""

    @property
    def effective_bits(self) -> float:
        """Bits per weight including scales and zero points."""
        if not self.group_size:
            return float(self.bits)
        return self.bits + (self.scale_bits + self.zero_point_bits) / self.group_size

    @property
    def bytes_per_weight(self) -> float:
        return self.effective_bits / 8

    def effective_bits_term(self) -> Term | None:
        """The overhead formula with this format's numbers, or None when there are no group scales."""
        if not self.group_size:
            return None
        return EFFECTIVE_BITS(
            bits=self.bits, scale_bits=self.scale_bits, zero_point_bits=self.zero_point_bits, group_size=self.group_size
        )


PRECISIONS: tuple[Precision, ...] = (
    Precision("fp32", "FP32", 32, kv=True, compute="fp32", note="Training master weights; rarely served."),
    Precision("bf16", "BF16", 16, kv=True, note="The usual serving format of released checkpoints."),
    Precision("fp16", "FP16", 16, kv=True, note="Same size as BF16, narrower range."),
    Precision(
        "fp8",
        "FP8 (E4M3)",
        8,
        group_size=128 * 128,
        scale_bits=32,
        kv=True,
        compute="fp8",
        note="Block-wise: one FP32 scale per 128x128 weight block (+0.002 bits). Per-channel FP8 "
        "(one scale per output row) is likewise negligible. GPUs without FP8 tensor cores (A100) "
        "run it weight-only: FP8 storage, BF16 math.",
        source="DeepSeek-V3 config.json quantization_config: fmt e4m3, weight_block_size [128, 128]",
    ),
    Precision(
        "int8",
        "INT8 (W8A8)",
        8,
        compute="int8",
        note="Symmetric, one 16-bit scale per output channel: a few thousandths of a bit, ignored.",
        source="Kurtic et al. 2024, arXiv 2411.02355 (W8A8-INT, per-channel weight scales)",
    ),
    Precision(
        "int4",
        "INT4 (W4A16, g128)",
        4,
        group_size=128,
        scale_bits=16,
        zero_point_bits=4,
        note="Weight-only, asymmetric as AWQ stores it: an FP16 scale and a 4-bit zero point per 128 "
        "weights = 4.156 bits. Symmetric GPTQ drops the zero point (4.125). Math runs in BF16.",
        source="AutoAWQ defaults (w_bit 4, q_group_size 128, zero_point True)",
    ),
    Precision(
        "nvfp4",
        "NVFP4 (E2M1, g16)",
        4,
        group_size=16,
        scale_bits=8,
        compute="fp4",
        applies_to="linear",
        scale_format="fp8_e4m3",
        note="E2M1 values with one FP8 (E4M3) scale per 16 weights = 4.5 bits, plus one FP32 scale per tensor "
        "(negligible). Applies to the linear layers; embeddings, output head, norms and routers stay BF16, as "
        "NVIDIA's ModelOpt checkpoints ship. Blackwell multiplies in FP4; older GPUs run it weight-only "
        "(dequantized to BF16).",
        source="NVIDIA, 'Introducing NVFP4 for Efficient and Accurate Low-Precision Inference' (developer blog, "
        "2025-06-24); nvidia/Llama-3.3-70B-Instruct-FP4 hf_quant_config.json (group_size 16, exclude lm_head)",
    ),
    Precision(
        "mxfp4",
        "MXFP4 (E2M1, g32)",
        4,
        group_size=32,
        scale_bits=8,
        compute="fp4",
        applies_to="linear",
        scale_format="e8m0",
        note="OCP microscaling: E2M1 values with one E8M0 (power-of-two) scale per 32 weights = 4.25 bits. "
        "Applies to the linear layers (gpt-oss: the MoE experts only, its release format); the rest stays "
        "BF16. Blackwell and MI355X multiply in FP4; older GPUs dequantize to BF16.",
        source="OCP Microscaling Formats (MX) Specification v1.0 (2023-09), MXFP4: E2M1, block 32, E8M0 scale",
    ),
)
# CLI/user aliases: "fp4" alone means NVIDIA's format, the one Blackwell benchmarks run
ALIASES = {"fp4": "nvfp4"}
KV_PRECISION_IDS = tuple(p.id for p in PRECISIONS if p.kv)
_BY_ID = {p.id: p for p in PRECISIONS}


def get_precision(precision_id: str, kv: bool = False) -> Precision:
    """The precision for an id; kv=True restricts to KV-cache formats."""
    choices = KV_PRECISION_IDS if kv else tuple(_BY_ID)
    key = str(precision_id).strip().lower()
    key = key if kv else ALIASES.get(key, key)
    if key not in choices:
        what = "KV-cache precision" if kv else "precision"
        raise InputError(
            f"unknown {what} {precision_id!r}; choose one of: {', '.join(choices)}",
            "kv_precision" if kv else "precision",
        )
    return _BY_ID[key]


def default_kv_precision(weights: Precision) -> Precision:
    """16-bit KV unless the weights are FP32 (an FP32 model keeps FP32 activations and cache)."""
    return _BY_ID["fp32"] if weights.bits == 32 else _BY_ID["bf16"]


@dataclass(frozen=True)
class GgufFormat:
    """A llama.cpp format: nominal bits from its block layout, effective bits from a real file."""

    id: str
    block_weights: int
    block_bytes: int  # bytes per block, scales included
    effective_bits: float  # measured on Llama-3.1-8B (file bits / parameters), mixtures included
    layout: str

    @property
    def nominal_bits(self) -> float:
        return self.block_bytes * 8 / self.block_weights


_GGUF_SOURCE = (
    "llama.cpp ggml-common.h block structs; effective bits: tools/quantize/README.md, table for meta-llama/Llama-3.1-8B"
)
GGUF_FORMATS: tuple[GgufFormat, ...] = (
    GgufFormat("Q8_0", 32, 34, 8.5008, "32 int8 weights + one FP16 scale"),
    GgufFormat("Q6_K", 256, 210, 6.5633, "6-bit weights, 16 int8 sub-block scales, one FP16 super-scale"),
    GgufFormat(
        "Q4_K_M",
        256,
        144,
        4.8944,
        "Q4_K blocks (4.5 bits) for most tensors; 'M' keeps attn_v, half of ffn_down and the output "
        "in Q6_K, which lifts the file to 4.89 bits per weight",
    ),
    GgufFormat(
        "Q2_K",
        256,
        84,
        3.1593,
        "Q2_K blocks (2.625 bits) for most tensors; the mixture keeps attention and the output "
        "at higher bits, so the file averages 3.16",
    ),
)
GGUF_SOURCE = _GGUF_SOURCE


def get_gguf_format(format_id: str) -> GgufFormat:
    """A llama.cpp format by name (Q8_0, Q6_K, Q4_K_M, Q2_K)."""
    for fmt in GGUF_FORMATS:
        if fmt.id.lower() == str(format_id).strip().lower():
            return fmt
    raise InputError(
        f"unknown GGUF format {format_id!r}; choose one of: {', '.join(f.id for f in GGUF_FORMATS)}", "precision"
    )
