"""Latency-aware sizing: the replicas that keep TTFT and TPOT under their targets at the peak request rate.

For each replica size the throughput sizing tries (throughput.serving's options), the simulator
(serving.py) finds the highest request rate one replica sustains with the chosen percentile of TTFT and
of TPOT under their targets. The search runs on a fixed grid of rates (geometric, up to the replica's
knee) by bisection; a tighter target passes at a subset of the grid points, so its bisection can only
stop lower: a tighter target never needs fewer GPUs. Replicas = ceil(peak rate / that rate); the size
needing the fewest GPUs in total is kept (never fewer than the throughput sizing asked for), and its
latency at its actual share of the peak is simulated and reported.

Peak: requests/day give an average; a service is sized for its busy hour. We take the peak-hour rate as
the average divided by the expected utilization, the assumption the buy-vs-rent sizing already makes
(utilization = average load / capacity provisioned for the peak; 60% by default, so peak = 1.67 x the
average). `peak_factor` overrides it.
"""

from dataclasses import dataclass

from .errors import InputError, positive_float
from .formula import Formula, Term
from .serving import saturation_rate, simulate, step_model
from .units import SECONDS_PER_DAY, format_seconds

PERCENTILES = ("p50", "p90", "p99")
GRID_POINTS = 48  # rates from 1% of the knee to the knee, geometric: ~10% apart
GRID_LOW = 0.01
REQUESTS = 400  # per simulated rate: the first 400 requests of a Poisson stream, seed 0
MAX_TARGET_MS = 3_600_000

_SYMBOLS = {
    "peak_request_rate": ("λ_peak", "number", "peak-hour requests per second"),
    "requests_per_day": ("Q", "count", "requests per day"),
    "seconds_per_day": ("86400", "int", "seconds per day"),
    "peak_factor": ("f_peak", "number", "peak-hour rate / average rate"),
    "replica_request_rate": ("λ_rep", "number", "requests/s one replica sustains within the targets"),
    "replicas": ("n", "int", "replicas"),
    "gpus": ("G", "int", "GPUs"),
    "gpus_per_replica": ("G_rep", "int", "GPUs per replica"),
}
PEAK = Formula(
    "peak_request_rate = requests_per_day / seconds_per_day * peak_factor",
    why="a service is sized for its busy hour, not its daily average",
    symbols=_SYMBOLS,
)
REPLICAS = Formula(
    "replicas = ceil(peak_request_rate / replica_request_rate)",
    why="enough replicas that each stays at or below the rate where it meets the targets",
    symbols=_SYMBOLS,
)
GPUS = Formula("gpus = replicas * gpus_per_replica", symbols=_SYMBOLS)


