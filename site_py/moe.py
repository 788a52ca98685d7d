"""Section 6 widget: a dense model and an MoE model side by side, plus an animated toy router."""

from playground.gpus import GPUS
from playground.models import get_model
from playground.moe import MAX_BATCH, MAX_CONTEXT_TOKENS, MAX_GPUS, compare, dense_ids, describe_ratio, moe_ids
from playground.performance import accuracy_text
from playground.precision import PRECISIONS
from playground.router import MAX_SEED
from playground.units import (
    format_bytes,
    format_count,
    format_flops,
    format_int,
    format_percent,
    format_rate,
    format_seconds,
)

from .html import blocks, esc, formula_block, headline, notice, stat, table, tip, value
from .moe_svg import bytes_chart, gates_panel, router_svg, token_strip
from .widget import Field

NAME = "moe"
TITLE = "MoE vs dense"
SIDES = ("dense", "moe")


def _rate(v) -> str:
    return format_rate(v, "tokens")


def fields() -> list[Field]:
    """The two models, precision, batch, context, GPU setup and the toy router's seed."""
    return [
        Field(
            "dense",
            "Dense model",
            "select",
            "llama-3.1-70b",
            options=tuple((m, get_model(m).name) for m in dense_ids()),
        ),
        Field(
            "moe",
            "MoE model",
            "select",
            "glm-5",
            options=tuple((m, get_model(m).name) for m in moe_ids()),
            label_html=f"{tip('MoE')} model",
        ),
        Field("precision", "Weights precision", "select", "fp8", options=tuple((p.id, p.name) for p in PRECISIONS)),
        Field(
            "batch",
            "Batch size B",
            "number",
            "32",
            min=1,
            max=MAX_BATCH,
            step="1",
            help="sequences decoded together",
        ),
        Field(
            "context",
            "Context per sequence",
            "number",
            "4096",
            min=1,
            max=MAX_CONTEXT_TOKENS,
            step="1",
            help="tokens in each sequence's KV cache",
        ),
        Field("gpu", "GPU", "select", "h200-sxm", options=tuple((g.id, g.name) for g in GPUS)),
        Field("gpus", "GPUs", "number", "8", min=1, max=MAX_GPUS, step="1", help="bandwidth and FLOP/s add up"),
        Field(
            "seed",
            "Router seed",
            "number",
            "42",
            min=0,
            max=MAX_SEED,
            step="1",
            help="reshuffles the toy router",
            label_html=f"{tip('router', 'Router')} seed",
        ),
    ]


def compute(values: dict[str, str]):
    """The same call the CLI makes."""
    return compare(
        values["dense"],
        values["moe"],
        values["precision"],
        values["batch"],
        values["context"],
        values["gpu"],
        values["gpus"],
        values["seed"],
    )


def _pair_rows(c) -> list[list[str]]:
    """Comparison rows: a label, then the dense and MoE cells (each number an <output>)."""
    b = f"{c.batch:,}"
    specs = [
        ("Parameters, total", "params_total", None, format_count),
        ("Active per token", "params_active", None, format_count),
        ("Active, no embedding lookup", "params_active_compute", None, format_count),
        ("FLOPs per token", "flops_per_token", None, format_flops),
        (f"Weights at {c.precision.id.upper()}", "weights_bytes", None, format_bytes),
        ("Experts touched / layer, B = 1", "experts_touched", "batch_1", None),
        (f"Experts touched / layer, B = {b}", "experts_touched", "batch_b", None),
        ("Weights read / token, B = 1", "bytes_read_per_token", "batch_1", format_bytes),
        (f"Weights read / token, B = {b}", "bytes_read_per_token", "batch_b", format_bytes),
        ("KV read / token", "kv_read_bytes_per_token", None, format_bytes),
        ("Decode, B = 1 (calibrated)", "calibrated_decode_tokens_per_s", "batch_1", _rate),
        (f"Decode, B = {b}, total (calibrated)", "calibrated_decode_tokens_per_s", "batch_b", _rate),
        (f"Decode, B = {b}, per user (calibrated)", "calibrated_decode_tokens_per_s_per_user", "batch_b", _rate),
        ("Decode, B = 1 (ideal roofline)", "decode_tokens_per_s", "batch_1", _rate),
        (f"Decode, B = {b}, total (ideal roofline)", "decode_tokens_per_s", "batch_b", _rate),
        (f"Decode, B = {b}, per user (ideal roofline)", "decode_tokens_per_s_per_user", "batch_b", _rate),
    ]
    data = {s: getattr(c, s).numbers() for s in SIDES}
    rows = []
    for label, key, sub, fmt in specs:
        cells = [esc(label)]
        for s in SIDES:
            raw = data[s][key] if sub is None else (data[s][key] or {}).get(sub)
            if raw is None:
                cells.append('<span class="pg-moe-na">— dense</span>')
            elif fmt is None:  # experts touched: a fraction of E
                side = getattr(c, s)
                cells.append(f"{value(f'{s}.{key}.{sub}', raw, f'{raw:.1f}')} of {side.experts}")
            else:
                cells.append(value(f"{s}.{key}" + (f".{sub}" if sub else ""), raw, fmt(raw)))
        rows.append(cells)
    fits = [esc(f"Fits {c.gpus:,} GPUs?")]
    for s in SIDES:
        side = getattr(c, s)
        ok = "pg-ok" if side.fits else "pg-bad"
        word = "yes" if side.fits else "no"
        fits.append(
            f'<span class="pg-verdict {ok}">{value(f"{s}.fits", str(side.fits).lower(), word)}</span> · '
            f"{value(f'{s}.memory_needed_bytes', side.memory_needed_bytes, format_bytes(side.memory_needed_bytes))}"
        )
    rows.append(fits)
    return rows


