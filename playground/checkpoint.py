"""Which parameter groups a weight format covers, and the bytes that follow: real checkpoints are mixed.

A published low-bit checkpoint quantizes the big matrices and keeps the small or sensitive tensors in
16 bits. The formats that always did so at negligible cost (FP8, INT8, INT4: embeddings are a few percent
of a large model) keep the simple rule "every parameter at the format's bits", so their results do not
move. The FP4 formats say explicitly which groups they cover (precision.Precision.applies_to):

* "linear": every linear layer in the transformer blocks (attention projections, MLPs, experts, the
  sparse-attention indexer). Embedding, output head, norms and routers stay BF16, as NVIDIA's ModelOpt
  NVFP4 checkpoints ship (hf_quant_config.json: exclude_modules ["lm_head"], embeddings and norms are
  not linear layers) and as llm-compressor's NVFP4 scheme does (ignore ["lm_head"]).
* "experts": only the routed MoE experts. gpt-oss ships this way (config.json quantization_config:
  quant_method mxfp4, modules_to_not_convert self_attn, mlp.router, embed_tokens, lm_head), so its FP4
  formats use this scope: the 120B is 60.8 GiB (65.3 GB) on disk, not 62 GB of uniform 4.25-bit weights.

weights_bytes = (quantized_params x bits + kept_params x 16) / 8; with scope "all" it is params x bits / 8.
Attention biases, sinks and q/k norms are counted with the attention group (thousandths of it).
"""

from dataclasses import dataclass

from .architecture import Architecture, ParamBreakdown, param_breakdown
from .formula import Formula, Term
from .precision import Precision
from .roofline import weights_bytes_read

KEPT_BITS = 16  # what published checkpoints keep the unquantized groups in (BF16)
SCOPES = {
    "all": (
        "every parameter",
        (
            "embedding",
            "attention",
            "indexer",
            "dense_mlp",
            "routed_experts",
            "shared_experts",
            "router",
            "norms",
            "lm_head",
        ),
    ),
    "linear": (
        "the linear layers of the transformer blocks",
        ("attention", "indexer", "dense_mlp", "routed_experts", "shared_experts"),
    ),
    "experts": ("the routed MoE experts", ("routed_experts",)),
}
_SYMBOLS = {
    "weights_bytes": ("W", "bytes", "weights"),
    "params": ("P", "count", "parameters"),
    "bits": ("b", "number", "bits per weight"),
    "quantized_params": ("P_q", "count", "parameters in the format"),
    "kept_params": ("P_16", "count", "parameters kept in BF16"),
    "kept_bits": ("b_16", "int", "bits of the kept groups"),
    "mixed_read_bytes": ("W_r,mixed", "bytes", "weight bytes read per step, kept groups at 16 bits"),
    "weights_read_bytes": ("W_r", "bytes", "weight bytes read per step at the format's bits"),
    "kept_read_params": ("P_16,r", "count", "kept parameters a step reads (output head, norms, routers, ...)"),
}
UNIFORM = Formula("weights_bytes = params * bits / 8", why="each parameter takes bits / 8 bytes", symbols=_SYMBOLS)
MIXED = Formula(
    "weights_bytes = (quantized_params * bits + kept_params * kept_bits) / 8",
    why="the format covers the big matrices; embeddings, norms and routers stay 16-bit as published "
    "checkpoints keep them",
    symbols=_SYMBOLS,
)

MIXED_READ = Formula(
    "mixed_read_bytes = weights_read_bytes + kept_read_params * (kept_bits - bits) / 8",
    why="the groups the format leaves in BF16 are streamed at 16 bits, not at the format's",
    symbols=_SYMBOLS,
)


@dataclass(frozen=True)
class WeightSplit:
    """How a model's parameters divide between the format and BF16, and the bytes that makes."""

    precision: str
    scope: str  # a SCOPES key
    scope_label: str
    bits: float  # the format's effective bits (scales included)
    quantized_params: int
    kept_params: int  # 0 for scope "all"
    kept_bits: int
    weights_bytes: float
    average_bits: float  # weights_bytes * 8 / all parameters
    term: Term

    def as_dict(self) -> dict:
        """JSON-ready (without the term, which callers list with their other terms)."""
        return {
            "precision": self.precision,
            "scope": self.scope,
            "quantized_params": self.quantized_params,
            "kept_params": self.kept_params,
            "kept_bits": self.kept_bits,
            "bits": self.bits,
            "average_bits": self.average_bits,
            "weights_bytes": self.weights_bytes,
        }


def scope(arch: Architecture, precision: Precision) -> str:
    """The groups this format covers on this model: gpt-oss's FP4 release covers only its experts."""
    if precision.applies_to == "linear" and arch.model_type == "gpt_oss" and arch.is_moe:
        return "experts"
    return precision.applies_to


def _sum(p: ParamBreakdown, parts) -> int:
    return sum(getattr(p, part) for part in parts)


def split(arch: Architecture, precision: Precision) -> WeightSplit:
    """Weights bytes with the format on its groups and BF16 on the rest, and the formula that computes it."""
    p = param_breakdown(arch)
    key = scope(arch, precision)
    label, parts = SCOPES[key]
    bits = precision.effective_bits
    if key == "all":
        quantized, kept = p.total, 0
        term = UNIFORM(params=p.total, bits=bits)
    else:
        quantized = _sum(p, parts)
        kept = p.total - quantized
        term = MIXED(quantized_params=quantized, bits=bits, kept_params=kept, kept_bits=KEPT_BITS)
    return WeightSplit(
        precision=precision.id,
        scope=key,
        scope_label=label,
        bits=bits,
        quantized_params=quantized,
        kept_params=kept,
        kept_bits=KEPT_BITS if kept else 0,
        weights_bytes=term.value,
        average_bits=term.value * 8 / p.total,
        term=term,
    )


def weights_term(arch: Architecture, precision: Precision) -> Term:
    """The weights-bytes Term (uniform or mixed) for this model in this format."""
    return split(arch, precision).term


def read_correction(arch: Architecture, precision: Precision, uniform_read_bytes: float) -> Term | None:
    """A step's weight reads with the kept groups at 16 bits, from the reads at the format's bits (None: uniform).

    The input embedding is only indexed, never streamed, so it adds nothing unless tied to the output head.
    """
    key = scope(arch, precision)
    if key == "all":
        return None
    p = param_breakdown(arch)
    kept_parts = [part for part in SCOPES["all"][1] if part not in SCOPES[key][1]]
    kept_read = _sum(p, [part for part in kept_parts if part != "embedding"])
    if arch.tie_word_embeddings:
        kept_read += p.embedding  # the tied table is read as the output head every step
    return MIXED_READ(
        weights_read_bytes=uniform_read_bytes,
        kept_read_params=kept_read,
        kept_bits=KEPT_BITS,
        bits=precision.effective_bits,
    )


def bytes_read(arch: Architecture, precision: Precision, batch: int = 1) -> tuple[float, Term | None]:
    """Weight bytes one decode step reads (roofline.weights_bytes_read), kept groups at 16 bits."""
    read, touched = weights_bytes_read(arch, precision.effective_bits / 8, batch)
    mixed = read_correction(arch, precision, read)
    return (mixed.value if mixed else read), touched
