"""Which GPU, and how many, for a VRAM estimate.

A count fits when, on every GPU, its share of the weights and KV cache plus the engine overhead stays
within gpu_memory_utilization x usable memory. Counts follow tensor parallelism: powers of two up to
a node (TP must also divide the attention heads), then whole nodes (TP inside a node, pipeline stages
across nodes).

Without a GPU named we pick, among data-center GPUs: the fewest GPUs (fewer shards, fewer network
hops, fewer things to fail); on a tie the least memory per GPU (the least idle capacity; memory is
what the price tracks most closely and we lack prices for most cards); then the newest; then the
highest bandwidth (faster decode).
"""

from dataclasses import dataclass, replace
from functools import lru_cache

from .architecture import Architecture
from .errors import InputError
from .formula import Formula, Term
from .gpus import GPUS, Gpu
from .overhead import EngineSettings, layout, per_gpu_bytes
from .units import format_bytes

_SYMBOLS = {
    "budget_bytes": ("B", "bytes", "memory vLLM may use per GPU"),
    "utilization": ("u", "percent", "utilization"),
    "usable_memory_bytes": ("M", "bytes", "usable memory per GPU"),
    "need_bytes": ("D", "bytes", "need per GPU"),
    "weights_bytes": ("W", "bytes", "weights"),
    "kv_cache_bytes": ("KV", "bytes", "KV cache, one copy"),
    "replication": ("ρ", "number", "KV copies under TP"),
    "gpus": ("G", "int", "GPUs"),
    "overhead_per_gpu_bytes": ("O_g", "bytes", "engine overhead per GPU"),
    "gpus_per_node": ("S", "int", "GPUs per node"),
    "state_bytes": ("S_all", "bytes", "fixed per-sequence state, all users"),
}
BUDGET = Formula("budget_bytes = utilization * usable_memory_bytes", why="vLLM's share of each GPU", symbols=_SYMBOLS)
NEED = Formula(
    "need_bytes = (weights_bytes + kv_cache_bytes * replication) / gpus + overhead_per_gpu_bytes",
    why="each GPU holds its shard plus a whole engine",
    symbols=_SYMBOLS,
)
NEED_STATE = Formula(
    "need_bytes = (weights_bytes + kv_cache_bytes * replication + state_bytes) / gpus + overhead_per_gpu_bytes",
    why="each GPU holds its shard (linear-attention and Mamba state included) plus a whole engine",
    symbols=_SYMBOLS,
)
NODES = Formula(
    "gpus = ceil((weights_bytes + kv_cache_bytes * replication) / (gpus_per_node * (budget_bytes"
    " - overhead_per_gpu_bytes))) * gpus_per_node",
    why="beyond one node, add whole nodes until the shards fit",
    symbols=_SYMBOLS,
)
NODES_STATE = Formula(
    "gpus = ceil((weights_bytes + kv_cache_bytes * replication + state_bytes) / (gpus_per_node * (budget_bytes"
    " - overhead_per_gpu_bytes))) * gpus_per_node",
    why="beyond one node, add whole nodes until the shards fit",
    symbols=_SYMBOLS,
)


def _with_state(formula: Formula, stateful: Formula, state_bytes: float, **values) -> Term:
    """The plain formula for attention-only models; the one with the state term when there is state."""
    return stateful(**values, state_bytes=state_bytes) if state_bytes else formula(**values)


@dataclass(frozen=True)
class GpuFit:
    """How a workload fits one GPU type."""

    gpu: Gpu
    fits: bool  # False only when the engine overhead alone exceeds the per-GPU budget
    gpu_count: int  # 0 when it never fits
    nodes: int
    tensor_parallel: int
    pipeline_parallel: int
    need_per_gpu_bytes: float
    budget_per_gpu_bytes: float
    fits_single_gpu: bool
    fits_single_node: bool
    reason: str
    terms: tuple[Term, ...]

    def as_dict(self) -> dict:
        """The CLI's `recommendation` object."""
        return {
            "gpu": self.gpu.id,
            "gpu_count": self.gpu_count,
            "nodes": self.nodes,
            "fits": self.fits,
            "tensor_parallel": self.tensor_parallel,
            "pipeline_parallel": self.pipeline_parallel,
            "need_per_gpu_bytes": self.need_per_gpu_bytes,
            "budget_per_gpu_bytes": self.budget_per_gpu_bytes,
            "fits_single_gpu": self.fits_single_gpu,
            "fits_single_node": self.fits_single_node,
            "reason": self.reason,
            "terms": [t.as_dict() for t in self.terms],
        }


