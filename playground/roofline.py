"""Roofline speed estimates: decode is bound by memory bandwidth, prefill by tensor-core FLOP/s.

A decode step reads every weight it uses once plus the whole batch's KV cache, and does 2 FLOPs per
active parameter per sequence; it takes the longer of the two. Prefill does 2 x active parameters
FLOPs per prompt token (attention's own FLOPs, quadratic in length, are left out: small below ~10k
tokens for large models). `efficiency` scales the peaks: 1.0 (the default) is the ideal roofline, an
upper bound on speed; real engines reach roughly 0.5-0.8 of it. Callers pass bytes, not models, so
quantization, MoE and batching sections can decide what a step reads.
"""

from dataclasses import dataclass

from .architecture import Architecture, param_breakdown
from .errors import positive_float, positive_int
from .formula import Formula, Term
from .gpus import Gpu, peak_flops
from .precision import Precision, get_precision

_SYMBOLS = {
    "memory_time_s": ("t_mem", "s", "time to stream the bytes"),
    "compute_time_s": ("t_cmp", "s", "time to compute"),
    "weights_bytes": ("W_r", "bytes", "weight bytes read per step"),
    "kv_bytes": ("KV_r", "bytes", "KV bytes read"),
    "gpus": ("G", "int", "GPUs"),
    "bandwidth": ("BW", "bytes_per_s", "memory bandwidth per GPU"),
    "efficiency": ("η", "percent", "share of peak reached"),
    "params_active": ("P_a", "count", "active parameters"),
    "batch": ("B", "int", "sequences per step"),
    "peak_flops": ("F", "flops_per_s", "peak FLOP/s per GPU"),
    "tokens_per_s": ("R", "tokens_per_s", "tokens per second"),
    "time_s": ("t", "s", "step time"),
    "prefill_time_s": ("t_pre", "s", "prefill time"),
    "tokens": ("T", "int", "prompt tokens"),
    "unique_experts": ("E_u", "number", "experts touched per layer"),
    "experts": ("E", "int", "routed experts"),
    "top_k": ("k", "int", "experts per token"),
}
DECODE_MEMORY = Formula(
    "memory_time_s = (weights_bytes + kv_bytes) / (gpus * bandwidth * efficiency)",
    why="each step streams the weights it uses and the batch's KV cache",
    symbols=_SYMBOLS,
)
DECODE_COMPUTE = Formula(
    "compute_time_s = 2 * params_active * batch / (gpus * peak_flops * efficiency)",
    why="a multiply and an add per active parameter per sequence",
    symbols=_SYMBOLS,
)
THROUGHPUT = Formula("tokens_per_s = batch / time_s", why="one new token per sequence per step", symbols=_SYMBOLS)
PREFILL = Formula(
    "prefill_time_s = 2 * params_active * tokens / (gpus * peak_flops * efficiency)",
    why="prompt tokens are processed in parallel, so FLOP/s set the pace",
    symbols=_SYMBOLS,
)
EXPERTS_TOUCHED = Formula(
    "unique_experts = experts * (1 - (1 - top_k / experts) ** batch)",
    why="expected distinct experts a batch routes to, if routing is uniform",
    symbols=_SYMBOLS,
)


def experts_touched(experts: int, top_k: int, tokens: float) -> float:
    """EXPERTS_TOUCHED's arithmetic without building a Term (step-time hot paths call it per step)."""
    return experts * (1 - (1 - top_k / experts) ** tokens)


@dataclass(frozen=True)
class DecodeEstimate:
    """One decode step for a batch."""

    batch: int
    gpus: int
    bytes_read: float
    memory_time_s: float
    compute_time_s: float  # 0 when params_active was not given
    time_s: float  # the slower of the two: the step time
    tokens_per_s: float  # all sequences together
    tokens_per_s_per_user: float
    bound: str  # "memory" or "compute"
    compute_format: str  # the tensor-core format whose peak was used
    efficiency: float
    terms: tuple[Term, ...]


@dataclass(frozen=True)
class PrefillEstimate:
    """Processing a prompt."""

    tokens: int
    gpus: int
    flops: float
    peak_flops: float  # per GPU, at the format used
    compute_format: str
    time_s: float
    tokens_per_s: float
    efficiency: float
    terms: tuple[Term, ...]


