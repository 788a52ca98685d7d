"""Serving under load: a continuous-batching simulator, the latency users see at a request rate.

Requests arrive (Poisson, at a fixed interval, or from C clients that each send the next request as
soon as the last one is answered), wait in a queue, and are admitted while the KV pool and the batch
limit allow. Each engine step follows vLLM's V1 scheduler (vllm/v1/core/sched/scheduler.py): running
requests first (one decode token each, or their next prompt chunk), then waiting requests, all within
a budget of max_num_batched_tokens per step (chunked prefill). KV blocks are allocated as tokens are
computed; when the pool cannot hold the next decode tokens, the most recently admitted request is
preempted (its cache dropped, recomputed later: vLLM's default, recompute preemption).

A step's duration comes from a `step_time_s` callable, so the same simulator runs on the roofline
(here) or on a calibrated model:

    step_time_s(decode_seqs, decode_context_tokens, prefill_tokens, prefill_context_tokens) -> seconds

decode_context_tokens is the mean context of the decoding sequences; prefill_context_tokens the mean
context already cached before the prefill chunks (weighted by chunk tokens).

Speed: runs of decode-only steps between events (an arrival, a completion, the KV pool filling up)
are taken in one stride, with the step time at the stride's mean context (exact when step time is
linear in context, as on the roofline). 500 requests take a few ms in CPython.
"""

import bisect
import functools
import math
import random
from collections import deque
from dataclasses import dataclass
from heapq import heappop, heappush
from math import ceil, isfinite
from operator import attrgetter

from .architecture import kv_bytes_per_token, param_breakdown
from .capacity import capacity
from .errors import InputError, positive_float, positive_int
from .formula import Formula
from .gpus import Gpu, get_gpu, peak_flops
from .overhead import batched_tokens
from .performance import default_tp, efficiency_from
from .precision import get_precision
from .roofline import experts_touched
from .speed import Replica
from .speed import step_terms as speed_step_terms
from .throughput import max_num_seqs
from .vram import engine_settings, resolve_arch

ARRIVALS = ("poisson", "fixed", "concurrency")
MAX_REQUESTS = 20_000
MAX_REQUEST_RATE = 1e6
SERIES_POINTS = 120
PERCENTILES = (50, 90, 99)

_SYMBOLS = {
    "step_time_s": ("t_step", "s", "one engine step"),
    "memory_time_s": ("t_mem", "s", "time to stream weights and KV cache"),
    "compute_time_s": ("t_cmp", "s", "time to compute the step's tokens"),
    "weights_bytes": ("W_r", "bytes", "weight bytes read per step"),
    "decode_seqs": ("B", "int", "sequences decoding"),
    "decode_context_tokens": ("C", "int", "mean context of a decoding sequence"),
    "prefill_tokens": ("T_p", "int", "prompt tokens in the step (chunked prefill)"),
    "kv_bytes_per_token": ("K_t", "bytes", "KV per token"),
    "replication": ("ρ", "number", "KV copies under TP"),
    "gpus": ("G", "int", "GPUs"),
    "bandwidth": ("BW", "bytes_per_s", "memory bandwidth per GPU"),
    "peak_flops": ("F", "flops_per_s", "peak FLOP/s per GPU"),
    "efficiency": ("η", "percent", "share of peak reached"),
    "params_active": ("P_a", "count", "active parameters"),
    "service_time_s": ("t_s", "s", "server time per request"),
    "utilization": ("ρ_s", "percent", "server utilization"),
    "request_rate": ("λ", "number", "requests per second"),
    "wait_s": ("W_q", "s", "mean wait in the queue (M/D/1)"),
}
STEP_MEMORY = Formula(
    "memory_time_s = (weights_bytes + decode_seqs * decode_context_tokens * kv_bytes_per_token * replication)"
    " / (gpus * bandwidth * efficiency)",
    why="a step streams the weights once and every decoding sequence's KV cache",
    symbols=_SYMBOLS,
)
STEP_COMPUTE = Formula(
    "compute_time_s = 2 * params_active * (decode_seqs + prefill_tokens) / (gpus * peak_flops * efficiency)",
    why="a multiply and an add per active parameter for every token in the step, decode and prompt alike",
    symbols=_SYMBOLS,
)
STEP = Formula(
    "step_time_s = max(memory_time_s, compute_time_s)",
    why="the slower of the two sets the pace (roofline)",
    symbols=_SYMBOLS,
)
MD1_WAIT = Formula(
    "wait_s = utilization * service_time_s / (2 * (1 - utilization))",
    why="Pollaczek-Khinchine for deterministic service: the queue a single server builds below saturation",
    symbols=_SYMBOLS,
)