def _in_node_counts(gpus_per_node: int) -> list[int]:
    counts, n = [], 1
    while n <= gpus_per_node:
        counts.append(n)
        n *= 2
    if counts[-1] != gpus_per_node:
        counts.append(gpus_per_node)  # e.g. a 72-GPU NVL72 domain
    return counts


_FIXED: dict = {}  # (id(arch), id(gpu), settings) -> (arch, gpu, budget, in-node counts, first multi-node count)


def _fixed(arch: Architecture, gpu: Gpu, settings: EngineSettings) -> tuple:
    """What fit_counts needs that the load does not change: the budget term, and (count, layout, overhead per
    GPU) for each count in a node and for two nodes. Kept per model object and GPU: a new load (every
    keystroke in the users field) re-fits every GPU type, and hashing a whole Architecture costs more."""
    key = (id(arch), id(gpu), settings)
    hit = _FIXED.get(key)
    if hit is not None and hit[0] is arch and hit[1] is gpu:
        return hit[2:]
    if len(_FIXED) > 1024:
        _FIXED.clear()
    node = gpu.gpus_per_node
    budget = BUDGET(utilization=settings.gpu_memory_utilization, usable_memory_bytes=gpu.usable_memory_bytes)
    counts = []
    for n in (*_in_node_counts(node), 2 * node):
        lay = layout(arch, n, node)
        counts.append((n, lay, per_gpu_bytes(arch, lay, settings, gpu)))
    _FIXED[key] = (arch, gpu, budget, tuple(counts[:-1]), counts[-1])
    return _FIXED[key][2:]


@lru_cache(maxsize=2048)  # pure; every widget update re-fits all GPU types for mostly the same load
def fit_counts(
    arch: Architecture,
    weights_bytes: float,
    kv_cache_bytes: float,
    gpu: Gpu,
    settings: EngineSettings,
    state_bytes: float = 0.0,
) -> GpuFit:
    """The smallest TP-friendly count of `gpu` that holds the weights, one copy of the KV cache and the state.

    The fixed state of linear-attention and Mamba layers is split across GPUs (TP splits its heads, PP its
    layers), so it is never replicated the way a GQA cache is beyond its KV heads.
    """
    node = gpu.gpus_per_node
    budget, in_node, two_nodes = _fixed(arch, gpu, settings)
    previous = None
    for n, lay, over in in_node:
        need = (weights_bytes + kv_cache_bytes * lay.kv_replication + state_bytes) / n + over
        if need <= budget.value:
            term = _with_state(
                NEED,
                NEED_STATE,
                state_bytes,
                weights_bytes=weights_bytes,
                kv_cache_bytes=kv_cache_bytes,
                replication=lay.kv_replication,
                gpus=n,
                overhead_per_gpu_bytes=over,
            )
            if n == 1:
                reason = f"Fits on one {gpu.name}: {_gb(need)} needed of the {_gb(budget.value)} vLLM may use."
            else:
                reason = (
                    f"Needs {n} x {gpu.name} in one node (TP={lay.tensor_parallel}): {_gb(need)} per GPU "
                    f"of a {_gb(budget.value)} budget; with {previous[0]} each would need {_gb(previous[1])}."
                )
            return GpuFit(
                gpu,
                True,
                n,
                1,
                lay.tensor_parallel,
                lay.pipeline_parallel,
                need,
                budget.value,
                n == 1,
                True,
                reason,
                (budget, term),
            )
        previous = (n, need)
    _, lay, over = two_nodes  # TP stays inside a node for any whole number of nodes
    free = budget.value - over
    if free <= 0:
        reason = (
            f"Never fits on {gpu.name}: the engine alone needs {_gb(over)} per GPU, more than its "
            f"{_gb(budget.value)} budget."
        )
        return GpuFit(gpu, False, 0, 0, 0, 0, over, budget.value, False, False, reason, (budget,))
    count = _with_state(
        NODES,
        NODES_STATE,
        state_bytes,
        weights_bytes=weights_bytes,
        kv_cache_bytes=kv_cache_bytes,
        replication=lay.kv_replication,
        gpus_per_node=node,
        budget_bytes=budget.value,
        overhead_per_gpu_bytes=over,
    )
    n = max(int(count.value), 2 * node)
    lay = layout(arch, n, node)
    need = (weights_bytes + kv_cache_bytes * lay.kv_replication + state_bytes) / n + over
    term = _with_state(
        NEED,
        NEED_STATE,
        state_bytes,
        weights_bytes=weights_bytes,
        kv_cache_bytes=kv_cache_bytes,
        replication=lay.kv_replication,
        gpus=n,
        overhead_per_gpu_bytes=over,
    )
    nodes = n // node
    reason = (
        f"Needs {nodes:,} nodes of {node} x {gpu.name} ({n:,} GPUs, TP={lay.tensor_parallel} x "
        f"PP={lay.pipeline_parallel:,}): one node would need {_gb(previous[1])} per GPU."
    )
    return GpuFit(
        gpu,
        True,
        n,
        nodes,
        lay.tensor_parallel,
        lay.pipeline_parallel,
        need,
        budget.value,
        False,
        False,
        reason,
        (budget, count, term),
    )


