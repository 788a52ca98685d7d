"""The quantization trade-off, per weight format: memory, GPUs, decode and prefill speed, and quality.

Memory is parameters x effective bits / 8 (scales included). GPUs are the fewest of the chosen type that
hold the weights and the batch's KV cache with vLLM's overhead (recommend.fit_counts, as in the VRAM
calculator). Speed is the ideal roofline (playground.roofline) on the tensor-parallel group of those GPUs:

* decode is memory-bound: each step streams the weights and the batch's KV cache, so fewer bytes per
  weight are proportionally faster, until the batch is large enough for compute to take longer;
* prefill is compute-bound: 2 x active parameters FLOPs per token at the peak of the format the matmuls
  run in. Weight-only formats (INT4 W4A16 and every llama.cpp format) are dequantized to 16-bit before
  the matmul, so they prefill at the BF16 rate and, past the ridge batch, decode at it too;
  W8A8 formats (FP8, INT8) multiply in 8 bits where the GPU can (twice the BF16 peak on H100);
  the FP4 formats (NVFP4, MXFP4) multiply in FP4 on GPUs with FP4 tensor cores (Blackwell, MI355X) and
  run weight-only elsewhere: dequantized to BF16, so an H100 gains bandwidth but no FLOP/s
  (gpus.peak_flops). They cover the linear layers only; embeddings, output head, norms and routers stay
  BF16 (playground.checkpoint), so their weights are a little more than params x 4.5 / 8.

Quality is playground.quality's rating of each format at the user's context length.
"""

from dataclasses import dataclass

from .architecture import Architecture, kv_breakdown, param_breakdown
from .checkpoint import bytes_read, weights_term
from .errors import InputError, positive_int
from .formula import Formula, Term
from .gpus import Gpu, get_gpu, peak_flops
from .models import Model
from .overhead import EngineSettings, layout
from .performance import Speeds, speeds
from .precision import ALIASES, GGUF_FORMATS, GGUF_SOURCE, PRECISIONS, Precision, get_precision
from .quality import Caveat, Rating, caveats, rate, rate_kv
from .recommend import fit_counts
from .roofline import DecodeEstimate, PrefillEstimate, decode_step, prefill, weights_bytes_read
from .vram import KV_CACHE, WEIGHTS, resolve_arch

MAX_BATCH = 100_000
MAX_CONTEXT_TOKENS = 10_000_000
MAX_GPUS = 4096
DEFAULT_GPU = "h100-sxm"

NOMINAL_BITS = Formula(
    "nominal_bits = block_bytes * 8 / block_weights",
    why="a llama.cpp block stores its weights and their scales together",
    symbols={
        "nominal_bits": ("b_blk", "number", "bits per weight of one block, scales included"),
        "block_bytes": ("S_blk", "int", "bytes per block"),
        "block_weights": ("n_blk", "int", "weights per block"),
    },
)
RIDGE_BATCH = Formula(
    "ridge_batch = weights_bytes / (2 * params_active * bandwidth / peak_flops - kv_bytes_per_sequence)",
    why="the batch at which computing a step takes as long as streaming it: beyond it decode is compute-bound",
    symbols={
        "ridge_batch": ("B*", "number", "batch where decode turns compute-bound"),
        "weights_bytes": ("W_r", "bytes", "weight bytes read per step"),
        "params_active": ("P_a", "count", "active parameters"),
        "bandwidth": ("BW", "bytes_per_s", "memory bandwidth per GPU"),
        "peak_flops": ("F", "flops_per_s", "peak FLOP/s per GPU"),
        "kv_bytes_per_sequence": ("KV_s", "bytes", "KV bytes one sequence reads per step"),
    },
)


