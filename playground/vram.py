"""How much GPU memory serving a model takes: weights + KV cache + fixed state + engine overhead.

total_bytes is exactly weights_bytes + kv_cache_bytes + state_bytes + overhead_bytes; state_bytes is the
per-sequence state of linear-attention and Mamba layers (0 for models that are all softmax attention).
Without a GPU the overhead is one engine process with no reserve (the reserve is a fraction of a GPU we
have not chosen). With a GPU, the estimate is for the GPU count the recommendation needs (or the count
you pass), including the (1 - gpu_memory_utilization) headroom on each, so total_bytes <= gpus x usable
memory.
"""

from dataclasses import dataclass

from .architecture import Architecture, kv_breakdown, param_breakdown
from .checkpoint import WeightSplit, split
from .errors import positive_float, positive_int
from .formula import Formula, Term
from .gpus import Gpu, get_gpu
from .models import Model, get_model
from .overhead import EngineSettings, Layout, Overhead, layout, overhead
from .precision import Precision, default_kv_precision, get_precision
from .state import state_breakdown

MAX_USERS = 10**7
MAX_CONTEXT_TOKENS = 10**7
MAX_GPUS = 10**6

_SYMBOLS = {
    "weights_bytes": ("W", "bytes", "weights"),
    "params": ("P", "count", "parameters"),
    "bits": ("b", "number", "bits per weight"),
    "kv_cache_bytes": ("KV", "bytes", "KV cache"),
    "users": ("U", "int", "concurrent users"),
    "context_tokens": ("C", "int", "tokens per user"),
    "kv_bytes_per_token": ("K_t", "bytes", "KV per token"),
    "replication": ("ρ", "number", "KV copies under TP"),
    "total_bytes": ("V", "bytes", "total GPU memory"),
    "overhead_bytes": ("O", "bytes", "engine overhead"),
    "state_bytes": ("S_all", "bytes", "fixed state, all users"),
    "state_bytes_per_sequence": ("S_seq", "bytes", "fixed state per sequence"),
}
WEIGHTS = Formula("weights_bytes = params * bits / 8", why="each parameter takes bits / 8 bytes", symbols=_SYMBOLS)
KV_CACHE = Formula(
    "kv_cache_bytes = users * context_tokens * kv_bytes_per_token",
    why="every user's every token keeps its keys and values",
    symbols=_SYMBOLS,
)
KV_CACHE_REPLICATED = Formula(
    "kv_cache_bytes = users * context_tokens * kv_bytes_per_token * replication",
    why="tensor parallelism beyond the KV heads (or MLA) stores the cache on every rank",
    symbols=_SYMBOLS,
)
STATE = Formula(
    "state_bytes = users * state_bytes_per_sequence",
    why="every running sequence keeps its own linear-attention / Mamba state, whatever its length",
    symbols=_SYMBOLS,
)
TOTAL = Formula(
    "total_bytes = weights_bytes + kv_cache_bytes + overhead_bytes",
    why="what has to fit in GPU memory",
    symbols=_SYMBOLS,
)
TOTAL_STATE = Formula(
    "total_bytes = weights_bytes + kv_cache_bytes + state_bytes + overhead_bytes",
    why="what has to fit in GPU memory",
    symbols=_SYMBOLS,
)


@dataclass(frozen=True)
class VramEstimate:
    """A memory estimate and every number behind it."""

    model_id: str | None
    arch: Architecture
    precision: str
    kv_precision: str
    users: int
    context_tokens: int
    params_total: int
    params_active: int
    weight_bits: float  # the format's effective bits, quantization scales included
    weight_split: WeightSplit  # which parameters the format covers; the rest stay 16-bit (checkpoint.py)
    kv_bits: int
    kv_bytes_per_token: float  # at kv_bits, averaged over the context if sliding windows apply
    kv_cache_one_copy_bytes: float  # users x context x kv_bytes_per_token
    weights_bytes: float
    kv_cache_bytes: float  # including TP replication when a layout is chosen
    state_bytes_per_sequence: float  # linear-attention / Mamba state of one sequence (0 for pure attention)
    state_bytes: float  # users x state_bytes_per_sequence
    overhead: Overhead
    overhead_bytes: float
    total_bytes: float
    gpu: Gpu | None
    gpus: int
    layout: Layout
    settings: EngineSettings
    terms: tuple[Term, ...]
    warnings: tuple[str, ...]


def resolve_arch(model_or_arch) -> tuple[Architecture, Model | None]:
    """Accept a Model, an Architecture, or a catalog id."""
    if isinstance(model_or_arch, Model):
        return model_or_arch.arch, model_or_arch
    if isinstance(model_or_arch, Architecture):
        return model_or_arch, None
    model = get_model(model_or_arch)
    return model.arch, model


def _precision(value, kv: bool = False) -> Precision:
    return value if isinstance(value, Precision) else get_precision(value, kv=kv)


