"""Tokens per second of a deployment running flat out: what `trtllm-bench throughput` and `vllm bench
throughput` measure, from the step time (speed.py) and the batch the KV cache allows.

A replica is TP x PP GPUs; more GPUs add data-parallel replicas. With every request queued (offline),
the engine keeps as many sequences in flight as its KV pool holds at the full request length, up to
its batch cap. In steady state every answer that finishes lets a new prompt in, so each step decodes
one token for each of the B sequences and prefills B x input / output prompt tokens (chunked prefill
rides along with decode). With pipeline parallelism the batch is split into PP micro-batches that
follow each other through the stages, so a sequence advances once every PP stage steps.

KV pool, by engine:
- trtllm: kv_cache_free_gpu_mem_fraction (0.95 in trtllm-bench) of what is left after weights and the
  CUDA context, capped at 4,096 sequences (TensorRT-LLM tensorrt_llm/bench/build/tuning.py,
  calc_engine_setting and finetune_setting);
- vllm: vLLM's own pool arithmetic (capacity.py) and its max_num_seqs.
"""

import math
from dataclasses import dataclass
from functools import lru_cache

from .architecture import Architecture, kv_bytes_per_token
from .calibration import CALIBRATED, ERROR_BAND
from .capacity import capacity
from .checkpoint import split
from .errors import InputError, positive_float, positive_int
from .formula import Formula, Term
from .gpus import Gpu, get_gpu
from .overhead import NON_TORCH_BYTES, kv_replication, max_num_seqs
from .precision import Precision, get_precision
from .speed import Efficiency, StepWork, custom, ideal, step_terms, step_time_s, step_work
from .vram import resolve_arch

TRT_KV_FRACTION = 0.95  # trtllm-bench's kv_cache_free_gpu_mem_fraction default (bench/build/tuning.py)
TRT_MAX_BATCH = 4096  # trtllm-bench caps the batch at 4,096 sequences (bench/build/tuning.py)
ENGINES = ("trtllm", "vllm")
MAX_TOKENS = 10**7
MAX_GPUS = 100_000

_SYMBOLS = {
    "kv_pool_per_gpu_bytes": ("P_g", "bytes", "KV pool per GPU"),
    "kv_fraction": ("f_kv", "percent", "share of free memory given to the KV cache"),
    "usable_memory_bytes": ("M", "bytes", "memory per GPU as PyTorch reports it"),
    "weights_bytes": ("W", "bytes", "weights, whole model"),
    "gpus": ("G_rep", "int", "GPUs per replica"),
    "non_torch_bytes": ("X", "bytes", "CUDA context and libraries"),
    "max_seqs": ("S_kv", "int", "sequences the KV pool holds"),
    "input_tokens": ("T_in", "int", "input tokens per request"),
    "output_tokens": ("T_out", "int", "output tokens per request"),
    "kv_bytes_per_token": ("K_t", "bytes", "KV per token"),
    "replication": ("ρ", "number", "KV copies under TP"),
    "batch": ("B", "int", "sequences in flight per replica"),
    "max_batch": ("B_max", "int", "engine batch cap"),
    "micro_batch": ("b", "number", "sequences per pipeline micro-batch"),
    "pp": ("p", "int", "pipeline stages"),
    "prefill_tokens": ("T_pre", "number", "prompt tokens prefilled per step"),
    "output_tokens_per_s": ("R_out", "tokens_per_s", "output tokens per second, all GPUs"),
    "replicas": ("n", "int", "data-parallel replicas"),
    "step_time_s": ("t_step", "s", "one step of one stage"),
    "tpot_s": ("TPOT", "s", "time per output token, per user"),
}
TRT_POOL = Formula(
    "kv_pool_per_gpu_bytes = kv_fraction * (usable_memory_bytes - weights_bytes / gpus - non_torch_bytes)",
    why="TensorRT-LLM gives the KV cache a share of the memory left after loading the weights",
    symbols=_SYMBOLS,
)
MAX_SEQS = Formula(
    "max_seqs = floor(gpus * kv_pool_per_gpu_bytes / ((input_tokens + output_tokens) * kv_bytes_per_token"
    " * replication))",
    why="each request reserves its full length so that none is ever evicted",
    symbols=_SYMBOLS,
)
BATCH = Formula("batch = min(max_seqs, max_batch)", why="as many as fit, up to the engine's cap", symbols=_SYMBOLS)
MICRO_BATCH = Formula("micro_batch = batch / pp", why="the pipeline keeps one micro-batch per stage", symbols=_SYMBOLS)
PREFILL_PER_STEP = Formula(
    "prefill_tokens = micro_batch * input_tokens / output_tokens",
    why="steady state: each finished answer lets in a new prompt, prefilled in chunks beside the decodes",
    symbols=_SYMBOLS,
)
RATE = Formula(
    "output_tokens_per_s = replicas * micro_batch / step_time_s",
    why="one token per sequence of a micro-batch per stage step, in every replica",
    symbols=_SYMBOLS,
)
TPOT = Formula(
    "tpot_s = pp * step_time_s", why="a sequence gets its next token after passing every stage", symbols=_SYMBOLS
)