@dataclass(frozen=True)
class Stats:
    """Mean and percentiles of one latency, in seconds."""

    mean: float
    p50: float
    p90: float
    p99: float

    def as_dict(self) -> dict:
        return {"mean": self.mean, "p50": self.p50, "p90": self.p90, "p99": self.p99}


@dataclass(frozen=True)
class LoadResult:
    """What users see at this load, and the queue and batch over time."""

    arrival: str
    request_rate: float | None  # requests/s offered (None for a fixed concurrency)
    concurrency: int | None
    num_requests: int
    input_tokens: int
    output_tokens: int
    kv_capacity_tokens: int
    max_batch: int
    max_batched_tokens: int
    ttft_s: Stats  # time to first token: queue + prefill
    itl_s: Stats  # inter-token latency, over every token gap
    tpot_s: Stats  # time per output token, per request: (end - first token) / (output - 1)
    e2e_s: Stats  # arrival to last token
    duration_s: float  # first arrival to last token
    output_tokens_per_s: float
    total_tokens_per_s: float  # input + output
    requests_per_s: float  # completed
    steps: int
    preemptions: int
    mean_batch: float  # time-weighted running requests
    max_queue: int
    series_time_s: tuple[float, ...]
    series_queue: tuple[int, ...]  # requests waiting
    series_batch: tuple[int, ...]  # requests running (decoding or prefilling)

    def as_dict(self) -> dict:
        """The CLI's load fields (means at top level, percentiles and series below)."""
        return {
            "arrival": self.arrival,
            "request_rate": self.request_rate,
            "concurrency": self.concurrency,
            "num_requests": self.num_requests,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "kv_capacity_tokens": self.kv_capacity_tokens,
            "max_batch": self.max_batch,
            "max_batched_tokens": self.max_batched_tokens,
            "ttft_s": self.ttft_s.mean,
            "itl_s": self.itl_s.mean,
            "tpot_s": self.tpot_s.mean,
            "e2e_s": self.e2e_s.mean,
            "percentiles": {
                "ttft_s": self.ttft_s.as_dict(),
                "itl_s": self.itl_s.as_dict(),
                "tpot_s": self.tpot_s.as_dict(),
                "e2e_s": self.e2e_s.as_dict(),
            },
            "output_tokens_per_s": self.output_tokens_per_s,
            "total_tokens_per_s": self.total_tokens_per_s,
            "requests_per_s": self.requests_per_s,
            "duration_s": self.duration_s,
            "steps": self.steps,
            "preemptions": self.preemptions,
            "mean_batch": self.mean_batch,
            "max_queue": self.max_queue,
            "series": {
                "time_s": list(self.series_time_s),
                "queue": list(self.series_queue),
                "batch": list(self.series_batch),
            },
        }


def percentiles(pairs, qs) -> list[float]:
    """The qs-th percentiles of (value, weight) pairs, interpolated linearly like numpy's default (and
    vLLM's benchmark_serving): weight w stands for w equal samples. One sort for all of them."""
    data = sorted(pairs)
    cumulative, seen = [], 0
    for _, w in data:
        seen += w
        cumulative.append(seen)  # samples with rank < cumulative[i] have value <= data[i]
    if seen == 0:
        return [0.0 for _ in qs]
    out = []
    for q in qs:
        pos = q / 100 * (seen - 1)
        lo_i = int(pos)
        i = bisect.bisect_right(cumulative, lo_i)
        lo = data[min(i, len(data) - 1)][0]
        j = bisect.bisect_right(cumulative, lo_i + 1) if pos > lo_i else i
        hi = data[min(j, len(data) - 1)][0]
        out.append(lo + (hi - lo) * (pos - lo_i))
    return out


def percentile(pairs, q: float) -> float:
    """One percentile of (value, weight) pairs (see percentiles)."""
    return percentiles(pairs, (q,))[0]


def _stats(pairs) -> Stats:
    total = sum(w for _, w in pairs)
    mean = sum(v * w for v, w in pairs) / total if total else 0.0
    return Stats(mean, *percentiles(pairs, PERCENTILES))


