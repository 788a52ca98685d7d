"""How many tokens a deployment serves per second, and how many GPUs a daily volume needs.

One replica is one copy of the model on `gpus_per_replica` GPUs. Its batch is as many sequences as its
KV cache holds at the request's length (capacity.py, vLLM's own pool arithmetic), capped at vLLM's
max_num_seqs. Its speed is the engine step (speed.py) in steady state: every step decodes one token per
sequence and prefills the prompts of the sequences that replace finished ones (chunked prefill, as
vLLM and TensorRT-LLM run it). By default the step uses the efficiencies calibrated on measured engine
runs (calibration.py); `efficiency="ideal"` gives the roofline upper bound, a percentage scales every
peak by that share.

Replica size: starting at the memory minimum (recommend.plan), we try every larger in-node count
(2x, 4x, ...). More GPUs per replica hold a bigger KV cache, so a bigger batch, so often more tokens/s
per GPU. We keep the size that needs the fewest GPUs in total for the volume; on a tie the one with
the most tokens/s per GPU (more headroom for the same money), then the smaller replica.
"""

from dataclasses import dataclass
from functools import lru_cache

from .capacity import capacity
from .errors import InputError, positive_float, positive_int
from .formula import Formula, Term
from .gpus import Gpu, get_gpu
from .overhead import MAX_NUM_SEQS, MAX_NUM_SEQS_SMALL_GPU, max_num_seqs  # noqa: F401 - re-exported
from .performance import default_tp, efficiency_from
from .precision import get_precision
from .recommend import plan
from .speed import Efficiency, StepWork, ideal, step_terms, step_time_s, step_work
from .units import SECONDS_PER_DAY
from .vram import resolve_arch

MAX_REQUESTS_PER_DAY = 10**11  # ~7x the world's daily web searches: anything larger is a typo

_SYMBOLS = {
    "batch": ("B", "int", "sequences decoded together"),
    "max_users": ("U_max", "int", "requests the KV cache holds at this length"),
    "max_num_seqs": ("S_max", "int", "vLLM's max_num_seqs"),
    "decode_context_tokens": ("C_dec", "int", "average context while decoding"),
    "input_tokens": ("T_in", "int", "input tokens per request"),
    "output_tokens": ("T_out", "int", "output tokens per request"),
    "prefill_tokens": ("T_pre", "number", "prompt tokens prefilled per step"),
    "step_time_s": ("t_step", "s", "one engine step"),
    "replica_tokens_per_s": ("R_rep", "tokens_per_s", "tokens served per replica"),
    "tokens_per_day": ("N_day", "count", "tokens per day"),
    "requests_per_day": ("Q", "count", "requests per day"),
    "replicas": ("n", "int", "replicas"),
    "seconds_per_day": ("86400", "int", "seconds per day"),
    "utilization": ("u", "percent", "expected utilization"),
    "gpus": ("G", "int", "GPUs needed"),
    "gpus_per_replica": ("G_rep", "int", "GPUs per replica"),
}
BATCH = Formula(
    "batch = min(max_users, max_num_seqs)",
    why="as many sequences as the KV cache holds, up to the engine's limit",
    symbols=_SYMBOLS,
)
DECODE_CONTEXT = Formula(
    "decode_context_tokens = input_tokens + output_tokens / 2",
    why="while answering, a sequence holds its prompt plus half its answer on average",
    symbols=_SYMBOLS,
)
PREFILL_PER_STEP = Formula(
    "prefill_tokens = batch * input_tokens / output_tokens",
    why="steady state: each finished answer lets in a new prompt, prefilled in chunks beside the decodes",
    symbols=_SYMBOLS,
)
REPLICA_RATE = Formula(
    "replica_tokens_per_s = batch * (input_tokens + output_tokens) / output_tokens / step_time_s",
    why="each step emits one token per sequence and prefills the prompts that go with them",
    symbols=_SYMBOLS,
)
TOKENS_PER_DAY = Formula(
    "tokens_per_day = requests_per_day * (input_tokens + output_tokens)",
    why="the volume to serve",
    symbols=_SYMBOLS,
)
REPLICAS = Formula(
    "replicas = max(1, ceil(tokens_per_day / (replica_tokens_per_s * seconds_per_day * utilization)))",
    why="enough replicas that the average load is the expected share of their capacity",
    symbols=_SYMBOLS,
)
GPUS = Formula(
    "gpus = replicas * gpus_per_replica", why="never fewer than one replica's memory minimum", symbols=_SYMBOLS
)