@dataclass(frozen=True)
class Performance:
    """Throughput and latency of a deployment at its offline maximum (or at a given concurrency)."""

    gpu: Gpu
    precision: str
    kv_precision: str
    gpus: int
    tp: int
    pp: int
    ep: int
    replicas: int
    engine: str
    efficiency: str
    input_tokens: int
    output_tokens: int
    concurrency: int | None
    max_seqs: int
    batch: int  # sequences in flight per replica
    step_time_s: float
    tpot_s: float
    ttft_s: float  # one prompt's prefill inside a running batch (no queueing)
    output_tokens_per_s: float  # all GPUs
    input_tokens_per_s: float
    per_user_output_tokens_per_s: float
    ideal_output_tokens_per_s: float
    error_band: tuple[float, float]  # output tokens/s, the calibration's residual spread
    terms: tuple[Term, ...]

    def as_dict(self) -> dict:
        """JSON-ready (the CLI contract)."""
        return {
            "gpu": self.gpu.id,
            "precision": self.precision,
            "kv_precision": self.kv_precision,
            "gpus": self.gpus,
            "tp": self.tp,
            "pp": self.pp,
            "ep": self.ep,
            "replicas": self.replicas,
            "engine": self.engine,
            "efficiency": self.efficiency,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "concurrency": self.concurrency,
            "max_seqs": self.max_seqs,
            "batch": self.batch,
            "step_time_s": self.step_time_s,
            "tpot_s": self.tpot_s,
            "ttft_s": self.ttft_s,
            "output_tokens_per_s": self.output_tokens_per_s,
            "input_tokens_per_s": self.input_tokens_per_s,
            "per_user_output_tokens_per_s": self.per_user_output_tokens_per_s,
            "ideal_output_tokens_per_s": self.ideal_output_tokens_per_s,
            "error_band": {"low": self.error_band[0], "high": self.error_band[1]},
            "terms": [t.as_dict() for t in self.terms],
        }


def accuracy_text() -> str:
    """How far measured runs fall from the calibrated prediction, in one phrase for labels and notes."""
    from .calibration import HELD_OUT

    return (
        f"within ±25% for {HELD_OUT['within_25_percent']:.0%} of {HELD_OUT['n']} held-out measured runs "
        f"(median predicted/measured {HELD_OUT['median_ratio']:.2f})"
    )


def efficiency_from(value) -> Efficiency:
    """'calibrated' (default), 'ideal', or a percentage of every peak ('60', '60%')."""
    if isinstance(value, Efficiency):
        return value
    text = str(value if value is not None else "calibrated").strip().lower()
    if text == "calibrated":
        return CALIBRATED
    if text == "ideal":
        return ideal()
    number = text.rstrip("%").strip()
    try:
        percent = float(number)
    except ValueError:
        raise InputError(
            f"efficiency must be 'calibrated', 'ideal' or a percentage, got {value!r}", "efficiency"
        ) from None
    return custom(positive_float(percent, "efficiency percent", "efficiency", maximum=100) / 100)


def weights_bytes(arch: Architecture, precision: Precision) -> float:
    """The whole model's weights at this precision (mixed checkpoints keep some groups in BF16)."""
    return split(arch, precision).weights_bytes


def default_tp(arch: Architecture, gpu: Gpu, gpus_per_replica: int) -> int:
    """The largest power of two that divides the replica, fits in a node and divides the attention heads."""
    tp = 1
    while gpus_per_replica % (tp * 2) == 0 and tp * 2 <= gpu.gpus_per_node and arch.num_attention_heads % (tp * 2) == 0:
        tp *= 2
    return tp