def _router_picture(trace) -> str:
    return (
        f'<div class="pg-moe-router">{token_strip(trace)}'
        f'<div class="pg-moe-stage">{router_svg(trace)}{gates_panel(trace)}</div></div>'
    )


_ROUTER_HTML: dict = {}  # (id(trace), model name) -> (trace, html); see _router


def _router(c) -> str:
    """The router section, drawn once per trace: playground.router.route caches traces, so a new batch or
    context shows the same trace object again (kept by identity: hashing a trace's scores costs more)."""
    key = (id(c.router), c.moe.model.name)
    hit = _ROUTER_HTML.get(key)
    if hit is None or hit[0] is not c.router:
        if len(_ROUTER_HTML) > 32:
            _ROUTER_HTML.clear()
        hit = _ROUTER_HTML[key] = (c.router, _draw_router(c))
    return hit[1]


def _draw_router(c) -> str:
    trace = c.router
    shared = f", {trace.shared_experts} shared" if trace.shared_experts else ""
    head = (
        "<h4>The router, token by token</h4>"
        f'<p class="pg-why">A toy router with {esc(c.moe.model.name)}\'s shape ({trace.n_experts} routed experts, '
        f"top-{trace.top_k}{shared}). Its scores are illustrative seeded random draws, not the real model's "
        "router; the mechanism is real: score every expert, run the top-k, mix their outputs with the gates "
        "renormalised over the top-k (Mixtral's and Qwen3's softmax gating).</p>"
    )
    figure = _router_picture(trace)
    rows = [
        [
            esc(t.token.strip()),
            value(f"router.tokens.{i}.experts", ",".join(map(str, t.experts)), ", ".join(map(str, t.experts))),
            esc(", ".join(format_percent(g) for g in t.gates)),
        ]
        for i, t in enumerate(trace.tokens)
    ]
    every = (
        "<details><summary>Every token's experts and gates</summary>"
        + table(["Token", "Top-k experts, best first", "Gates (sum to 100%)"], rows)
        + f"<span hidden>{value('router.seed', trace.seed, str(trace.seed))}</span></details>"
    )
    return head + figure + every


def _headline(c) -> str:
    m = c.moe
    crossover = c.crossover_batch
    return headline(
        stat(
            "MoE weight reads / token, B = 1",
            "read_ratio.batch_1",
            c.read_ratio_1.value,
            describe_ratio(c.read_ratio_1.value),
        ),
        stat(
            f"At B = {c.batch:,}",
            "read_ratio.batch_b",
            c.read_ratio_b.value,
            describe_ratio(c.read_ratio_b.value),
        ),
        stat(
            "MoE step reads more from",
            "crossover_batch",
            crossover if crossover is not None else "",
            f"batch {crossover:,}" if crossover is not None else "never",
        ),
        stat(
            f"Experts touched at B = {c.batch:,}",
            "moe.experts_touched.batch_b",
            m.batch_b.experts_touched,
            f"{m.batch_b.experts_touched:.0f} of {m.experts}",
        ),
    )


