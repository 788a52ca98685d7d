"""MoE vs dense: what must sit in memory, what each token computes, what each decode step reads.

A mixture-of-experts model stores every expert but runs only the top-k its router picks, so per token
it computes like a much smaller dense model. Decode speed, though, is set by the bytes a step reads,
and one step serves a whole batch: with B sequences in flight each MoE layer reads every expert that
any of them picked. Under uniform routing the expected number of distinct experts is
E x (1 - (1 - k/E)^B) (roofline.EXPERTS_TOUCHED), which races from k at batch 1 towards all E, so the
MoE's bandwidth advantage over a dense model shrinks as the batch grows. The byte counting itself is
roofline.weights_bytes_read; this module adds the side-by-side view, the per-token view and the curve.

Real routers are not uniform (popular experts are picked more often), which makes fewer distinct
experts per batch than this formula: it is an upper bound on expert reads for a trained router.
"""

from dataclasses import dataclass
from functools import lru_cache

from .architecture import kv_bytes_per_token, param_breakdown
from .checkpoint import read_correction, weights_term
from .errors import InputError, positive_int
from .formula import Formula, Term
from .gpus import Gpu, get_gpu
from .models import MODELS, Model, get_model
from .performance import Speeds, default_tp, speeds
from .precision import Precision, default_kv_precision, get_precision
from .roofline import DecodeEstimate, decode_step, weights_bytes_read
from .router import RouterTrace, route
from .state import state_bytes_per_sequence
from .units import format_bytes
from .vram import STATE

MAX_BATCH = 100_000
MAX_CONTEXT_TOKENS = 10**7
MAX_GPUS = 100_000
CURVE_BATCHES = tuple(2**i for i in range(11))  # 1 ... 1024: where the MoE curve bends for every catalog model

_SYMBOLS = {
    "flops_per_token": ("F_t", "flops", "FLOPs per generated token"),
    "params_active_compute": ("P_c", "count", "active parameters that do matmuls (embedding lookup excluded)"),
    "params_always": ("P_0", "count", "parameters every step reads (attention, dense layers, shared experts)"),
    "top_k": ("k", "int", "routed experts per token"),
    "params_per_expert": ("P_e", "count", "one expert in one layer"),
    "moe_layers": ("L_moe", "int", "MoE layers"),
    "unique_experts": ("E_u", "number", "distinct experts touched per layer"),
    "bytes_per_param": ("b/8", "number", "bytes per parameter"),
    "weights_read_bytes": ("W_r", "bytes", "weight bytes read per decode step"),
    "bytes_per_token": ("W_t", "bytes", "weight bytes read per generated token"),
    "batch": ("B", "int", "sequences per step"),
    "kv_read_bytes": ("KV_r", "bytes", "KV bytes read per decode step"),
    "context_tokens": ("C", "int", "cached tokens per sequence"),
    "kv_bytes_per_token": ("K_t", "bytes", "KV cache per token"),
    "read_ratio": ("ρ", "number", "dense bytes per token / MoE bytes per token"),
    "dense_bytes_per_token": ("W_t,dense", "bytes", "dense model"),
    "moe_bytes_per_token": ("W_t,MoE", "bytes", "MoE model"),
}
FLOPS_PER_TOKEN = Formula(
    "flops_per_token = 2 * params_active_compute",
    why="a multiply and an add per active weight; the input embedding is a row lookup, not a matmul",
    symbols=_SYMBOLS,
)
ALWAYS_READ = Formula(
    "params_always = params_active_compute - top_k * params_per_expert * moe_layers",
    why="everything but the routed experts is read by every step, whatever the routing",
    symbols=_SYMBOLS,
)
MOE_STEP = Formula(
    "weights_read_bytes = (params_always + unique_experts * params_per_expert * moe_layers) * bytes_per_param",
    why="each MoE layer streams every expert that any sequence in the batch picked, once",
    symbols=_SYMBOLS,
)
DENSE_STEP = Formula(
    "weights_read_bytes = params_active_compute * bytes_per_param",
    why="a dense model reads all its weights every step, whatever the batch",
    symbols=_SYMBOLS,
)
PER_TOKEN = Formula(
    "bytes_per_token = weights_read_bytes / batch",
    why="one step makes one token per sequence, so the batch shares the weight reads",
    symbols=_SYMBOLS,
)
KV_READ = Formula(
    "kv_read_bytes = batch * context_tokens * kv_bytes_per_token",
    why="each step also reads every cached token of every sequence in the batch",
    symbols=_SYMBOLS,
)
READ_RATIO = Formula(
    "read_ratio = dense_bytes_per_token / moe_bytes_per_token",
    why="above 1 the MoE reads fewer weight bytes per token than the dense model",
    symbols=_SYMBOLS,
)