def _compute(precision) -> str:
    prec = precision if isinstance(precision, Precision) else get_precision(precision)
    return prec.compute


def decode_step(
    gpu: Gpu,
    gpus: int,
    weights_bytes_read: float,
    kv_bytes_read: float,
    batch: int = 1,
    params_active: float | None = None,
    precision="bf16",
    efficiency: float = 1.0,
) -> DecodeEstimate:
    """Time for one decode step of `batch` sequences on `gpus` GPUs (bandwidth and FLOP/s add up)."""
    gpus = positive_int(gpus, "gpus", "gpus")
    batch = positive_int(batch, "batch", "batch")
    efficiency = positive_float(efficiency, "efficiency", "efficiency", maximum=1.0)
    weights_bytes_read = positive_float(weights_bytes_read, "weight bytes read", "weights", allow_zero=True)
    kv_bytes_read = positive_float(kv_bytes_read, "KV bytes read", "kv", allow_zero=True)
    mem = DECODE_MEMORY(
        weights_bytes=weights_bytes_read,
        kv_bytes=kv_bytes_read,
        gpus=gpus,
        bandwidth=gpu.bandwidth_bytes_per_s,
        efficiency=efficiency,
    )
    terms = [mem]
    compute_time, fmt = 0.0, ""
    if params_active is not None:
        flops, fmt = peak_flops(gpu, _compute(precision))
        cmp = DECODE_COMPUTE(
            params_active=params_active, batch=batch, gpus=gpus, peak_flops=flops, efficiency=efficiency
        )
        terms.append(cmp)
        compute_time = cmp.value
    step = max(mem.value, compute_time)
    rate = THROUGHPUT(batch=batch, time_s=step)
    terms.append(rate)
    return DecodeEstimate(
        batch=batch,
        gpus=gpus,
        bytes_read=weights_bytes_read + kv_bytes_read,
        memory_time_s=mem.value,
        compute_time_s=compute_time,
        time_s=step,
        tokens_per_s=rate.value,
        tokens_per_s_per_user=rate.value / batch,
        bound="compute" if compute_time > mem.value else "memory",
        compute_format=fmt,
        efficiency=efficiency,
        terms=tuple(terms),
    )


def prefill(
    gpu: Gpu, gpus: int, params_active: float, tokens: int, precision="bf16", efficiency: float = 1.0
) -> PrefillEstimate:
    """Time to process `tokens` prompt tokens at the GPU's dense peak for the precision's math format.

    FP8 uses fp8_flops where the GPU has FP8 tensor cores, else BF16 (e.g. A100); INT4 weight-only
    runs BF16 math.
    """
    gpus = positive_int(gpus, "gpus", "gpus")
    tokens = positive_int(tokens, "tokens", "tokens")
    efficiency = positive_float(efficiency, "efficiency", "efficiency", maximum=1.0)
    flops, fmt = peak_flops(gpu, _compute(precision))
    term = PREFILL(params_active=params_active, tokens=tokens, gpus=gpus, peak_flops=flops, efficiency=efficiency)
    rate = THROUGHPUT(batch=tokens, time_s=term.value)
    return PrefillEstimate(
        tokens=tokens,
        gpus=gpus,
        flops=2 * params_active * tokens,
        peak_flops=flops,
        compute_format=fmt,
        time_s=term.value,
        tokens_per_s=rate.value,
        efficiency=efficiency,
        terms=(term, rate),
    )


def weights_bytes_read(arch: Architecture, bytes_per_param: float, batch: int = 1) -> tuple[float, Term | None]:
    """Weight bytes one decode step reads: dense parts always, routed experts only as the batch touches them.

    Returns (bytes, experts-touched term or None for dense models). The input embedding table is only
    indexed (one row per token), so it is left out.
    """
    p = param_breakdown(arch)
    dense = p.active_compute - p.experts_per_token * p.params_per_expert * p.moe_layers
    if not arch.is_moe:
        return dense * bytes_per_param, None
    touched = EXPERTS_TOUCHED(experts=p.n_routed_experts, top_k=p.experts_per_token, batch=batch)
    return (dense + touched.value * p.params_per_expert * p.moe_layers) * bytes_per_param, touched