@dataclass(frozen=True)
class ReplicaOption:
    """One replica size, its speed and what the volume needs of it."""

    gpus_per_replica: int
    max_users: int  # KV capacity at the request's full length
    batch: int
    tp: int
    pp: int
    step_time_s: float  # one steady-state step (decode + chunked prefill)
    decode_tokens_per_s: float  # the batch decoding alone (no prompts)
    prefill_tokens_per_s: float  # one prompt alone
    ideal_tokens_per_s: float  # the same replica on the ideal roofline (upper bound)
    tokens_per_s: float  # input + output tokens per second, one replica
    tokens_per_s_per_gpu: float
    replicas: int
    gpus: int  # replicas x gpus_per_replica
    count_terms: tuple[Term, ...]  # tokens per day, replicas, GPUs
    steady: StepWork  # the steady-state step, for speed_terms
    efficiency: Efficiency
    input_tokens: int
    output_tokens: int
    speed_prefix: tuple[Term, ...]  # capacity, batch, context, prefill per step

    @property
    def speed_terms(self) -> tuple[Term, ...]:
        """Capacity, batch, the step's formulas and tokens/s (built on demand: only the chosen size is shown)."""
        step = step_terms(self.steady, self.efficiency)
        rate = REPLICA_RATE(
            input_tokens=self.input_tokens,
            output_tokens=self.output_tokens,
            batch=self.batch / self.pp,
            step_time_s=step[-1].value,
        )
        return (*self.speed_prefix, *step, rate)

    def as_dict(self) -> dict:
        """JSON-ready summary (the CLI's replica_options)."""
        return {
            "gpus_per_replica": self.gpus_per_replica,
            "max_users": self.max_users,
            "batch": self.batch,
            "tp": self.tp,
            "pp": self.pp,
            "step_time_s": self.step_time_s,
            "decode_tokens_per_s": self.decode_tokens_per_s,
            "prefill_tokens_per_s": self.prefill_tokens_per_s,
            "tokens_per_s": self.tokens_per_s,
            "ideal_tokens_per_s": self.ideal_tokens_per_s,
            "tokens_per_s_per_gpu": self.tokens_per_s_per_gpu,
            "replicas": self.replicas,
            "gpus": self.gpus,
        }


@dataclass(frozen=True)
class Serving:
    """The volume, the replica chosen for it and the GPUs it needs."""

    gpu: Gpu
    precision: str
    kv_precision: str
    requests_per_day: int
    input_tokens: int
    output_tokens: int
    utilization: float
    efficiency: str  # "calibrated", "ideal" or "custom"
    max_num_seqs: int
    memory_min_gpus: int  # one replica's minimum, from the VRAM math
    memory_reason: str
    tokens_per_day: float
    options: tuple[ReplicaOption, ...]
    chosen: ReplicaOption
    memory_terms: tuple[Term, ...]  # the memory minimum (recommend.plan)

    @property
    def gpus(self) -> int:
        return self.chosen.gpus

    @property
    def terms(self) -> tuple[Term, ...]:
        """Every step in order: memory minimum, the chosen replica's speed, the GPU count."""
        return (*self.memory_terms, *self.chosen.speed_terms, *self.chosen.count_terms)


def _in_node_sizes(start: int, per_node: int) -> list[int]:
    """start, 2x, 4x ... up to a node (and the node itself, e.g. 72 on an NVL72); multi-node stays as is."""
    if start >= per_node:
        return [start]
    sizes, n = [], start
    while n <= per_node:
        sizes.append(n)
        n *= 2
    if sizes[-1] != per_node:
        sizes.append(per_node)
    return sizes


def _speed(arch, gpu, n, prec, kv, t_in: int, t_out: int, eff: Efficiency, seqs: int) -> dict | None:
    """A replica size's speed, the part of ReplicaOption the volume does not change (None when one request
    does not fit its KV pool)."""
    cap = capacity(arch, gpu, n, prec.id, kv, t_in + t_out, 1)
    if cap.max_users < 1:
        return None
    batch = BATCH(max_users=cap.max_users, max_num_seqs=seqs)
    ctx = DECODE_CONTEXT(input_tokens=t_in, output_tokens=t_out)
    prefill = PREFILL_PER_STEP(batch=batch.value, input_tokens=t_in, output_tokens=t_out)
    tp = default_tp(arch, gpu, n)
    pp = n // tp
    bits = get_precision(cap.kv_precision).bits

    def work(decode, prompt_tokens):
        args = (prec.effective_bits, prec.compute, bits, decode, ctx.value, prompt_tokens, t_in / 2)
        return step_work(arch, gpu, *args, tp, pp, 1, prec)

    steady = work(batch.value, prefill.value)
    t_step = step_time_s(steady, eff)
    # with pipeline stages the batch runs as pp micro-batches, one per stage: same tokens per step
    rate = REPLICA_RATE(input_tokens=t_in, output_tokens=t_out, batch=batch.value / pp, step_time_s=t_step)
    return {
        "gpus_per_replica": n,
        "max_users": cap.max_users,
        "batch": int(batch.value),
        "tp": tp,
        "pp": pp,
        "step_time_s": t_step,
        "decode_tokens_per_s": batch.value / step_time_s(work(batch.value, 0), eff),
        "prefill_tokens_per_s": t_in / step_time_s(work(0, t_in), eff),
        "ideal_tokens_per_s": rate.value * t_step / step_time_s(steady, ideal()),
        "tokens_per_s": rate.value,
        "tokens_per_s_per_gpu": rate.value / n,
        "steady": steady,
        "efficiency": eff,
        "input_tokens": t_in,
        "output_tokens": t_out,
        "speed_prefix": (cap.terms[4], batch, ctx, prefill),
    }