def _trt_seqs(arch, gpu, prec, kv_bits, n, tp, t_total) -> tuple[int, list[Term]]:
    pool = TRT_POOL(
        kv_fraction=TRT_KV_FRACTION,
        usable_memory_bytes=gpu.usable_memory_bytes,
        weights_bytes=weights_bytes(arch, prec),
        gpus=n,
        non_torch_bytes=NON_TORCH_BYTES,
    )
    if pool.value <= 0:
        return 0, [pool]
    seqs = MAX_SEQS(
        gpus=n,
        kv_pool_per_gpu_bytes=pool.value,
        input_tokens=t_total[0],
        output_tokens=t_total[1],
        # trtllm-bench sizes the pool at full length on every layer (no sliding-window saving): tuning.py
        kv_bytes_per_token=kv_bytes_per_token(arch, kv_bits),
        replication=kv_replication(arch, tp),
    )
    return int(seqs.value), [pool, seqs]


@dataclass(frozen=True)
class Plan:
    """Everything about a deployment that does not depend on efficiencies: layout, batch, step work."""

    arch: Architecture
    gpu: Gpu
    precision: Precision
    kv_precision: Precision
    gpus: int
    tp: int
    pp: int
    ep: int
    replicas: int
    engine: str
    input_tokens: int
    output_tokens: int
    concurrency: int | None
    max_seqs: int
    batch: int
    micro_batch: float
    steady: StepWork  # one stage step in steady state
    first_token: StepWork  # one prompt prefilled inside the running batch
    terms: tuple[Term, ...]

    def output_tokens_per_s(self, eff: Efficiency) -> float:
        """All GPUs' output tokens per second at these efficiencies (the fit's fast path)."""
        return self.replicas * self.micro_batch / step_time_s(self.steady, eff)


def plan(
    model_or_arch,
    gpu,
    gpus,
    precision,
    input_tokens,
    output_tokens,
    kv_precision=None,
    tp=None,
    pp=1,
    ep=1,
    concurrency=None,
    engine="trtllm",
) -> Plan:
    """Lay out the replicas and size the batch; raises InputError for impossible layouts."""
    arch, _ = resolve_arch(model_or_arch)
    gpu = gpu if isinstance(gpu, Gpu) else get_gpu(gpu)
    prec = get_precision(precision)
    gpus = positive_int(gpus, "gpus", "gpus", MAX_GPUS)
    pp = positive_int(pp, "pp", "pp", arch.num_hidden_layers)
    ep = positive_int(ep, "ep", "ep", MAX_GPUS)
    tp = default_tp(arch, gpu, gpus // pp or 1) if tp is None else positive_int(tp, "tp", "tp", MAX_GPUS)
    t_in = positive_int(input_tokens, "input tokens", "input_tokens", MAX_TOKENS)
    t_out = positive_int(output_tokens, "output tokens", "output_tokens", MAX_TOKENS)
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}; choose one of: {', '.join(ENGINES)}", "engine")
    if arch.num_attention_heads % tp:
        raise InputError(f"tp ({tp}) must divide the model's {arch.num_attention_heads} attention heads", "tp")
    if gpus % (tp * pp):
        raise InputError(f"gpus ({gpus}) must be a multiple of tp x pp ({tp * pp})", "gpus")
    if ep > tp * pp or (tp * pp) % ep:
        raise InputError(f"ep ({ep}) must divide the replica's {tp * pp} GPUs", "ep")
    if ep > 1 and not arch.is_moe:
        raise InputError("expert parallelism (ep > 1) needs a mixture-of-experts model", "ep")
    kv = default_kv(prec, gpu) if kv_precision is None else get_precision(kv_precision, kv=True)
    n, replicas = tp * pp, gpus // (tp * pp)

    if engine == "trtllm":
        max_seqs, terms = _trt_seqs(arch, gpu, prec, kv.bits, n, tp, (t_in, t_out))
        cap = TRT_MAX_BATCH
    else:
        est = capacity(arch, gpu, n, prec.id, kv.id, t_in + t_out, 1)
        max_seqs, terms, cap = est.max_users, [est.terms[4]], max_num_seqs(gpu)
    if max_seqs < 1:
        raise InputError(
            f"one request of {t_in + t_out:,} tokens does not fit beside the weights on {n} x {gpu.name}: "
            "use more GPUs per replica or a smaller precision",
            "gpus",
        )
    if concurrency is not None:
        concurrency = positive_int(concurrency, "concurrency", "concurrency", 10**7)
        cap = min(cap, math.ceil(concurrency / replicas))
    batch = BATCH(max_seqs=max_seqs, max_batch=cap)
    micro = MICRO_BATCH(batch=batch.value, pp=pp)
    prefill = PREFILL_PER_STEP(micro_batch=micro.value, input_tokens=t_in, output_tokens=t_out)

    def work(decode, prefill_tokens):
        ctx, bits = t_in + t_out / 2, prec.effective_bits
        return step_work(
            arch, gpu, bits, prec.compute, kv.bits, decode, ctx, prefill_tokens, t_in / 2, tp, pp, ep, prec
        )

    return Plan(
        arch=arch,
        gpu=gpu,
        precision=prec,
        kv_precision=kv,
        gpus=gpus,
        tp=tp,
        pp=pp,
        ep=ep,
        replicas=replicas,
        engine=engine,
        input_tokens=t_in,
        output_tokens=t_out,
        concurrency=concurrency,
        max_seqs=max_seqs,
        batch=int(batch.value),
        micro_batch=micro.value,
        steady=work(micro.value, prefill.value),
        first_token=work(max(micro.value - 1, 0), t_in),
        terms=(*terms, batch, micro, prefill),
    )


