"""Section 4 widget, serving under load: TTFT and per-token latency at a request rate, the knee, queue and batch."""

import functools

from playground.cost import EFFICIENCIES
from playground.errors import InputError, positive_float, positive_int
from playground.gpus import GPUS
from playground.performance import accuracy_text
from playground.precision import PRECISIONS
from playground.serving import MAX_REQUEST_RATE, saturation_rate, simulate, step_model, step_terms, sweep
from playground.units import format_count, format_int, format_rate, format_seconds
from playground.vram import MAX_GPUS

from . import serving_svg as svg
from .html import blocks, deferred, esc, formula_block, headline, notice, stat, table, tip, value
from .model_input import model_field
from .widget import Field

NAME = "serving"
TITLE = "Serving under load"
NUM_REQUESTS = 500  # the CLI's default: the first 500 requests of a Poisson stream, seed 0
SEED = 0
LATENCIES = (("ttft_s", "TTFT"), ("itl_s", "ITL"), ("tpot_s", "TPOT"), ("e2e_s", "End to end"))


def fields() -> list[Field]:
    """Model, precision, GPU and GPUs per replica, the request shape and the request rate."""
    return [
        model_field("llama-3.1-70b"),
        Field("precision", "Weights precision", "select", "fp8", options=tuple((p.id, p.name) for p in PRECISIONS)),
        Field("gpu", "GPU", "select", "h100-sxm", options=tuple((g.id, g.name) for g in GPUS)),
        Field(
            "gpus",
            "GPUs per replica (TP)",
            "number",
            "4",
            min=1,
            max=MAX_GPUS,
            step="1",
            help="one copy of the model, tensor parallel",
            label_html=f"GPUs per replica ({tip('tensor parallelism', 'TP')})",
        ),
        Field("input_tokens", "Prompt tokens", "number", "1000", min=1, max=10**7, step="1", help="per request"),
        Field("output_tokens", "Answer tokens", "number", "300", min=1, max=10**7, step="1", help="per request"),
        Field(
            "request_rate",
            "Requests per second",
            "number",
            "20",
            min=0,
            max=MAX_REQUEST_RATE,
            help="Poisson arrivals to this replica",
        ),
        Field(
            "efficiency",
            "Speed model",
            "select",
            "calibrated",
            options=tuple(EFFICIENCIES.items()),
            help=f"calibrated: {accuracy_text()}; ideal: every peak reached, latencies are lower bounds",
            label_html=f"Speed model ({tip('roofline')} or calibrated)",
        ),
        Field(
            "efficiency_percent",
            "Custom efficiency (%)",
            "number",
            "60",
            min=0,
            max=100,
            help="with 'Custom': the share of every datasheet peak the engine reaches",
            label_html=f"Custom {tip('roofline')} efficiency (%)",
        ),
    ]


@functools.lru_cache(maxsize=16)
def _deployment(model: str, precision: str, gpu: str, gpus: str, efficiency: str, efficiency_percent: str):
    """The step model, cached: most keystrokes change only the request rate."""
    positive_float(efficiency_percent, "efficiency (%)", "efficiency_percent", maximum=100)  # checked even unused
    if efficiency not in EFFICIENCIES:
        raise InputError(f"unknown speed model {efficiency!r}; choose one of: {', '.join(EFFICIENCIES)}", "efficiency")
    speed = efficiency_percent if efficiency == "custom" else efficiency  # the CLI's --efficiency value
    return step_model(model, gpu, gpus, precision, None, speed)


@functools.lru_cache(maxsize=16)
def _knee(deployment: tuple, input_tokens: int, output_tokens: int) -> float:
    """The knee: rerun only when the deployment or the request shape changes."""
    m = _deployment(*deployment)
    shape = (m.step_time_s, m.kv_capacity_tokens, m.max_batch, input_tokens, output_tokens)
    return saturation_rate(*shape, m.max_batched_tokens)


@functools.lru_cache(maxsize=16)
def _sweep(deployment: tuple, input_tokens: int, output_tokens: int):
    """Latency at rates up to the knee (the costliest part: drawn after the keystroke's frame)."""
    m = _deployment(*deployment)
    shape = (m.step_time_s, m.kv_capacity_tokens, m.max_batch, input_tokens, output_tokens)
    return sweep(*shape, _knee(deployment, input_tokens, output_tokens), m.max_batched_tokens)


def compute(values: dict[str, str]):
    """(step model, load, knee rate, a callable giving latency up to the knee): what `serve-sim --sweep` computes."""
    key = tuple(values[k] for k in ("model", "precision", "gpu", "gpus", "efficiency", "efficiency_percent"))
    m = _deployment(*key)
    for field, name in (("input_tokens", "prompt tokens"), ("output_tokens", "answer tokens")):
        positive_int(values[field], name, field, 10**7)
    m.check_lengths(values["input_tokens"], values["output_tokens"])
    load = simulate(
        m.step_time_s,
        m.kv_capacity_tokens,
        m.max_batch,
        values["input_tokens"],
        values["output_tokens"],
        request_rate=values["request_rate"],
        num_requests=NUM_REQUESTS,
        seed=SEED,
        max_batched_tokens=m.max_batched_tokens,
    )
    knee = _knee(key, load.input_tokens, load.output_tokens)
    return m, load, knee, functools.partial(_sweep, key, load.input_tokens, load.output_tokens)


def _s(key: str, raw: float) -> str:
    return value(key, raw, format_seconds(raw))