@dataclass(frozen=True)
class WeightFormat:
    """A way to store the weights: its effective bits and the math format its matmuls run in."""

    id: str
    label: str
    family: str  # "serving" (vLLM / TensorRT-LLM checkpoints) or "gguf" (llama.cpp files)
    effective_bits: float  # bits per weight, scales and zero points included
    compute: str  # the peak that applies (gpus.peak_flops): fp32, bf16, fp8, int8 or fp4
    weight_only: bool  # stored narrow, dequantized to 16-bit for the matmul (FP4: only where the GPU lacks FP4)
    layout: str
    source: str
    bits_terms: tuple[Term, ...] = ()  # how the effective bits follow from the storage layout
    precision: Precision | None = None  # serving formats: which parameter groups it covers (checkpoint.py)


def _serving_formats() -> list[WeightFormat]:
    wanted = {
        "fp32": "FP32",
        "bf16": "BF16 / FP16",
        "fp8": "FP8 (W8A8)",
        "int8": "INT8 (W8A8)",
        "int4": "INT4 (W4A16)",
        "nvfp4": "NVFP4 (W4A4)",
        "mxfp4": "MXFP4 (W4A4)",
    }
    found = []
    for p in PRECISIONS:
        if p.id in wanted:
            term = p.effective_bits_term()
            found.append(
                WeightFormat(
                    p.id,
                    wanted[p.id],
                    "serving",
                    p.effective_bits,
                    p.compute,
                    p.id == "int4",
                    p.note,
                    p.source or "IEEE 754 / bfloat16 storage widths",
                    (term,) if term else (),
                    p,
                )
            )
    return found


def _gguf_formats() -> list[WeightFormat]:
    return [
        WeightFormat(
            g.id.lower(),
            g.id,
            "gguf",
            g.effective_bits,
            "bf16",  # llama.cpp dequantizes (or uses integer dot products we do not credit): the 16-bit rate
            True,
            g.layout + f"; {g.effective_bits:.2f} bits per weight in a real Llama-3.1-8B file",
            GGUF_SOURCE,
            (NOMINAL_BITS(block_bytes=g.block_bytes, block_weights=g.block_weights),),
        )
        for g in GGUF_FORMATS
    ]


FORMATS: tuple[WeightFormat, ...] = (*_serving_formats(), *_gguf_formats())
FORMAT_IDS = tuple(f.id for f in FORMATS)
_BY_ID = {f.id: f for f in FORMATS}


def get_format(format_id: str) -> WeightFormat:
    """A weight format by id (fp32, bf16, fp8, int8, int4, nvfp4, mxfp4, q8_0, q6_k, q4_k_m, q2_k; fp4 = nvfp4)."""
    key = str(format_id).strip().lower()
    key = ALIASES.get(key, key)
    if key not in _BY_ID:
        raise InputError(f"unknown format {format_id!r}; choose one of: {', '.join(FORMAT_IDS)}", "precision")
    return _BY_ID[key]