def _option(speed: dict, utilization: float, tokens_per_day: Term) -> ReplicaOption:
    """A replica size with the replicas and GPUs the volume needs of it."""
    reps = REPLICAS(
        tokens_per_day=tokens_per_day.value,
        replica_tokens_per_s=speed["tokens_per_s"],
        seconds_per_day=int(SECONDS_PER_DAY),
        utilization=utilization,
    )
    gpus = GPUS(replicas=int(reps.value), gpus_per_replica=speed["gpus_per_replica"])
    return ReplicaOption(
        **speed, replicas=int(reps.value), gpus=int(gpus.value), count_terms=(tokens_per_day, reps, gpus)
    )


@lru_cache(maxsize=16)  # the cost widget sizes again on every keystroke in its volume field
def _sizes(arch, gpu, prec, kv_precision, t_in: int, t_out: int, eff: Efficiency) -> tuple:
    """What sizing needs that the volume and utilization do not change: (memory minimum, KV precision,
    max_num_seqs, the speed of each replica size that holds a request)."""
    sized = plan(arch, prec.id, 1, t_in + t_out, kv_precision, gpu)
    rec = sized.recommendation
    if not rec.fits:
        raise InputError(f"this model does not fit on {gpu.name}: {rec.reason}", "gpu")
    seqs = max_num_seqs(gpu)
    kv = sized.estimate.kv_precision
    speeds = (
        _speed(arch, gpu, n, prec, kv, t_in, t_out, eff, seqs) for n in _in_node_sizes(rec.gpu_count, gpu.gpus_per_node)
    )
    return rec, kv, seqs, tuple(x for x in speeds if x is not None)


def serving(
    model_or_arch,
    precision,
    gpu,
    requests_per_day,
    input_tokens=1000,
    output_tokens=300,
    utilization=0.6,
    kv_precision=None,
    efficiency="calibrated",
) -> Serving:
    """Size the deployment for a daily volume: the replica, its tokens/s and the GPUs needed."""
    arch, _ = resolve_arch(model_or_arch)
    gpu = gpu if isinstance(gpu, Gpu) else get_gpu(gpu)
    prec = get_precision(precision)
    requests = positive_int(requests_per_day, "requests per day", "requests_per_day", MAX_REQUESTS_PER_DAY)
    limit = arch.max_position_embeddings or 10**7
    t_in = positive_int(input_tokens, "input tokens", "input_tokens", limit)
    t_out = positive_int(output_tokens, "output tokens", "output_tokens", limit)
    if t_in + t_out > limit:
        raise InputError(
            f"input + output tokens ({t_in + t_out:,}) exceed the model's {limit:,}-token context", "output_tokens"
        )
    utilization = positive_float(utilization, "utilization", "utilization_percent", maximum=1.0)
    eff = efficiency_from(efficiency)

    rec, kv, seqs, speeds = _sizes(arch, gpu, prec, kv_precision, t_in, t_out, eff)
    tokens_per_day = TOKENS_PER_DAY(requests_per_day=requests, input_tokens=t_in, output_tokens=t_out)
    options = [_option(speed, utilization, tokens_per_day) for speed in speeds]
    if not options:
        raise InputError(
            f"one request of {t_in + t_out:,} tokens needs more KV cache than {rec.gpu_count} x {gpu.name} hold",
            "input_tokens",
        )
    chosen = min(options, key=lambda o: (o.gpus, -o.tokens_per_s_per_gpu, o.gpus_per_replica))
    return Serving(
        gpu=gpu,
        precision=prec.id,
        kv_precision=kv,
        requests_per_day=requests,
        input_tokens=t_in,
        output_tokens=t_out,
        utilization=utilization,
        efficiency=eff.name,
        max_num_seqs=seqs,
        memory_min_gpus=rec.gpu_count,
        memory_reason=rec.reason,
        tokens_per_day=tokens_per_day.value,
        options=tuple(options),
        chosen=chosen,
        memory_terms=rec.terms,
    )