def render(values: dict[str, str]) -> str:
    """Headline latencies, the verdict against the knee, percentiles, the two charts and the step math."""
    m, r, knee, points = compute(values)
    past = r.request_rate > knee
    head = headline(
        stat(tip("TTFT"), "ttft_s", r.ttft_s.mean, format_seconds(r.ttft_s.mean)),
        stat(tip("TPOT"), "tpot_s", r.tpot_s.mean, format_seconds(r.tpot_s.mean)),
        stat("Output", "output_tokens_per_s", r.output_tokens_per_s, format_rate(r.output_tokens_per_s, "tokens")),
        stat("Knee", "saturation_request_rate", knee, f"{format_count(knee)} req/s"),
        stat("Mean batch", "mean_batch", r.mean_batch, format_count(r.mean_batch)),
    )
    if past and r.max_queue > r.num_requests // 10:
        verdict = notice(
            f"Past the knee: {format_count(r.request_rate)} requests/s is more than this replica serves "
            f"({format_count(knee)}/s). The queue grows for as long as requests arrive: the last of these "
            f"{NUM_REQUESTS} waited {format_seconds(r.ttft_s.p99)} (p99) for its first token. Add replicas.",
            "warn",
        )
    elif past:
        verdict = notice(
            f"Past the knee: {format_count(r.request_rate)} requests/s is more than this replica serves sustained "
            f"({format_count(knee)}/s). These {NUM_REQUESTS} requests arrive within "
            f"{format_seconds(NUM_REQUESTS / r.request_rate)} and the batch swells to {max(r.series_batch)} to absorb "
            f"them, slowing every token; sustained, the KV pool fills, requests queue and TTFT grows without bound. "
            "Add replicas.",
            "warn",
        )
    else:
        verdict = notice(
            f"Below the knee ({format_count(r.request_rate / knee * 100)}% of {format_count(knee)} requests/s): "
            f"the batch absorbs the load; TTFT stays near one prefill, TPOT grows with the batch.",
        )
    rows = [
        [
            esc(label),
            *(_s(f"percentiles.{key}.{q}", getattr(getattr(r, key), q)) for q in ("mean", "p50", "p90", "p99")),
        ]
        for key, label in LATENCIES
    ]
    pct = table(
        ["Latency", "Mean", "p50", "p90", "p99"],
        rows,
        f"{NUM_REQUESTS} requests, Poisson arrivals (seed {SEED}); ITL over every token gap, TPOT per request",
        cls="pg-serving-table",
    )
    hidden = (
        "<span hidden>"
        + value("itl_s", r.itl_s.mean, format_seconds(r.itl_s.mean))
        + value("kv_capacity_tokens", r.kv_capacity_tokens, format_int(r.kv_capacity_tokens))
        + value("max_batch", r.max_batch, format_int(r.max_batch))
        + value("max_queue", r.max_queue, format_int(r.max_queue))
        + value("past_knee", "true" if past else "false", str(past))
        + "</span>"
    )
    return blocks(
        head,
        verdict,
        pct,
        hidden,
        "<h4>Latency against request rate</h4>",
        deferred("pg-serving-curve", lambda: _curve(points(), knee, r)),
        "<h4>Queue and batch over time, at your rate</h4>",
        deferred("pg-serving-over-time", lambda: f'<div class="pg-serving-over-time">{svg.timeline(r)}</div>'),
        _math(m, r),
    )


def _curve(points, knee, r) -> str:
    numbers = "".join(
        _s(f"sweep.{i}.ttft_s.p50", p.ttft_s.p50) + _s(f"sweep.{i}.tpot_s.p50", p.tpot_s.p50)
        for i, p in enumerate(points)
    )
    return f'<div class="pg-serving-curve"><span hidden>{numbers}</span>{svg.knee_chart(points, knee, r)}</div>'


def _math(m, r) -> str:
    # the terms are computed when the (deferred) blocks are drawn, not in the keystroke's frame
    decode = functools.partial(step_terms, m, max(1, round(r.mean_batch)), r.input_tokens + r.output_tokens / 2, 0)
    prefill = functools.partial(step_terms, m, 0, 0, min(r.input_tokens, m.max_batched_tokens))
    return (
        '<details class="pg-serving-math"><summary>The step time, with your numbers</summary>'
        + formula_block(
            decode,
            f"A decode step at the mean batch ({format_int(max(1, round(r.mean_batch)))} sequences, "
            f"{format_int(r.input_tokens + r.output_tokens // 2)} tokens of context each)",
        )
        + formula_block(prefill, "A prefill step (one prompt, or a chunk of the step's token budget)")
        + f'<p class="pg-why">{esc(_rules(m))}</p></details>'
    )


def _rules(m) -> str:
    return (
        f"Each step carries every running sequence's next token and up to {format_int(m.max_batched_tokens)} "
        f"tokens in all (vLLM's max_num_batched_tokens); prompts fill what decode tokens leave, in chunks. "
        f"Requests are admitted while the KV pool ({format_int(m.kv_capacity_tokens)} tokens) and the batch limit "
        f"({format_int(m.max_batch)}) allow; the newest is preempted and recomputed when the pool runs out."
    )


def markdown(values: dict[str, str]) -> str:
    """The load's latencies as a Markdown table."""
    m, r, knee, _ = compute(values)
    lines = [
        f"**Serving under load: {values['model']}, {values['precision']} on {values['gpus']} x {values['gpu']}, "
        f"{format_count(r.request_rate)} requests/s** (knee {format_count(knee)} requests/s, roofline)",
        "",
        "| Latency | Mean | p50 | p90 | p99 |",
        "|---|---|---|---|---|",
    ]
    for key, label in LATENCIES:
        s = getattr(r, key)
        lines.append(
            f"| {label} | " + " | ".join(format_seconds(getattr(s, q)) for q in ("mean", "p50", "p90", "p99")) + " |"
        )
    lines += [
        "",
        f"Output: {format_rate(r.output_tokens_per_s, 'tokens')}, mean batch {format_count(r.mean_batch)}.",
        "",
    ]
    return "\n".join(lines)