@dataclass(frozen=True)
class FormatResult:
    """One weight format for the chosen model, GPU, batch and context."""

    format: WeightFormat
    weights_bytes: float  # all parameters at the effective bits
    memory_bytes: float  # weights + the batch's KV cache, before engine overhead
    gpus_needed: int  # the fewest GPUs of the chosen type that hold it with vLLM's overhead (0: never)
    gpus: int  # the GPUs the speeds are for: gpus_needed, or the count asked for
    tensor_parallel: int  # of those, the GPUs that work on one token together: speeds use these
    fits: bool  # it fits on `gpus`
    decode: DecodeEstimate  # the ideal roofline (upper bound)
    prefill: PrefillEstimate
    calibrated: Speeds  # what engines reach (performance.speeds): the figures shown first
    ridge_batch: float | None  # decode turns compute-bound above this batch; None: never (KV traffic dominates)
    memory_vs_bf16: float  # weights / BF16 weights
    decode_vs_bf16: float  # decode tokens/s / BF16's, on the roofline (the bound on the speed-up)
    prefill_vs_bf16: float
    rating: Rating
    terms: tuple[Term, ...]

    @property
    def weight_only(self) -> bool:
        """Dequantized to 16-bit for the matmul: always for W4A16 and GGUF, and for 8- or 4-bit float/int
        formats on a GPU without tensor cores for them (FP8 on an A100, FP4 on anything before Blackwell)."""
        fallback = self.format.compute in ("fp8", "int8", "fp4") and self.prefill.compute_format == "bf16"
        return self.format.weight_only or fallback

    def as_dict(self) -> dict:
        """JSON-ready (the CLI contract)."""
        f = self.format
        return {
            "id": f.id,
            "label": f.label,
            "family": f.family,
            "effective_bits": f.effective_bits,
            "weight_only": self.weight_only,
            "weights_bytes": self.weights_bytes,
            "memory_bytes": self.memory_bytes,
            "gpus_needed": self.gpus_needed,
            "gpus": self.gpus,
            "tensor_parallel": self.tensor_parallel,
            "fits": self.fits,
            "calibrated_decode_tokens_per_s": self.calibrated.decode_tokens_per_s,
            "calibrated_decode_tokens_per_s_per_user": self.calibrated.decode_tokens_per_s_per_user,
            "calibrated_prefill_tokens_per_s": self.calibrated.prefill_tokens_per_s,
            "decode_tokens_per_s": self.decode.tokens_per_s,
            "decode_tokens_per_s_per_user": self.decode.tokens_per_s_per_user,
            "decode_bound": self.decode.bound,
            "decode_compute_format": self.decode.compute_format,
            "prefill_tokens_per_s": self.prefill.tokens_per_s,
            "prefill_time_s": self.prefill.time_s,
            "prefill_compute_format": self.prefill.compute_format,
            "ridge_batch": self.ridge_batch,
            "memory_vs_bf16": self.memory_vs_bf16,
            "decode_vs_bf16": self.decode_vs_bf16,
            "prefill_vs_bf16": self.prefill_vs_bf16,
            "quality": self.rating.as_dict(),
            "terms": [t.as_dict() for t in self.terms],
        }


@dataclass(frozen=True)
class Exploration:
    """Every weight format for one model on one GPU type, at one batch and context."""

    model_id: str | None
    arch: Architecture
    gpu: Gpu
    gpus: int | None  # None: each format on the GPUs it needs
    batch: int
    context_tokens: int
    kv_precision: str
    params_total: int
    params_active: int  # per token, without the input embedding (what a step computes with)
    kv_bytes_per_token: float
    kv_cache_bytes: float  # batch x context x per token, one copy
    kv_rating: Rating
    rows: tuple[FormatResult, ...]
    caveats: tuple[Caveat, ...]
    warnings: tuple[str, ...]
    terms: tuple[Term, ...]  # the KV-cache terms every row shares

    def row(self, format_id: str) -> FormatResult:
        """The result for one format id."""
        fmt = get_format(format_id)
        return next(r for r in self.rows if r.format.id == fmt.id)


def _ridge(weights_read: float, params: float, gpu: Gpu, flops: float, kv_per_sequence: float) -> Term | None:
    if 2 * params * gpu.bandwidth_bytes_per_s / flops <= kv_per_sequence:
        return None  # a sequence's KV traffic alone outlasts its compute: memory-bound at any batch
    return RIDGE_BATCH(
        weights_bytes=weights_read,
        params_active=params,
        bandwidth=gpu.bandwidth_bytes_per_s,
        peak_flops=flops,
        kv_bytes_per_sequence=kv_per_sequence,
    )