@dataclass(frozen=True)
class LatencyOption:
    """One replica size: the rate it sustains within the targets, and what the peak needs of it."""

    gpus_per_replica: int
    knee_request_rate: float
    replica_request_rate: float  # 0 when even a trickle misses a target
    replicas: int | None  # None when this size cannot meet the targets
    gpus: int | None
    reason: str

    def as_dict(self) -> dict:
        return {
            "gpus_per_replica": self.gpus_per_replica,
            "knee_request_rate": self.knee_request_rate,
            "replica_request_rate": self.replica_request_rate,
            "replicas": self.replicas,
            "gpus": self.gpus,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class LatencySizing:
    """The size and count kept, and the latency it achieves at the peak."""

    ttft_target_s: float | None
    tpot_target_s: float | None
    percentile: str
    peak_factor: float
    peak_request_rate: float
    options: tuple[LatencyOption, ...]
    chosen: LatencyOption
    replicas: int  # never fewer than the throughput sizing's
    gpus: int
    ttft_s: float  # the percentile, at the chosen deployment's share of the peak
    tpot_s: float
    terms: tuple[Term, ...]


def target_s(raw_ms, name: str, field: str) -> float | None:
    """A latency target in ms (None or '' = no target) as seconds."""
    if raw_ms is None or str(raw_ms).strip() == "":
        return None
    return positive_float(raw_ms, name, field, maximum=MAX_TARGET_MS) / 1000


def _meets(result, ttft_s, tpot_s, q: str) -> bool:
    return (ttft_s is None or getattr(result.ttft_s, q) <= ttft_s) and (
        tpot_s is None or getattr(result.tpot_s, q) <= tpot_s
    )


def _run(model, t_in, t_out, rate):
    return simulate(
        model.step_time_s,
        model.kv_capacity_tokens,
        model.max_batch,
        t_in,
        t_out,
        request_rate=rate,
        num_requests=REQUESTS,
        max_batched_tokens=model.max_batched_tokens,
    )


def _sustained(model, t_in, t_out, knee, ttft_s, tpot_s, q) -> float:
    """The highest grid rate found by bisection where the targets hold (0 if none does)."""
    grid = [knee * GRID_LOW ** (1 - i / (GRID_POINTS - 1)) for i in range(GRID_POINTS)]
    if not _meets(_run(model, t_in, t_out, grid[0]), ttft_s, tpot_s, q):
        return 0.0
    lo, hi = 0, GRID_POINTS  # grid[lo] passes; hi is the first index known to fail (or past the end)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _meets(_run(model, t_in, t_out, grid[mid]), ttft_s, tpot_s, q):
            lo = mid
        else:
            hi = mid
    return grid[lo]


def size(
    serving, arch, ttft_target_s, tpot_target_s, percentile="p50", peak_factor=None, model_for=step_model
) -> LatencySizing:
    """Replicas meeting the targets at the peak, for a throughput.Serving's workload and replica sizes.

    model_for(arch, gpu, gpus, precision, kv_precision, efficiency) -> serving.StepModel builds each replica's
    step-time model: serving.step_model, with the efficiency the throughput sizing used (calibrated by default).
    """
    if ttft_target_s is None and tpot_target_s is None:
        raise InputError("give a TTFT or a TPOT target", "tpot_target_ms")
    q = str(percentile).strip().lower()
    q = q if q.startswith("p") else "p" + q
    if q not in PERCENTILES:
        raise InputError(f"latency percentile must be one of 50, 90, 99; got {percentile!r}", "latency_percentile")
    factor = 1 / serving.utilization if peak_factor is None else peak_factor
    factor = positive_float(factor, "peak factor", "peak_factor", maximum=1000)
    peak = PEAK(requests_per_day=serving.requests_per_day, seconds_per_day=int(SECONDS_PER_DAY), peak_factor=factor)
    t_in, t_out = serving.input_tokens, serving.output_tokens
    eff, kv = serving.chosen.efficiency, serving.kv_precision  # the speed.Efficiency the volume was sized with
    options, terms = [], {}
    for opt in serving.options:
        n = opt.gpus_per_replica
        model = model_for(arch, serving.gpu, n, serving.precision, kv, eff)
        shape = (model.step_time_s, model.kv_capacity_tokens, model.max_batch, t_in, t_out)
        knee = saturation_rate(*shape, model.max_batched_tokens)
        rate = _sustained(model, t_in, t_out, knee, ttft_target_s, tpot_target_s, q)
        if rate == 0:
            floor = _run(model, t_in, t_out, knee * GRID_LOW)
            reason = (
                f"misses the targets even at a trickle: {q} TTFT {format_seconds(getattr(floor.ttft_s, q))}, "
                f"{q} TPOT {format_seconds(getattr(floor.tpot_s, q))}"
            )
            options.append(LatencyOption(n, knee, 0.0, None, None, reason))
            continue
        reps = REPLICAS(peak_request_rate=peak.value, replica_request_rate=rate)
        count = max(int(reps.value), opt.replicas)
        gpus = GPUS(replicas=count, gpus_per_replica=n)
        terms[n] = (peak, reps, gpus)
        options.append(LatencyOption(n, knee, rate, count, int(gpus.value), f"{rate:.3g} requests/s per replica"))
    feasible = [o for o in options if o.gpus is not None]
    if not feasible:
        best = max(options, key=lambda o: o.gpus_per_replica)
        raise InputError(
            f"no replica size on {serving.gpu.name} meets the targets: {best.gpus_per_replica} GPUs {best.reason}",
            "tpot_target_ms" if tpot_target_s is not None else "ttft_target_ms",
        )
    chosen = min(feasible, key=lambda o: (o.gpus, -o.replica_request_rate, o.gpus_per_replica))
    model = model_for(arch, serving.gpu, chosen.gpus_per_replica, serving.precision, kv, eff)
    achieved = _run(model, t_in, t_out, peak.value / chosen.replicas)
    return LatencySizing(
        ttft_target_s=ttft_target_s,
        tpot_target_s=tpot_target_s,
        percentile=q,
        peak_factor=factor,
        peak_request_rate=peak.value,
        options=tuple(options),
        chosen=chosen,
        replicas=chosen.replicas,
        gpus=chosen.gpus,
        ttft_s=getattr(achieved.ttft_s, q),
        tpot_s=getattr(achieved.tpot_s, q),
        terms=terms[chosen.gpus_per_replica],
    )