def render(values: dict[str, str]) -> str:
    """Headline, side-by-side table, bytes-per-token chart, router animation, the math."""
    c = compute(values)
    d, m = c.dense, c.moe
    setup = (
        f'<p class="pg-why">{esc(m.model.name)} vs {esc(d.model.name)} on {c.gpus:,} × {esc(c.gpu.name)}, '
        f"{esc(c.precision.name)} weights, {esc(c.kv_precision.name)} KV cache, {c.context_tokens:,} tokens of "
        "context. Speeds are the ideal roofline (an upper bound: real engines reach roughly 50–80% of it).</p>"
    )
    warnings = "".join(notice(w, "warn") for w in c.warnings)
    compare_table = table(["", d.model.name, m.model.name], _pair_rows(c), cls="pg-moe-table")
    chart = (
        "<h4>Weight bytes read per generated token, as the batch grows</h4>"
        + bytes_chart(c)
        + f'<p class="pg-why">A dense model reads the same weights whatever the batch, so its cost per token '
        f"falls as 1/B. An MoE step reads every expert any sequence picked: {m.top_k} per layer at batch 1, "
        f"{m.batch_b.experts_touched:.1f} of {m.experts} at batch {c.batch:,} (uniform routing), so its cost "
        "per token falls more slowly.</p>"
    )
    math_block = (
        "<details><summary>The math, with your numbers</summary>"
        + formula_block(d.terms, d.model.name)
        + formula_block(m.terms, m.model.name)
        + formula_block((c.read_ratio_1, c.read_ratio_b, c.router.tokens[0].gate_term), "Comparison and router")
        + "</details>"
    )
    return blocks(_headline(c), setup, warnings, compare_table, chart, _router(c), math_block)


def markdown(values: dict[str, str]) -> str:
    """The comparison as a Markdown table with its formulas, for a design doc."""
    c = compute(values)
    d, m = c.dense.numbers(), c.moe.numbers()

    def pair(side, key, fmt):
        return f"{fmt(side[key]['batch_1'])} / {fmt(side[key]['batch_b'])}"

    def rate(v):
        return format_rate(v, "tokens")

    touched = "—" if m["experts_touched"] is None else pair(m, "experts_touched", lambda v: f"{v:.1f}")
    rows = [
        ("Parameters, total", format_count(d["params_total"]), format_count(m["params_total"])),
        ("Active per token", format_count(d["params_active"]), format_count(m["params_active"])),
        ("FLOPs per token", format_flops(d["flops_per_token"]), format_flops(m["flops_per_token"])),
        (f"Weights ({c.precision.id.upper()})", format_bytes(d["weights_bytes"]), format_bytes(m["weights_bytes"])),
        (f"Experts touched, batch 1 / {c.batch:,}", "—", touched),
        (
            f"Weights read per token, batch 1 / {c.batch:,}",
            pair(d, "bytes_read_per_token", format_bytes),
            pair(m, "bytes_read_per_token", format_bytes),
        ),
        (
            f"Decode, batch 1 / {c.batch:,} (calibrated)",
            pair(d, "calibrated_decode_tokens_per_s", rate),
            pair(m, "calibrated_decode_tokens_per_s", rate),
        ),
        (
            f"Decode, batch 1 / {c.batch:,} (ideal roofline)",
            pair(d, "decode_tokens_per_s", rate),
            pair(m, "decode_tokens_per_s", rate),
        ),
    ]
    lines = [
        f"{c.gpus:,} x {c.gpu.name}, {c.precision.name} weights, {format_int(c.context_tokens)} tokens of context, "
        f"step time at batch {c.batch:,}: {format_seconds(c.dense.decode_b.time_s)} (dense), "
        f"{format_seconds(c.moe.decode_b.time_s)} (MoE) on the ideal roofline; calibrated speeds are "
        f"{accuracy_text()}.",
        "",
        f"| | {d['name']} | {m['name']} |",
        "|---|---|---|",
        *(f"| {a} | {b} | {e} |" for a, b, e in rows),
        "",
        "Formulas:",
        "",
    ]
    lines += [f"- {side.model.name}: `{t.plugged()}`" for side in (c.dense, c.moe) for t in side.terms]
    return "\n".join(lines) + "\n"