def performance(model_or_arch, gpu, gpus, precision, input_tokens, output_tokens, efficiency="calibrated", **layout):
    """Throughput, TPOT and TTFT of `gpus` x `gpu` serving the model, flat out or at a concurrency.

    `layout` takes plan()'s keywords: kv_precision, tp, pp, ep, concurrency, engine.
    """
    eff = efficiency_from(efficiency)
    p = plan(model_or_arch, gpu, gpus, precision, input_tokens, output_tokens, **layout)
    step = step_terms(p.steady, eff)
    rate = RATE(replicas=p.replicas, micro_batch=p.micro_batch, step_time_s=step[-1].value)
    tpot = TPOT(pp=p.pp, step_time_s=step[-1].value)
    low, high = ERROR_BAND if eff is CALIBRATED else (1.0, 1.0)
    return Performance(
        gpu=p.gpu,
        precision=p.precision.id,
        kv_precision=p.kv_precision.id,
        gpus=p.gpus,
        tp=p.tp,
        pp=p.pp,
        ep=p.ep,
        replicas=p.replicas,
        engine=p.engine,
        efficiency=eff.name,
        input_tokens=p.input_tokens,
        output_tokens=p.output_tokens,
        concurrency=p.concurrency,
        max_seqs=p.max_seqs,
        batch=p.batch,
        step_time_s=step[-1].value,
        tpot_s=tpot.value,
        ttft_s=p.pp * step_time_s(p.first_token, eff),
        output_tokens_per_s=rate.value,
        input_tokens_per_s=rate.value * p.input_tokens / p.output_tokens,
        per_user_output_tokens_per_s=1 / tpot.value,
        ideal_output_tokens_per_s=p.output_tokens_per_s(ideal()),
        error_band=(rate.value * low, rate.value * high),
        terms=(*p.terms, *step, rate, tpot),
    )


def default_kv(prec: Precision, gpu: Gpu) -> Precision:
    """FP8 KV cache for FP8/FP4 checkpoints on GPUs with FP8 tensor cores, as NVIDIA's ModelOpt
    checkpoints ship (kv_cache_quant_algo FP8) and TensorRT-LLM runs them; else 16-bit."""
    if prec.compute in ("fp8", "fp4") and gpu.fp8_flops:
        return get_precision("fp8", kv=True)
    return get_precision("fp32" if prec.bits == 32 else "bf16", kv=True)


@dataclass(frozen=True)
class Speeds:
    """One replica's decode and prefill speed at a batch and context, with the decode step's terms."""

    decode_tokens_per_s: float  # the whole batch
    decode_tokens_per_s_per_user: float
    prefill_tokens_per_s: float  # one prompt of `context_tokens`, alone
    efficiency: str
    decode_terms: tuple[Term, ...]


@lru_cache(maxsize=256)  # pure; the widgets ask again for the same replica on most keystrokes (e.g. batch 1)
def speeds(
    arch, gpu, weight_bits, compute, kv_bits, batch, context_tokens, tp=1, pp=1, efficiency="calibrated", precision=None
):
    """Decode (batch sequences at a context) and prefill (one prompt) through the step-time model.

    Without micro-batching a token passes the PP stages one after another, so each costs PP steps.
    """
    eff = efficiency_from(efficiency)
    decode = step_work(arch, gpu, weight_bits, compute, kv_bits, batch, context_tokens, 0, 0, tp, pp, 1, precision)
    terms = step_terms(decode, eff)
    prompt = step_work(
        arch, gpu, weight_bits, compute, kv_bits, 0, 0, context_tokens, context_tokens / 2, tp, pp, 1, precision
    )
    rate = batch / (pp * terms[-1].value)
    return Speeds(
        decode_tokens_per_s=rate,
        decode_tokens_per_s_per_user=rate / batch,
        prefill_tokens_per_s=context_tokens / (pp * step_time_s(prompt, eff)),
        efficiency=eff.name,
        decode_terms=terms,
    )