def _row(fmt, arch, params, gpu, gpus, batch, context, kv_bytes, kv_per_token, kv_bits, settings) -> dict:
    if fmt.precision is not None:  # serving checkpoints: FP4 leaves embeddings, head, norms in BF16
        weights = weights_term(arch, fmt.precision)
    else:  # GGUF: the measured bits already average a real file's mixture
        weights = WEIGHTS(params=params.total, bits=fmt.effective_bits)
    fit = fit_counts(arch, weights.value, kv_bytes, gpu, settings)
    used = gpus or max(fit.gpu_count, 1)
    lay = layout(arch, used, gpu.gpus_per_node)
    tp = lay.tensor_parallel  # pipeline stages run one after another: a token sees TP GPUs at a time
    if fmt.precision is not None:
        read, touched = bytes_read(arch, fmt.precision, batch)
    else:
        read, touched = weights_bytes_read(arch, fmt.effective_bits / 8, batch)
    compute = get_precision(fmt.compute)
    # MLA, or TP beyond the KV heads, keeps a copy of the cache on every rank, and each rank reads its copy
    step = decode_step(gpu, tp, read, kv_bytes * lay.kv_replication, batch, params.active_compute, compute)
    pre = prefill(gpu, tp, params.active_compute, context, compute)
    real = speeds(arch, gpu, fmt.effective_bits, fmt.compute, kv_bits, batch, context, tp, precision=fmt.precision)
    ridge = _ridge(read, params.active_compute, gpu, peak_flops(gpu, fmt.compute)[0], context * kv_per_token)
    terms = [*fmt.bits_terms, weights, *((touched,) if touched else ()), *step.terms, *pre.terms]
    if ridge:
        terms.append(ridge)
    return {
        "format": fmt,
        "weights_bytes": weights.value,
        "memory_bytes": weights.value + kv_bytes,
        "gpus_needed": fit.gpu_count,
        "gpus": used,
        "tensor_parallel": tp,
        "fits": fit.fits and used >= fit.gpu_count,
        "decode": step,
        "prefill": pre,
        "calibrated": real,
        "ridge_batch": ridge.value if ridge else None,
        "terms": tuple(terms),
    }


def explore(
    model_or_arch, gpu=DEFAULT_GPU, batch=1, context_tokens=4096, kv_precision="bf16", gpus=None, settings=None
) -> Exploration:
    """Memory, GPUs, speed and quality of every weight format (Model, Architecture or catalog id).

    gpus: None (or "auto") runs each format on the fewest GPUs that hold it; a count runs every format on
    that many, so speeds compare on the same hardware (formats that do not fit are flagged, not dropped).
    """
    arch, model = resolve_arch(model_or_arch)
    gpu = gpu if isinstance(gpu, Gpu) else get_gpu(gpu)
    gpus = None if gpus is None or str(gpus).strip().lower() == "auto" else positive_int(gpus, "GPUs", "gpus", MAX_GPUS)
    batch = positive_int(batch, "batch size", "batch", MAX_BATCH)
    context = positive_int(context_tokens, "context", "context", MAX_CONTEXT_TOKENS)
    kv_prec = get_precision(kv_precision, kv=True)
    settings = settings or EngineSettings()
    params = param_breakdown(arch)
    kv = kv_breakdown(arch, kv_prec.bits, context)
    kv_term = KV_CACHE(users=batch, context_tokens=context, kv_bytes_per_token=kv.bytes_per_token)
    raw = [
        _row(f, arch, params, gpu, gpus, batch, context, kv_term.value, kv.bytes_per_token, kv_prec.bits, settings)
        for f in FORMATS
    ]
    base = next(r for r in raw if r["format"].id == "bf16")
    rows = tuple(
        FormatResult(
            **r,
            memory_vs_bf16=r["weights_bytes"] / base["weights_bytes"],
            decode_vs_bf16=r["decode"].tokens_per_s / base["decode"].tokens_per_s,
            prefill_vs_bf16=r["prefill"].tokens_per_s / base["prefill"].tokens_per_s,
            rating=rate(r["format"].id, context),
        )
        for r in raw
    )
    limit = arch.max_position_embeddings
    warnings = (
        (f"context {context:,} exceeds this model's trained maximum of {limit:,} tokens",)
        if limit and context > limit
        else ()
    )
    return Exploration(
        model_id=model.id if isinstance(model, Model) else None,
        arch=arch,
        gpu=gpu,
        gpus=gpus,
        batch=batch,
        context_tokens=context,
        kv_precision=kv_prec.id,
        params_total=params.total,
        params_active=params.active_compute,
        kv_bytes_per_token=kv.bytes_per_token,
        kv_cache_bytes=kv_term.value,
        kv_rating=rate_kv(kv_prec.id),
        rows=rows,
        caveats=caveats(params.total, context, kv_prec.id),
        warnings=warnings,
        terms=(*kv.terms, kv_term),
    )