def _sample_stats(values: list[float]) -> Stats:
    """_stats of samples of weight 1, exactly (v x 1 is v; ranks are positions), sorting floats, not pairs."""
    n = len(values)
    if not n:
        return Stats(0.0, 0.0, 0.0, 0.0)
    data = sorted(values)
    out = []
    for q in PERCENTILES:
        pos = q / 100 * (n - 1)
        lo_i = int(pos)
        lo, hi = data[lo_i], data[min(lo_i + 1 if pos > lo_i else lo_i, n - 1)]
        out.append(lo + (hi - lo) * (pos - lo_i))
    return Stats(sum(values) / n, *out)


class _Req:
    """One request's progress through the engine."""

    __slots__ = ("arrival", "out", "target", "done", "gen", "first", "last", "finish", "order", "join_g", "join_gen")

    def __init__(self, arrival: float, prompt: int, out: int):
        self.arrival, self.out = arrival, out
        self.target, self.done, self.gen = prompt, 0, 0  # tokens to prefill, prefilled so far, tokens emitted
        self.first = self.last = self.finish = None
        self.order = self.join_g = self.join_gen = 0


_ORDER = attrgetter("order")
_NO_CHUNKS = ((), 0, 0)


class _Engine:
    """The scheduler's state. A decoding request's tokens grow with the global decode-step count `g`,
    so a stride of k decode steps costs O(1), not O(batch x k). The methods read attributes into locals
    once: the browser runs this loop on every keystroke."""

    __slots__ = (
        "cap",
        "max_batch",
        "budget",
        "prompt",
        "waiting",
        "prefilling",
        "decoding",
        "heap",
        "g",
        "dec_base",
        "pre_kv",
        "res",
        "order",
        "preemptions",
        "itl",
        "finished",
    )

    def __init__(self, cap: int, max_batch: int, budget: int, prompt: int):
        self.cap, self.max_batch, self.budget, self.prompt = cap, max_batch, budget, prompt
        self.waiting: deque = deque()
        self.prefilling: list = []  # admitted, prompt (or recompute) unfinished, in admission order
        self.decoding: set = set()  # requests decoding
        self.heap: list = []  # (decode step at which it finishes, admission order, request)
        self.g = 0
        self.dec_base = 0  # sum over decoding of (tokens cached at join - join_g)
        self.pre_kv = 0  # tokens cached by prefilling requests
        self.res = 0  # tokens prefilling requests have still to compute
        self.order = self.preemptions = 0
        self.itl: dict = {}  # gap (s) -> number of tokens that waited that long
        self.finished: list = []

    def kv_used(self) -> int:
        return self.pre_kv + self.dec_base + len(self.decoding) * self.g

    def running(self) -> int:
        return len(self.prefilling) + len(self.decoding)

    def make_room(self, now: float) -> None:
        """Preempt the newest requests until this step's decode tokens and the admitted prompts fit."""
        while self.running() > 1 and self.kv_used() + len(self.decoding) + self.res > self.cap:
            r = max((*self.prefilling, *self.decoding), key=_ORDER)
            self.preemptions += 1
            if r in self.decoding:
                self.decoding.remove(r)
                steps = self.g - r.join_g
                self.dec_base -= r.done - r.join_g
                r.gen = r.join_gen + steps
                r.target, r.last = self.prompt + r.gen, now
            else:
                self.prefilling.remove(r)
                self.pre_kv -= r.done
                self.res -= r.target - r.done
            r.done = 0
            self.waiting.appendleft(r)

    def schedule(self) -> tuple[list, int, int]:
        """This step's prompt chunks, running requests first, then the queue, within the token budget:
        (chunks, their tokens, the sum of tokens cached before each chunk x its tokens)."""
        n_dec = len(self.decoding)
        prefilling = self.prefilling
        budget = self.budget - n_dec
        chunks, tokens, cached = [], 0, 0
        for r in prefilling:
            c = min(r.target - r.done, budget)
            if c <= 0:
                break
            chunks.append((r, c))
            tokens += c
            cached += r.done * c
            budget -= c
        waiting = self.waiting
        if waiting and budget > 0:
            free = self.cap - (self.pre_kv + self.dec_base + n_dec * self.g) - n_dec - self.res
            room = self.max_batch - n_dec - len(prefilling)
            while waiting and budget > 0 and room > 0:
                r = waiting[0]
                target = r.target
                if target > free:  # admitted only when its whole prompt fits beside the running requests
                    break
                c = min(target, budget)
                waiting.popleft()
                self.order += 1
                r.order = self.order
                prefilling.append(r)
                self.res += target
                chunks.append((r, c))
                tokens += c
                cached += r.done * c
                budget, free, room = budget - c, free - target, room - 1
        return chunks, tokens, cached

    def stride(self, now: float, next_arrival: float | None, step_time_s) -> tuple[int, float]:
        """Decode-only steps until the next event: (steps, duration)."""
        n_dec = len(self.decoding)
        kv_used = self.pre_kv + self.dec_base + n_dec * self.g
        ctx = (kv_used - self.pre_kv) / n_dec + 1
        k = self.heap[0][0] - self.g  # until the next request finishes
        k = min(k, (self.cap - kv_used - self.res) // n_dec)  # until the pool is full
        if next_arrival is not None:
            d1 = step_time_s(n_dec, ctx, 0, 0.0)
            k = min(k, ceil((next_arrival - now) / d1) if d1 > 0 else 1)
        k = max(1, k)
        return k, k * step_time_s(n_dec, ctx + (k - 1) / 2, 0, 0.0)

    def advance(self, k: int, dt: float, now: float, chunks: list, tokens: int) -> list:
        """Apply k steps ending at `now` (chunks holding `tokens` prompt tokens); returns the requests that
        finished, in order."""
        decoding, itl, heap = self.decoding, self.itl, self.heap
        n_dec = len(decoding)
        if n_dec:
            itl[dt / k] = itl.get(dt / k, 0) + n_dec * k
            self.g += k
        g = self.g
        done = []
        pre_kv, dec_base = self.pre_kv + tokens, self.dec_base  # tokens cached by prefilling / decoding
        self.res -= tokens
        for r, c in chunks:
            r.done += c
            if r.done < r.target:
                continue
            self.prefilling.remove(r)
            pre_kv -= r.done
            if r.first is None:
                r.first = now
            else:  # a preempted request's gap, from its last token to its recompute
                itl[now - r.last] = itl.get(now - r.last, 0) + 1
            r.gen += 1
            r.last = now
            if r.gen >= r.out:
                r.finish = now
                done.append(r)
                continue
            r.join_g, r.join_gen = g, r.gen
            decoding.add(r)
            dec_base += r.done - g
            heappush(heap, (g + r.out - r.gen, r.order, r))
        while heap and heap[0][0] <= g:
            fin, _, r = heappop(heap)
            if r not in decoding or r.join_g + r.out - r.join_gen != fin:
                continue  # stale: preempted since
            decoding.remove(r)
            dec_base -= r.done - r.join_g
            r.gen = r.out
            r.finish = now
            done.append(r)
        self.pre_kv, self.dec_base = pre_kv, dec_base
        self.finished += done
        return done


@functools.lru_cache(maxsize=8)
def _unit_gaps(seed: int, n: int) -> tuple[float, ...]:
    """Exponential gaps of mean 1 from a seeded generator: random.expovariate's arithmetic without the
    division by the rate, so every rate reuses one draw (the simulator runs on every keystroke)."""
    rng = random.Random(seed)
    return tuple(-math.log(1.0 - rng.random()) for _ in range(n))


def _arrivals(arrival: str, n: int, rate: float | None, seed: int) -> deque:
    """Open-loop arrival times: exponential gaps (Poisson) from a seeded generator, or a fixed interval."""
    times, t = [], 0.0
    if arrival == "poisson":
        for gap in _unit_gaps(seed, n):
            times.append(t)
            t += gap / rate  # rng.expovariate(rate) is -log(1 - random()) / rate
    else:
        for _ in range(n):
            times.append(t)
            t += 1 / rate
    return deque(times)


def simulate(
    step_time_s,
    kv_capacity_tokens: int,
    max_batch: int,
    input_tokens: int,
    output_tokens: int,
    request_rate: float | None = None,
    num_requests: int = 500,
    seed: int = 0,
    arrival: str = "poisson",
    concurrency: int | None = None,
    max_batched_tokens: int = 8192,
) -> LoadResult:
    """Run `num_requests` requests through a continuous-batching engine (see the module docstring).

    arrival: "poisson" or "fixed" at `request_rate` requests/s, or "concurrency": `concurrency` clients,
    each sending its next request the moment the previous one completes (vLLM's benchmark with
    --max-concurrency and no rate limit).
    """
    if arrival not in ARRIVALS:
        raise InputError(f"unknown arrival {arrival!r}; choose one of: {', '.join(ARRIVALS)}", "arrival")
    n = positive_int(num_requests, "number of requests", "num_requests", MAX_REQUESTS)
    t_in = positive_int(input_tokens, "input tokens", "input_tokens")
    t_out = positive_int(output_tokens, "output tokens", "output_tokens")
    cap = positive_int(kv_capacity_tokens, "KV capacity (tokens)", "kv_capacity_tokens")
    batch_max = positive_int(max_batch, "max batch", "max_batch")
    budget = positive_int(max_batched_tokens, "max batched tokens", "max_batched_tokens")
    seed = int(positive_float(seed, "seed", "seed", allow_zero=True))
    if t_in + t_out > cap:
        raise InputError(
            f"one request of {t_in + t_out:,} tokens needs more KV cache than the pool holds ({cap:,} tokens)",
            "input_tokens",
        )
    rate = None
    if arrival == "concurrency":
        concurrency = positive_int(concurrency, "concurrency", "concurrency", MAX_REQUESTS)
        pending = deque([0.0] * min(concurrency, n))
    else:
        rate = positive_float(request_rate, "request rate", "request_rate", maximum=MAX_REQUEST_RATE)
        pending, concurrency = _arrivals(arrival, n, rate, seed), None

    eng = _Engine(cap, batch_max, budget, t_in)
    waiting, finished, decoding, prefilling = eng.waiting, eng.finished, eng.decoding, eng.prefilling
    now, issued, steps, batch_time = 0.0, 0, 0, 0.0
    log = [(0.0, 0, 0)]
    while len(finished) < n:
        while pending and pending[0] <= now:
            waiting.append(_Req(pending.popleft(), t_in, t_out))
            issued += 1
        if not (decoding or prefilling or waiting):
            now = pending[0]
            continue
        if eng.pre_kv + eng.dec_base + len(decoding) * (eng.g + 1) + eng.res > cap:
            eng.make_room(now)  # rare: only when the pool is about to overflow
        chunks, p_tok, cached = eng.schedule() if prefilling or waiting else _NO_CHUNKS  # decode-only: nothing to plan
        n_dec = len(decoding)
        if chunks:
            ctx = (eng.dec_base + n_dec * eng.g) / n_dec + 1 if n_dec else 0.0  # mean tokens cached, + this one
            k, dt = 1, step_time_s(n_dec, ctx, p_tok, cached / p_tok)
        elif n_dec:
            k, dt = eng.stride(now, pending[0] if pending else None, step_time_s)
        else:  # the pool cannot take the next chunk and nothing runs: cannot happen when one request fits
            raise InputError("the KV pool cannot hold the next prompt chunk", "kv_capacity_tokens")
        if not (dt > 0 and isfinite(dt)):
            raise InputError(f"the step-time model returned {dt!r} s; it must be a positive number", "step_time")
        batch_time += dt * (n_dec + len(prefilling))
        now += dt
        steps += k
        if concurrency:
            for _ in eng.advance(k, dt, now, chunks, p_tok):
                if issued + len(pending) < n:
                    pending.append(now)  # that client sends its next request at once
        else:
            eng.advance(k, dt, now, chunks, p_tok)
        log.append((now, len(waiting), len(decoding) + len(prefilling)))
    return _result(eng, log, now, steps, batch_time, rate, concurrency, arrival, t_in, t_out)


def _series(log, end: float, points: int = SERIES_POINTS):
    """The queue and batch sampled at `points` evenly spaced times (the state at each instant)."""
    times, queue, batch, j = [], [], [], 0
    for p in range(points + 1):
        t = end * p / points
        while j + 1 < len(log) and log[j + 1][0] <= t:
            j += 1
        times.append(t)
        queue.append(log[j][1])
        batch.append(log[j][2])
    return tuple(times), tuple(queue), tuple(batch)


def _result(eng, log, end, steps, batch_time, rate, concurrency, arrival, t_in, t_out) -> LoadResult:
    reqs = eng.finished
    n = len(reqs)
    ttft = [r.first - r.arrival for r in reqs]
    tpot = [(r.finish - r.first) / (r.out - 1) for r in reqs if r.out > 1]
    e2e = [r.finish - r.arrival for r in reqs]
    itl = list(eng.itl.items())
    series = _series(log, end)
    return LoadResult(
        arrival=arrival,
        request_rate=rate,
        concurrency=concurrency,
        num_requests=n,
        input_tokens=t_in,
        output_tokens=t_out,
        kv_capacity_tokens=eng.cap,
        max_batch=eng.max_batch,
        max_batched_tokens=eng.budget,
        ttft_s=_sample_stats(ttft),
        itl_s=_stats(itl),
        tpot_s=_sample_stats(tpot),
        e2e_s=_sample_stats(e2e),
        duration_s=end,
        output_tokens_per_s=n * t_out / end,
        total_tokens_per_s=n * (t_in + t_out) / end,
        requests_per_s=n / end,
        steps=steps,
        preemptions=eng.preemptions,
        mean_batch=batch_time / end,
        max_queue=max(q for _, q, _ in log),
        series_time_s=series[0],
        series_queue=series[1],
        series_batch=series[2],
    )


# --- the roofline step model (the calibrated adapter will sit beside it) ---------------------------


@dataclass(frozen=True)
class StepModel:
    """What the simulator needs from a deployment, and what the page shows about it."""

    step_time_s: object  # the callable
    kv_capacity_tokens: int
    max_batch: int
    max_batched_tokens: int
    constants: dict  # the step formulas' fixed inputs (weights read, bandwidth, peak FLOP/s ...)
    kv_precision: str
    max_context_tokens: int | None  # the model's max_position_embeddings
    source: str

    def check_lengths(self, input_tokens, output_tokens) -> None:
        """Refuse requests longer than the model's context window (naming the answer-length field)."""
        limit = self.max_context_tokens
        if limit and int(float(input_tokens)) + int(float(output_tokens)) > limit:
            raise InputError(
                f"prompt + answer tokens ({int(float(input_tokens)) + int(float(output_tokens)):,}) exceed the model's "
                f"{limit:,}-token context",
                "output_tokens",
            )  # "roofline" (or the calibrated model's name)


def _moe_touched(p, tokens: int) -> float:
    """Distinct experts a step's tokens route to, per MoE layer (roofline.EXPERTS_TOUCHED's arithmetic)."""
    return experts_touched(p.n_routed_experts, p.experts_per_token, tokens)


def roofline_step_model(arch, gpu, gpus, precision, kv_precision=None, efficiency=1.0):
    """(step_time_s, kv_capacity_tokens, max_batch) for one replica on `gpus` x `gpu`, from the roofline.

    A step streams the weights it uses (for MoE: the experts its tokens touch) and the decoding
    sequences' KV cache, and does 2 FLOPs per active parameter per token; it takes the slower of the
    two (STEP_MEMORY, STEP_COMPUTE, STEP). The KV pool is capacity.capacity's (vLLM's arithmetic), the
    batch limit vLLM's max_num_seqs. Attention FLOPs and communication are left out, as in roofline.py.
    """
    model = _roofline_model(arch, gpu, gpus, precision, kv_precision, efficiency)
    return model.step_time_s, model.kv_capacity_tokens, model.max_batch


def step_model(arch, gpu, gpus, precision, kv_precision=None, efficiency="calibrated", context_tokens=None):
    """The replica's StepModel: the calibrated step time of speed.py by default ('calibrated', 'ideal', a
    percentage string, or a speed.Efficiency); a float in (0, 1] keeps the plain roofline adapter below."""
    if isinstance(efficiency, (int, float)) and not isinstance(efficiency, bool):
        return _roofline_model(arch, gpu, gpus, precision, kv_precision, efficiency, context_tokens)
    return _speed_model(arch, gpu, gpus, precision, kv_precision, efficiency_from(efficiency), context_tokens)


def _speed_model(arch, gpu, gpus, precision, kv_precision, eff, context_tokens) -> StepModel:
    """Step times from speed.py (the calibrated model): linear layers, attention, activations, all-reduces."""
    arch, _ = resolve_arch(arch)
    gpu = gpu if isinstance(gpu, Gpu) else get_gpu(gpu)
    gpus = positive_int(gpus, "GPUs", "gpus")
    prec = get_precision(precision)
    cap = capacity(arch, gpu, gpus, prec.id, kv_precision, context_tokens)
    if not cap.fits or cap.kv_tokens < 1:
        raise InputError(f"the model does not fit: {cap.reason}", "gpus")
    tp = default_tp(arch, gpu, gpus)
    pp = gpus // tp
    kv_bits = get_precision(cap.kv_precision).bits
    fixed = (prec.effective_bits, prec.compute, kv_bits)

    replica = Replica(arch, gpu, *fixed, tp, pp, 1, prec)
    work = replica.work
    fused = replica.step_time_fn(eff)  # speed.step_time_s(work(...), eff), without building a StepWork

    seen: dict = {}

    def step_time_s(decode_seqs, decode_context_tokens, prefill_tokens, prefill_context_tokens):
        # one step passes every pipeline stage in turn (no micro-batching); contexts to the token, so a
        # simulation's many alike steps are computed once
        key = (decode_seqs, round(decode_context_tokens), prefill_tokens, round(prefill_context_tokens))
        seconds = seen.get(key)
        if seconds is None:
            if len(seen) > 50_000:
                seen.clear()
            seconds = seen[key] = pp * fused(decode_seqs, key[1], prefill_tokens, key[3])
        return seconds

    constants = {"work": work, "efficiency": eff, "gpus": gpus, "tp": tp, "pp": pp}
    return StepModel(
        step_time_s,
        cap.kv_tokens,
        max_num_seqs(gpu),
        batched_tokens(engine_settings(), gpu),
        constants,
        cap.kv_precision,
        arch.max_position_embeddings,
        eff.name,
    )


def _roofline_model(arch, gpu, gpus, precision, kv_precision=None, efficiency=1.0, context_tokens=None) -> StepModel:
    """The plain roofline step model with its constants (roofline_step_model is the three-value form)."""
    arch, _ = resolve_arch(arch)
    gpu = gpu if isinstance(gpu, Gpu) else get_gpu(gpu)
    gpus = positive_int(gpus, "GPUs", "gpus")
    efficiency = positive_float(efficiency, "efficiency", "efficiency", maximum=1.0)
    prec = get_precision(precision)
    cap = capacity(arch, gpu, gpus, prec.id, kv_precision, context_tokens)
    if not cap.fits or cap.kv_tokens < 1:
        raise InputError(f"the model does not fit: {cap.reason}", "gpus")
    p = param_breakdown(arch)
    flops, _ = peak_flops(gpu, prec.compute)
    expert_params = p.experts_per_token * p.params_per_expert * p.moe_layers
    dense_bytes = (p.active_compute - expert_params) * prec.bytes_per_weight
    k_t = kv_bytes_per_token(arch, get_precision(cap.kv_precision).bits, cap.context_tokens)
    rho = cap.layout.kv_replication
    bw_s = gpus * gpu.bandwidth_bytes_per_s * efficiency
    flops_s = gpus * flops * efficiency
    active = p.active_compute
    per_expert_bytes = p.params_per_expert * p.moe_layers * prec.bytes_per_weight
    moe = arch.is_moe
    touched: dict = {}

    def weights_bytes(tokens: int) -> float:
        if not moe:
            return dense_bytes
        if tokens not in touched:
            touched[tokens] = dense_bytes + _moe_touched(p, tokens) * per_expert_bytes
        return touched[tokens]

    def step_time_s(decode_seqs, decode_context_tokens, prefill_tokens, prefill_context_tokens):
        # the arithmetic of STEP_MEMORY, STEP_COMPUTE and STEP, inlined for speed (a unit test
        # checks it against the Formula objects the page shows)
        tokens = decode_seqs + prefill_tokens
        mem = (weights_bytes(tokens) + decode_seqs * decode_context_tokens * k_t * rho) / bw_s
        return max(mem, 2 * active * tokens / flops_s)

    constants = {
        "dense_weights_bytes": dense_bytes,
        "expert_bytes": per_expert_bytes if moe else 0.0,
        "kv_bytes_per_token": k_t,
        "replication": rho,
        "gpus": gpus,
        "bandwidth": gpu.bandwidth_bytes_per_s,
        "peak_flops": flops,
        "efficiency": efficiency,
        "params_active": active,
        "weights_bytes_of": weights_bytes,
    }
    batch_tokens = batched_tokens(engine_settings(), gpu)
    return StepModel(
        step_time_s,
        cap.kv_tokens,
        max_num_seqs(gpu),
        batch_tokens,
        constants,
        cap.kv_precision,
        arch.max_position_embeddings,
        "roofline",
    )


def step_terms(model: StepModel, decode_seqs: int, decode_context_tokens: float, prefill_tokens: int) -> tuple:
    """The step formulas with a step's numbers plugged in (what the page shows)."""
    c = model.constants
    if "work" in c:  # the calibrated (speed.py) model
        work = c["work"](decode_seqs, decode_context_tokens, prefill_tokens, decode_context_tokens / 2)
        return speed_step_terms(work, c["efficiency"])
    common = {k: c[k] for k in ("gpus", "efficiency")}
    mem = STEP_MEMORY(
        weights_bytes=c["weights_bytes_of"](decode_seqs + prefill_tokens),
        decode_seqs=decode_seqs,
        decode_context_tokens=decode_context_tokens,
        kv_bytes_per_token=c["kv_bytes_per_token"],
        replication=c["replication"],
        bandwidth=c["bandwidth"],
        **common,
    )
    cmp = STEP_COMPUTE(
        params_active=c["params_active"],
        decode_seqs=decode_seqs,
        prefill_tokens=prefill_tokens,
        peak_flops=c["peak_flops"],
        **common,
    )
    return mem, cmp, STEP(memory_time_s=mem.value, compute_time_s=cmp.value)


# --- the knee: latency against request rate ---------------------------------------------------------

SWEEP_FRACTIONS = (0.2, 0.4, 0.6, 0.75, 0.9, 1.0)
SWEEP_REQUESTS = (200, 800)  # per point: enough to fill the batch the rate sustains (Little), within these


@dataclass(frozen=True)
class SweepPoint:
    """Latency at one offered request rate."""

    request_rate: float
    ttft_s: Stats
    tpot_s: Stats

    def as_dict(self) -> dict:
        return {"request_rate": self.request_rate, "ttft_s": self.ttft_s.as_dict(), "tpot_s": self.tpot_s.as_dict()}


def saturation_rate(step_time_s, kv_capacity_tokens, max_batch, input_tokens, output_tokens, max_batched_tokens=8192):
    """The knee: requests/s the engine serves flat out, each request replaced the moment it completes (a
    closed loop). In flight: as many as the KV pool holds at their full length, or at their mean length
    (prompt + half the answer: more throughput, at the price of preemptions when they grow in step); the
    better of the two, capped at max_batch. Offered more than this, the queue grows for as long as requests
    arrive and TTFT climbs from one prefill to seconds."""
    best, tried = 0.0, set()
    for length in (input_tokens + output_tokens, input_tokens + output_tokens / 2):
        clients = min(max_batch, max(1, int(kv_capacity_tokens // length)))
        if clients in tried:  # the same clients run the same simulation (both capped at max_batch, say)
            continue
        tried.add(clients)
        r = simulate(
            step_time_s,
            kv_capacity_tokens,
            max_batch,
            input_tokens,
            output_tokens,
            num_requests=min(MAX_REQUESTS, 3 * clients),
            arrival="concurrency",
            concurrency=clients,
            max_batched_tokens=max_batched_tokens,
        )
        best = max(best, r.requests_per_s)
    return best


def sweep(step_time_s, kv_capacity_tokens, max_batch, input_tokens, output_tokens, knee_rate, max_batched_tokens=8192):
    """TTFT and TPOT up to the knee rate (Poisson, seed 0); past it there is no steady state to report
    (TTFT grows with every request that arrives). Each point runs long enough for
    the batch to fill: six times the requests in flight at the knee, times the fraction, bounded by
    SWEEP_REQUESTS (a shorter burst past the knee is absorbed by a growing batch and hides it)."""
    points = []
    in_flight = min(max_batch, max(1, int(kv_capacity_tokens // (input_tokens + output_tokens / 2))))
    for f in SWEEP_FRACTIONS:
        rate = knee_rate * f
        n = min(max(int(6 * f * in_flight), SWEEP_REQUESTS[0]), SWEEP_REQUESTS[1])
        r = simulate(
            step_time_s,
            kv_capacity_tokens,
            max_batch,
            input_tokens,
            output_tokens,
            request_rate=rate,
            num_requests=n,
            max_batched_tokens=max_batched_tokens,
        )
        points.append(SweepPoint(rate, r.ttft_s, r.tpot_s))
    return tuple(points)