@dataclass(frozen=True)
class BatchRead:
    """Weight reads of one decode step at one batch size."""

    batch: int
    experts_touched: float | None  # expected distinct routed experts per MoE layer; None for a dense model
    weights_read_bytes: float  # per step
    bytes_per_token: float  # per generated token (per sequence): the step's reads shared by the batch
    terms: tuple[Term, ...]


_FIGURES = (  # Side fields copied as they are into the JSON
    "params_total params_active params_active_compute experts top_k shared_experts moe_layers params_per_expert "
    "flops_per_token weights_bytes kv_bytes_per_token kv_read_bytes_per_token memory_needed_bytes fits"
).split()


@dataclass(frozen=True)
class Side:
    """One model of the comparison at the chosen precision, batch, context and GPUs."""

    model: Model
    params_total: int
    params_active: int  # per token, input embedding included (the model-card convention for most models)
    params_active_compute: int  # per token, without the embedding lookup: what costs FLOPs and bandwidth
    experts: int  # routed experts per MoE layer (0 for dense)
    top_k: int
    shared_experts: int
    moe_layers: int
    params_per_expert: int
    flops_per_token: float
    weights_bytes: float  # all weights, what must sit in GPU memory
    kv_bytes_per_token: float
    kv_read_bytes_per_token: float  # one sequence's KV read per generated token (context x per-token)
    batch_1: BatchRead
    batch_b: BatchRead
    decode_1: DecodeEstimate  # the ideal roofline (upper bound)
    decode_b: DecodeEstimate
    calibrated_1: Speeds  # as engines run it (performance.speeds): the figures shown first
    calibrated_b: Speeds
    memory_needed_bytes: float  # weights + the batch's KV cache and fixed state (engine overhead left out)
    fits: bool
    curve: tuple[BatchRead, ...]
    terms: tuple[Term, ...]

    def numbers(self) -> dict:
        """The figures (no curve, no formulas); widget outputs use these keys, dot-joined after the side."""
        one, many, d1, db = self.batch_1, self.batch_b, self.decode_1, self.decode_b
        c1, cb = self.calibrated_1, self.calibrated_b
        pairs = {  # each figure at batch 1 and at batch B
            "calibrated_decode_tokens_per_s": (c1.decode_tokens_per_s, cb.decode_tokens_per_s),
            "calibrated_decode_tokens_per_s_per_user": (
                c1.decode_tokens_per_s_per_user,
                cb.decode_tokens_per_s_per_user,
            ),
            "experts_touched": (one.experts_touched, many.experts_touched),
            "weights_read_bytes_per_step": (one.weights_read_bytes, many.weights_read_bytes),
            "bytes_read_per_token": (one.bytes_per_token, many.bytes_per_token),
            "decode_tokens_per_s": (d1.tokens_per_s, db.tokens_per_s),
            "decode_tokens_per_s_per_user": (d1.tokens_per_s_per_user, db.tokens_per_s_per_user),
            "decode_bound": (d1.bound, db.bound),
        }
        data = {"model": self.model.id, "name": self.model.name}
        data.update((k, getattr(self, k)) for k in _FIGURES)
        data.update((k, {"batch_1": a, "batch_b": b}) for k, (a, b) in pairs.items())
        if not self.experts:
            data["experts_touched"] = None
        return data

    def as_dict(self) -> dict:
        """JSON-ready: the figures, the bytes-per-token curve and the formulas with numbers."""
        return {
            **self.numbers(),
            "curve": [
                {"batch": c.batch, "experts_touched": c.experts_touched, "bytes_per_token": c.bytes_per_token}
                for c in self.curve
            ],
            "terms": [t.as_dict() for t in self.terms],
        }


@dataclass(frozen=True)
class Comparison:
    """A dense model and an MoE model side by side on the same GPUs, batch and context."""

    dense: Side
    moe: Side
    precision: Precision
    kv_precision: Precision
    batch: int
    context_tokens: int
    gpu: Gpu
    gpus: int
    memory_available_bytes: float  # gpus x usable memory per GPU
    read_ratio_1: Term  # dense / MoE weight bytes per token at batch 1
    read_ratio_b: Term  # the same at batch B
    crossover_batch: int | None  # smallest batch at which the MoE step reads >= the dense step; None = never
    router: RouterTrace
    warnings: tuple[str, ...]

    def as_dict(self) -> dict:
        """The CLI's JSON document."""
        return {
            "precision": self.precision.id,
            "kv_precision": self.kv_precision.id,
            "batch": self.batch,
            "context_tokens": self.context_tokens,
            "gpu": self.gpu.id,
            "gpus": self.gpus,
            "memory_available_bytes": self.memory_available_bytes,
            "dense": self.dense.as_dict(),
            "moe": self.moe.as_dict(),
            "read_ratio": {"batch_1": self.read_ratio_1.value, "batch_b": self.read_ratio_b.value},
            "crossover_batch": self.crossover_batch,
            "router": self.router.as_dict(),
            "terms": [self.read_ratio_1.as_dict(), self.read_ratio_b.as_dict()],
            "warnings": list(self.warnings),
        }