def _gb(value_bytes: float) -> str:
    return format_bytes(value_bytes)


def fit_gpu(estimate, gpu: Gpu) -> GpuFit:
    """fit_counts for a VramEstimate (vram.estimate's result)."""
    return fit_counts(
        estimate.arch,
        estimate.weights_bytes,
        estimate.kv_cache_one_copy_bytes,
        gpu,
        estimate.settings,
        estimate.state_bytes,
    )


def compare_gpus(estimate, gpus=GPUS) -> list[GpuFit]:
    """The fit of every GPU type, in table order (the page's comparison)."""
    return [fit_gpu(estimate, gpu) for gpu in gpus]


def _rank(fit: GpuFit) -> tuple:
    return (fit.gpu_count, fit.gpu.memory_bytes, -fit.gpu.year, -fit.gpu.bandwidth_bytes_per_s)


def recommend(estimate, gpu: Gpu | None = None, comparison: list[GpuFit] | None = None) -> GpuFit:
    """The fit for `gpu`, or the best data-center GPU by the rule in the module docstring.

    `comparison` (compare_gpus of the same estimate) saves recomputing every GPU's fit.
    """
    if gpu is not None:
        known = [f for f in comparison or () if f.gpu.id == gpu.id]
        return known[0] if known else fit_gpu(estimate, gpu)
    if comparison is None:
        comparison = compare_gpus(estimate, [g for g in GPUS if g.datacenter])
    fits = [f for f in comparison if f.fits and f.gpu.datacenter]
    if not fits:  # cannot happen with today's table; kept so callers always get an answer
        return fit_gpu(estimate, GPUS[0])
    best = min(fits, key=_rank)
    rule = "fewest GPUs, then least memory per GPU, then newest"
    return replace(best, reason=f"{best.reason[:-1]} (picked for the {rule}).")


@dataclass(frozen=True)
class Plan:
    """A sizing answer: the estimate on the deployment it recommends, and that recommendation."""

    estimate: object  # vram.VramEstimate, on rec.gpu x rec.gpu_count when it fits
    first_pass: object  # the GPU-less estimate the recommendation was made from
    recommendation: GpuFit
    comparison: tuple[GpuFit, ...]  # every GPU type's fit for the same load, in table order


def plan(model_or_arch, precision, users, context_tokens, kv_precision=None, gpu=None, **knobs) -> Plan:
    """Estimate, recommend (or fit the named `gpu`), then re-estimate on that deployment.

    The second pass makes the overhead and reserve those of the GPUs actually chosen. The CLI and the
    widget both call this, so they show the same numbers.
    """
    from .gpus import get_gpu
    from .vram import MAX_GPUS, estimate  # vram imports this module lazily too; keep the cycle one-way

    base = estimate(model_or_arch, precision, users, context_tokens, kv_precision, **knobs)
    chosen = gpu if gpu is None or isinstance(gpu, Gpu) else get_gpu(gpu)
    comparison = compare_gpus(base)
    rec = recommend(base, chosen, comparison)
    final = base
    if rec.fits and rec.gpu_count > MAX_GPUS:
        raise InputError(
            f"this load needs {rec.gpu_count:,} x {rec.gpu.name}, beyond the {MAX_GPUS:,} GPUs this calculator "
            "sizes: reduce the users or the context",
            "users",
        )
    if rec.fits:
        final = estimate(
            model_or_arch, precision, users, context_tokens, kv_precision, gpu=rec.gpu, gpus=rec.gpu_count, **knobs
        )
    return Plan(final, base, rec, tuple(comparison))