def estimate(
    model_or_arch,
    precision,
    users,
    context_tokens,
    kv_precision=None,
    gpu=None,
    gpus=None,
    *,
    gpu_memory_utilization=None,
    max_batched_tokens=None,
    cuda_graph_bytes=None,
) -> VramEstimate:
    """Estimate serving memory for `users` concurrent requests of `context_tokens` each.

    gpu / gpus: optional Gpu (or id) and count; a GPU without a count gets the recommended count.
    The keyword-only knobs override vLLM's defaults (see overhead.py).
    """
    arch, model = resolve_arch(model_or_arch)
    prec = _precision(precision)
    kv_prec = _precision(kv_precision, kv=True) if kv_precision is not None else default_kv_precision(prec)
    users = positive_int(users, "users", "users", MAX_USERS)
    context_tokens = positive_int(context_tokens, "context", "context", MAX_CONTEXT_TOKENS)
    settings = engine_settings(gpu_memory_utilization, max_batched_tokens, cuda_graph_bytes)
    if gpu is not None and not isinstance(gpu, Gpu):
        gpu = get_gpu(gpu)
    if gpus is not None:
        gpus = positive_int(gpus, "gpus", "gpus", MAX_GPUS)

    params = param_breakdown(arch)
    ws = split(arch, prec)
    weights = ws.term
    kv = kv_breakdown(arch, kv_prec.bits, context_tokens)
    one_copy = users * context_tokens * kv.bytes_per_token
    state = state_breakdown(arch)
    state_term = STATE(users=users, state_bytes_per_sequence=state.bytes_per_sequence) if state.terms else None
    state_bytes = state_term.value if state_term else 0.0
    if gpu is not None and gpus is None:
        from .recommend import fit_counts  # late import: recommend builds on this module's results

        gpus = fit_counts(arch, weights.value, one_copy, gpu, settings, state_bytes).gpu_count
    count = gpus or 1
    lay = layout(arch, count, gpu.gpus_per_node if gpu else 8)
    if lay.kv_replication > 1:
        kv_term = KV_CACHE_REPLICATED(
            users=users,
            context_tokens=context_tokens,
            kv_bytes_per_token=kv.bytes_per_token,
            replication=lay.kv_replication,
        )
    else:
        kv_term = KV_CACHE(users=users, context_tokens=context_tokens, kv_bytes_per_token=kv.bytes_per_token)
    over = overhead(arch, lay, settings, gpu)
    if state_term:
        total = TOTAL_STATE(
            weights_bytes=weights.value,
            kv_cache_bytes=kv_term.value,
            state_bytes=state_bytes,
            overhead_bytes=over.total_bytes,
        )
    else:
        total = TOTAL(weights_bytes=weights.value, kv_cache_bytes=kv_term.value, overhead_bytes=over.total_bytes)
    terms = [weights]
    if prec.effective_bits_term():
        terms.insert(0, prec.effective_bits_term())
    terms += [*kv.terms, kv_term, *state.terms, *([state_term] if state_term else []), *over.terms, total]
    return VramEstimate(
        model_id=model.id if model else None,
        arch=arch,
        precision=prec.id,
        kv_precision=kv_prec.id,
        users=users,
        context_tokens=context_tokens,
        params_total=params.total,
        params_active=params.active,
        weight_bits=prec.effective_bits,
        weight_split=ws,
        kv_bits=kv_prec.bits,
        kv_bytes_per_token=kv.bytes_per_token,
        kv_cache_one_copy_bytes=one_copy,
        weights_bytes=weights.value,
        kv_cache_bytes=kv_term.value,
        state_bytes_per_sequence=state.bytes_per_sequence,
        state_bytes=state_bytes,
        overhead=over,
        overhead_bytes=over.total_bytes,
        total_bytes=total.value,
        gpu=gpu,
        gpus=count,
        layout=lay,
        settings=settings,
        terms=tuple(terms),
        warnings=_warnings(arch, model, context_tokens),
    )


def engine_settings(gpu_memory_utilization=None, max_batched_tokens=None, cuda_graph_bytes=None) -> EngineSettings:
    """Validated engine knobs; None keeps vLLM's default."""
    defaults = EngineSettings()
    util = (
        defaults.gpu_memory_utilization
        if gpu_memory_utilization is None
        else positive_float(gpu_memory_utilization, "gpu memory utilization", "gpu_memory_utilization", maximum=1.0)
    )
    tokens = (
        None
        if max_batched_tokens is None
        else positive_int(max_batched_tokens, "max batched tokens", "max_batched_tokens", MAX_CONTEXT_TOKENS)
    )
    graphs = (
        defaults.cuda_graph_bytes
        if cuda_graph_bytes is None
        else positive_float(cuda_graph_bytes, "CUDA graph bytes", "cuda_graph_bytes", maximum=1e12, allow_zero=True)
    )
    return EngineSettings(gpu_memory_utilization=util, max_batched_tokens=tokens, cuda_graph_bytes=graphs)


def _warnings(arch: Architecture, model: Model | None, context_tokens: int) -> tuple[str, ...]:
    notes = []
    if arch.language_model_of:
        notes.append(
            f"{arch.language_model_of} is a multimodal model: sized its language model (text_config); "
            "the vision encoder's weights are not counted"
        )
    limit = arch.max_position_embeddings
    if limit and context_tokens > limit:
        name = model.name if model else "this model"
        notes.append(f"context {context_tokens:,} exceeds {name}'s trained maximum of {limit:,} tokens")
    return tuple(notes)