def describe_ratio(ratio: float) -> str:
    """A read ratio (dense / MoE) in words: '1.7× fewer' when the MoE reads less, '6.9× more' when it reads more."""
    if 0.95 <= ratio <= 1.05:  # two significant digits would print a misleading '1× fewer'
        return "about as many"
    if ratio >= 1:
        return f"{ratio:.2g}× fewer" if ratio < 10 else f"{ratio:.0f}× fewer"
    inverse = 1 / ratio
    return f"{inverse:.2g}× more" if inverse < 10 else f"{inverse:.0f}× more"


def dense_ids() -> tuple[str, ...]:
    return tuple(m.id for m in MODELS if not m.arch.is_moe)


def moe_ids() -> tuple[str, ...]:
    return tuple(m.id for m in MODELS if m.arch.is_moe)


def _pick(model_id: str, want_moe: bool) -> Model:
    """The catalog model for one side, refusing a model of the other kind (field 'dense' or 'moe')."""
    field = "moe" if want_moe else "dense"
    try:
        model = get_model(model_id)
    except InputError as exc:
        raise InputError(str(exc), field) from None
    if model.arch.is_moe != want_moe:
        kind, other = ("dense", "mixture-of-experts") if want_moe else ("mixture-of-experts", "dense")
        choices = ", ".join(moe_ids() if want_moe else dense_ids())
        raise InputError(f"{model.id} is a {kind} model; the {field} side takes a {other} one: {choices}", field)
    return model


@lru_cache(maxsize=1024)  # the curve and the crossover search revisit the same points on every update
def batch_read(model: Model, precision: Precision, batch: int) -> BatchRead:
    """Weight bytes one decode step of `batch` sequences reads, and their share per generated token."""
    p = param_breakdown(model.arch)
    bpp = precision.bytes_per_weight
    read, touched = weights_bytes_read(model.arch, bpp, batch)  # the one place bytes are counted
    if touched is None:
        step = DENSE_STEP(params_active_compute=p.active_compute, bytes_per_param=bpp)
        terms = [step]
    else:
        always = ALWAYS_READ(
            params_active_compute=p.active_compute,
            top_k=p.experts_per_token,
            params_per_expert=p.params_per_expert,
            moe_layers=p.moe_layers,
        )
        step = MOE_STEP(
            params_always=always.value,
            unique_experts=touched.value,
            params_per_expert=p.params_per_expert,
            moe_layers=p.moe_layers,
            bytes_per_param=bpp,
        )
        terms = [touched, always, step]
    mixed = read_correction(model.arch, precision, read)
    if mixed:  # FP4 formats leave the output head, norms and routers in BF16
        read = mixed.value
        terms.append(mixed)
    per_token = PER_TOKEN(weights_read_bytes=read, batch=batch)
    return BatchRead(batch, touched.value if touched else None, read, per_token.value, (*terms, per_token))


@lru_cache(maxsize=32)  # what a side needs that the batch does not change: the widget's batch field is typed in
def _at_batch_1(model: Model, precision: Precision, kv: Precision, context: int, gpu: Gpu, gpus: int) -> tuple:
    p = param_breakdown(model.arch)
    weights = weights_term(model.arch, precision)
    flops = FLOPS_PER_TOKEN(params_active_compute=p.active_compute)
    kv_per_token = kv_bytes_per_token(model.arch, kv.bits, context)
    one = batch_read(model, precision, 1)
    kv_1 = KV_READ(batch=1, context_tokens=context, kv_bytes_per_token=kv_per_token)
    decode_1 = decode_step(gpu, gpus, one.weights_read_bytes, kv_1.value, 1, p.active_compute, precision)
    tp = default_tp(model.arch, gpu, gpus)
    args = (model.arch, gpu, precision.effective_bits, precision.compute, kv.bits)
    real_1 = speeds(*args, 1, context, tp, gpus // tp, precision=precision)
    curve = {b: batch_read(model, precision, b) for b in CURVE_BATCHES}
    return p, weights, flops, kv_per_token, one, kv_1, decode_1, tp, args, real_1, curve


def _side(model, precision, kv, batch, context, gpu, gpus) -> Side:
    p, weights, flops, kv_per_token, one, kv_1, decode_1, tp, args, real_1, points = _at_batch_1(
        model, precision, kv, context, gpu, gpus
    )
    many = batch_read(model, precision, batch)
    kv_b = KV_READ(batch=batch, context_tokens=context, kv_bytes_per_token=kv_per_token)
    decode_b = decode_step(gpu, gpus, many.weights_read_bytes, kv_b.value, batch, p.active_compute, precision)
    real_b = speeds(*args, batch, context, tp, gpus // tp, precision=precision)
    curve = tuple(points[b] if b in points else many for b in sorted({*CURVE_BATCHES, batch}))
    per_sequence = state_bytes_per_sequence(model.arch)  # linear-attention / Mamba layers (Qwen3-Next)
    state = STATE(users=batch, state_bytes_per_sequence=per_sequence) if per_sequence else None
    needed = weights.value + kv_b.value + (state.value if state else 0.0)
    return Side(
        model=model,
        params_total=p.total,
        params_active=p.active,
        params_active_compute=p.active_compute,
        experts=p.n_routed_experts,
        top_k=p.experts_per_token,
        shared_experts=model.arch.n_shared_experts,
        moe_layers=p.moe_layers,
        params_per_expert=p.params_per_expert,
        flops_per_token=flops.value,
        weights_bytes=weights.value,
        kv_bytes_per_token=kv_per_token,
        kv_read_bytes_per_token=kv_1.value,
        batch_1=one,
        batch_b=many,
        decode_1=decode_1,
        decode_b=decode_b,
        calibrated_1=real_1,
        calibrated_b=real_b,
        memory_needed_bytes=needed,
        fits=needed <= gpus * gpu.usable_memory_bytes,
        curve=curve,
        terms=_unique((weights, flops, *one.terms, *many.terms, kv_b, *([state] if state else []), *decode_b.terms)),
    )


def _unique(terms) -> tuple[Term, ...]:
    """Terms without repeats (P_0, and a dense model's per-step reads, are the same at batch 1 and B)."""
    seen, kept = set(), []
    for t in terms:
        key = (t.formula.source, t.values)
        if key not in seen:
            seen.add(key)
            kept.append(t)
    return tuple(kept)


@lru_cache(maxsize=64)
def crossover_batch(dense: Model, moe: Model, precision: Precision) -> int | None:
    """The smallest batch at which the MoE step reads at least the dense step's weight bytes (None: never).

    The MoE's reads only grow with the batch (more distinct experts) while the dense model's stay put,
    so a binary search over 1..MAX_BATCH finds it.
    """
    target = batch_read(dense, precision, 1).weights_read_bytes
    if batch_read(moe, precision, MAX_BATCH).weights_read_bytes < target:
        return None
    low, high = 1, MAX_BATCH
    while low < high:
        mid = (low + high) // 2
        if batch_read(moe, precision, mid).weights_read_bytes >= target:
            high = mid
        else:
            low = mid + 1
    return low


def compare(
    dense_id: str = "llama-3.1-70b",
    moe_id: str = "glm-5",
    precision="fp8",
    batch=32,
    context_tokens=4096,
    gpu="h200-sxm",
    gpus=8,
    seed=42,
) -> Comparison:
    """Dense vs MoE at one precision, batch, context and GPU setup, plus a toy routing of the MoE."""
    dense, moe = _pick(dense_id, False), _pick(moe_id, True)
    prec = get_precision(precision)
    batch = positive_int(batch, "batch size", "batch", MAX_BATCH)
    context = positive_int(context_tokens, "context", "context", MAX_CONTEXT_TOKENS)
    card = get_gpu(gpu)
    count = positive_int(gpus, "GPU count", "gpus", MAX_GPUS)
    kv = default_kv_precision(prec)
    sides = [_side(m, prec, kv, batch, context, card, count) for m in (dense, moe)]
    d, m = sides
    ratio_1 = READ_RATIO(dense_bytes_per_token=d.batch_1.bytes_per_token, moe_bytes_per_token=m.batch_1.bytes_per_token)
    ratio_b = READ_RATIO(dense_bytes_per_token=d.batch_b.bytes_per_token, moe_bytes_per_token=m.batch_b.bytes_per_token)
    available = count * card.usable_memory_bytes
    warnings = [
        f"{s.model.name} does not fit: its weights and KV cache need {format_bytes(s.memory_needed_bytes)}, "
        f"{count:,} × {card.name} hold {format_bytes(available)}; the speeds assume it did."
        for s in sides
        if not s.fits
    ]
    warnings += [
        f"{s.model.name} was trained for {s.model.arch.max_position_embeddings:,} tokens of context; "
        f"{context:,} is beyond it."
        for s in sides
        if 0 < s.model.arch.max_position_embeddings < context
    ]
    trace = route(m.experts, m.top_k, seed, m.shared_experts)
    return Comparison(
        dense=d,
        moe=m,
        precision=prec,
        kv_precision=kv,
        batch=batch,
        context_tokens=context,
        gpu=card,
        gpus=count,
        memory_available_bytes=available,
        read_ratio_1=ratio_1,
        read_ratio_b=ratio_b,
        crossover_batch=crossover_batch(dense, moe, prec),
        router=trace,
        warnings=tuple(warnings),
    )
