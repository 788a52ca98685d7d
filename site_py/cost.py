"""Section 5 widget: buy vs rent. GPUs for a daily volume, each path's cost, breakeven, recommendation."""

from playground.cost import COMPLIANCE, DEFAULTS, EFFICIENCIES, MAX_HORIZON_YEARS, VOLUMES, estimate
from playground.gpus import GPUS
from playground.performance import accuracy_text
from playground.precision import KV_PRECISION_IDS, PRECISIONS, get_precision
from playground.prices import RATES, SPECS, hourly_price, purchase_price
from playground.tco import LABELS, PATHS, format_usd_per_million_tokens
from playground.throughput import MAX_REQUESTS_PER_DAY
from playground.units import (
    format_count,
    format_int,
    format_percent,
    format_rate,
    format_seconds,
    format_usd,
    format_value,
)

from .cost_svg import cumulative_chart, decision_tree
from .html import blocks, esc, formula_block, headline, notice, stat, table, tip, value
from .model_input import model_field
from .widget import Field

NAME = "cost"
TITLE = "Buy vs rent decision tool"
AUTO = "auto"
PRICE_HELP = {
    "gpu_price_usd": "USD per GPU",
    "server_price_usd": "USD per 8-GPU server, without GPUs",
    "server_watts_per_gpu": "W per GPU besides the GPU",
    "usd_per_kwh": "USD per kWh",
    "pue": "facility power / IT power",
    "colo_usd_per_kw_month": "USD per kW of IT per month",
    "ops_usd_per_gpu_month": "USD per GPU per month",
    "depreciation_years": "years",
    "on_demand_usd_per_gpu_hour": "USD per GPU-hour",
    "reserved_1y_usd_per_gpu_hour": "USD per GPU-hour",
    "reserved_3y_usd_per_gpu_hour": "USD per GPU-hour",
}
_LABEL_HTML = {
    "pue": f"{tip('PUE')}",
    "on_demand_usd_per_gpu_hour": f"{tip('on-demand', 'On-demand')} price",
    "reserved_1y_usd_per_gpu_hour": f"1-year {tip('reserved instance', 'reserved')} price",
    "reserved_3y_usd_per_gpu_hour": f"3-year {tip('reserved instance', 'reserved')} price",
}


def _gpu_options() -> tuple:
    """Every GPU; those with both a dated purchase and rental price first (the others need prices typed in)."""
    priced = [g for g in GPUS if purchase_price(g.id) and hourly_price(g.id)]
    rest = [g for g in GPUS if g not in priced]
    return tuple((g.id, g.name, "Prices on file") for g in priced) + tuple(
        (g.id, g.name, "Enter the missing prices below") for g in rest
    )


def fields() -> list[Field]:
    """The workload and the decision inputs first, then every price (auto = its dated default)."""
    main = [
        model_field("llama-3.1-70b"),
        Field("precision", "Weights precision", "select", "fp8", options=tuple((p.id, p.name) for p in PRECISIONS)),
        Field("gpu", "GPU", "select", DEFAULTS["gpu"], options=_gpu_options()),
        Field(
            "requests_per_day",
            "Requests per day",
            "number",
            "1000000",
            min=1,
            max=MAX_REQUESTS_PER_DAY,
            step="1",
            help="the daily volume to serve",
        ),
        Field(
            "input_tokens",
            "Input tokens per request",
            "number",
            str(DEFAULTS["input_tokens"]),
            min=1,
            max=10**7,
            step="1",
            help="prompt with system text and history",
        ),
        Field(
            "output_tokens",
            "Output tokens per request",
            "number",
            str(DEFAULTS["output_tokens"]),
            min=1,
            max=10**7,
            step="1",
            help="a few paragraphs of answer",
        ),
        Field(
            "ttft_target_ms",
            "TTFT target (ms, optional)",
            "number",
            "",
            min=0,
            max=3_600_000,
            help="size so the peak hour meets it; empty = none",
            label_html=f"{tip('TTFT')} target (ms, optional)",
        ),
        Field(
            "tpot_target_ms",
            "TPOT target (ms, optional)",
            "number",
            "",
            min=0,
            max=3_600_000,
            help="e.g. 30; empty = none",
            label_html=f"{tip('TPOT')} target (ms, optional)",
        ),
        Field(
            "latency_percentile",
            "Targets hold for",
            "select",
            "50",
            options=(("50", "the median request (p50)"), ("90", "9 in 10 requests (p90)"), ("99", "99 in 100 (p99)")),
        ),
        Field(
            "peak_factor",
            "Peak-hour factor",
            "number",
            AUTO,
            min=0,
            max=1000,
            help="peak rate / daily average; auto = 1 / utilization",
        ),
        Field("compliance", "Compliance requirement", "select", "none", options=tuple(COMPLIANCE.items())),
        Field("volume", "How steady is the volume", "select", "steady", options=tuple(VOLUMES.items())),
        Field(
            "utilization_percent",
            "Expected utilization (%)",
            "number",
            str(DEFAULTS["utilization_percent"]),
            min=0,
            max=100,
            help="average load / capacity provisioned",
        ),
        Field(
            "horizon_years",
            "Horizon (years)",
            "number",
            str(DEFAULTS["horizon_years"]),
            min=1,
            max=MAX_HORIZON_YEARS,
            step="1",
            help="how long you plan for",
        ),
    ]
    prices = [
        Field(
            "rates",
            "Rental prices from",
            "select",
            "gpu_cloud",
            options=tuple(RATES.items()),
            help="on-demand and reserved defaults",
        ),
    ] + [
        Field(
            s.key,
            s.label,
            "number",
            AUTO,
            min=0,
            max=s.maximum,
            help=PRICE_HELP[s.key],
            label_html=_LABEL_HTML.get(s.key, ""),
        )
        for s in SPECS
    ]
    engine = [
        Field(
            "kv_precision",
            "KV cache precision",
            "select",
            AUTO,
            options=(
                (AUTO, "Default: 16-bit (FP32 if weights are FP32)"),
                *((k, get_precision(k).name) for k in KV_PRECISION_IDS),
            ),
            label_html=f"{tip('KV cache')} precision",
        ),
        Field(
            "efficiency",
            "Speed model",
            "select",
            DEFAULTS["efficiency"],
            options=tuple(EFFICIENCIES.items()),
            help=f"calibrated: {accuracy_text()}; ideal: every peak reached, speeds are upper bounds",
            label_html=f"Speed model ({tip('roofline')} or calibrated)",
        ),
        Field(
            "efficiency_percent",
            "Custom efficiency (%)",
            "number",
            str(DEFAULTS["efficiency_percent"]),
            min=0,
            max=100,
            help="with 'Custom': the share of every datasheet peak the engine reaches",
            label_html=f"Custom {tip('roofline')} efficiency (%)",
        ),
    ]
    return main + prices + engine


def compute(values: dict[str, str]):
    """The same call the CLI makes."""
    return estimate(
        values["model"],
        values["precision"],
        values["requests_per_day"],
        None if values["kv_precision"] == AUTO else values["kv_precision"],
        {s.key: values[s.key] for s in SPECS},
        gpu=values["gpu"],
        compliance=values["compliance"],
        volume=values["volume"],
        input_tokens=values["input_tokens"],
        output_tokens=values["output_tokens"],
        utilization_percent=values["utilization_percent"],
        horizon_years=values["horizon_years"],
        efficiency=values["efficiency"],
        efficiency_percent=values["efficiency_percent"],
        ttft_target_ms=values["ttft_target_ms"],
        tpot_target_ms=values["tpot_target_ms"],
        latency_percentile=values["latency_percentile"],
        peak_factor=values["peak_factor"],
        rates=values["rates"],
    )


def _raw(number) -> str | float:
    """data-value for a number that may be undefined (null in the CLI's JSON)."""
    return "" if number is None else number


def _months(number) -> str:
    return "never" if number is None else f"{format_value(number, 'number')} months"


def render(values: dict[str, str]) -> str:
    """Verdict, headline, reasons, the paths compared, the chart, the tree, the math and the sources."""
    e = compute(values)
    t, rec = e.tco, e.recommendation
    u_buy = t.breakeven_utilization
    verdict = (
        f'<div class="pg-cost-verdict pg-cost-{esc(rec)}"><span class="pg-k">Recommendation</span>'
        f"{value('recommendation', rec, LABELS[rec])}</div>"
    )
    head = headline(
        stat("GPUs needed", "gpus_needed", e.gpus, format_int(e.gpus)),
        *_latency_stats(e),
        stat(
            f"{esc(LABELS[rec])}, per month",
            f"monthly_usd.{rec}",
            t.paths[rec].monthly_usd,
            format_usd(t.paths[rec].monthly_usd),
        ),
        stat(
            "Per 1M tokens",
            f"usd_per_million_tokens.{rec}",
            t.paths[rec].usd_per_million_tokens,
            format_usd_per_million_tokens(t.paths[rec].usd_per_million_tokens),
        ),
        stat(
            f"{tip('breakeven', 'Breakeven')} vs on-demand",
            "breakeven_months",
            _raw(t.paths["on_demand"].breakeven_months),
            _months(t.paths["on_demand"].breakeven_months),
        ),
        stat(
            "Buying pays above",
            "breakeven_utilization",
            _raw(u_buy),
            "never" if u_buy is None or u_buy > 1 else format_percent(u_buy),
        ),
    )
    reasons = '<ul class="pg-cost-reasons">' + "".join(f"<li>{esc(r)}</li>" for r in e.reasons) + "</ul>"
    notes = "".join(notice(n, "warn") for n in e.notes)
    return blocks(
        verdict,
        head,
        reasons,
        notes,
        _paths_table(e),
        f"<h4>Cumulative cost over {e.horizon_years} year{'s' * (e.horizon_years > 1)}</h4>",
        cumulative_chart(t),
        _breakeven_note(e),
        "<h4>The decision</h4>",
        decision_tree(e.tree, e.taken),
        _math(e),
        _replicas(e),
        _sources(e),
    )


def _latency_stats(e) -> list:
    """Achieved TTFT and TPOT at the peak, when targets were given."""
    lat = e.latency
    if lat is None:
        return []
    q = lat.percentile
    return [
        stat(f"{esc(q)} {tip('TTFT')} at peak", "ttft_s", lat.ttft_s, format_seconds(lat.ttft_s)),
        stat(f"{esc(q)} {tip('TPOT')} at peak", "tpot_s", lat.tpot_s, format_seconds(lat.tpot_s)),
    ]


def _paths_table(e) -> str:
    t, rows = e.tco, []
    for p in PATHS:
        c = t.paths[p]
        mark = " ◀" if p == e.recommendation else ""
        note = "" if c.eligible else " (term beyond horizon)"
        rows.append(
            [
                f'<span class="pg-swatch pg-cost-{p}-fill"></span> {esc(LABELS[p] + mark + note)}',
                value(f"monthly_usd.{p}", c.monthly_usd, format_usd(c.monthly_usd)),
                value(
                    f"usd_per_million_tokens.{p}",
                    c.usd_per_million_tokens,
                    format_usd_per_million_tokens(c.usd_per_million_tokens),
                ),
                value(f"horizon_usd.{p}", c.horizon_usd, format_usd(c.horizon_usd)),
                "—"
                if p == "buy"
                else value(f"breakeven_months_vs.{p}", _raw(c.breakeven_months), _months(c.breakeven_months)),
            ]
        )
    return "<h4>What each path costs</h4>" + table(
        ["Path", "Per month", "Per 1M tokens", f"{e.horizon_years}-year total", "Buying breaks even after"],
        rows,
        f"{format_int(e.gpus)} GPUs. Buying per month: amortised over "
        f"{format_value(t.prices['depreciation_years'].value, 'number')} years; in the total: paid up front.",
        cls="pg-cost-table pg-cost-paths",
    )


def _breakeven_note(e) -> str:
    t = e.tco
    even = t.paths["on_demand"].breakeven_months
    if t.breakeven_point is not None:
        return ""
    if even is None:
        text = "Renting on demand costs less each month than running owned GPUs: the lines never cross."
    elif even > t.depreciation_months:
        text = f"Buying would catch up with on-demand after {_months(even)}, beyond the hardware's life."
    else:
        text = f"Buying catches up with on-demand after {_months(even)}, beyond the {t.horizon_months}-month horizon."
    return f'<p class="pg-why">{esc(text)}</p>'


def _math(e) -> str:
    s, t = e.serving, e.tco
    c = s.chosen
    return (
        '<details open class="pg-cost-math"><summary>The math, step by step, with your numbers</summary>'
        + formula_block(s.memory_terms, "1 · Memory minimum: the fewest GPUs one copy of the model fits on")
        + formula_block(
            lambda: c.speed_terms,  # built on demand (ReplicaOption.speed_terms): only when the block is drawn
            f"2 · Speed of one {c.gpus_per_replica}-GPU replica ({s.efficiency} step time: decode and chunked "
            "prefill together)",
        )
        + formula_block(c.count_terms, "3 · GPUs for the volume")
        + (
            formula_block(
                e.latency.terms,
                f"3b · GPUs for the latency targets at the peak hour (simulated: each "
                f"{e.latency.chosen.gpus_per_replica}-GPU replica sustains "
                f"{format_count(e.latency.chosen.replica_request_rate)} requests/s within them)",
            )
            if e.latency
            else ""
        )
        + formula_block(t.terms["own"], "4 · Monthly cost of owning (amortised)")
        + formula_block(t.terms["rent"], "5 · Monthly cost of renting")
        + formula_block(t.terms["per_token"], "6 · Per million tokens, and over the horizon")
        + formula_block(t.terms["breakeven"], "7 · Breakeven and the utilization thresholds")
        + "</details>"
    )


def _replicas(e) -> str:
    s = e.serving
    rows = [
        [
            esc(f"{o.gpus_per_replica}{' ◀' if o is s.chosen else ''}"),
            esc(format_int(o.batch)),
            esc(format_rate(o.tokens_per_s, "tokens")),
            esc(format_rate(o.ideal_tokens_per_s, "tokens")),
            esc(format_rate(o.tokens_per_s_per_gpu, "tokens")),
            esc(f"{format_int(o.replicas)} → {format_int(o.gpus)} GPUs"),
        ]
        for o in s.options
    ]
    caption = (
        f"From the memory minimum ({s.memory_min_gpus} GPU) upward: more GPUs per replica hold more KV cache, so "
        f"a bigger batch (vLLM caps it at {format_int(s.max_num_seqs)}). Kept: the fewest GPUs in total."
    )
    return (
        "<details><summary>Replica sizes tried</summary>"
        + table(
            ["GPUs / replica", "Batch", f"Tokens/s ({s.efficiency})", "Ideal roofline", "Per GPU", "Replicas"],
            rows,
            caption,
            cls="pg-cost-table",
        )
        + f'<p class="pg-why">Volume: {esc(format_count(s.tokens_per_day))} tokens/day. {esc(s.memory_reason)}</p>'
        + "</details>"
    )


def _sources(e) -> str:
    rows = []
    for p in e.tco.prices.values():
        where = "your input" if not p.default else p.what + (f" — {p.source}" if p.source else "")
        flag = " <em>(unverified)</em>" if p.default and p.unverified else ""
        rows.append(
            [
                esc(p.label),
                esc(p.text),
                esc(where) + flag,
                esc(p.as_of or "—"),
            ]
        )
    return (
        "<details><summary>Prices used and their sources</summary>"
        + table(
            ["Price", "Value", "Source", "As of"],
            rows,
            "Defaults are dated; every one can be overridden above",
            cls="pg-cost-table pg-cost-sources",
        )
        + "</details>"
    )


def markdown(values: dict[str, str]) -> str:
    """The decision as Markdown: the paths compared, the recommendation and its reasons."""
    e = compute(values)
    t = e.tco
    lines = [
        f"**Buy vs rent: {LABELS[e.recommendation]}** ({format_int(e.gpus)} x {e.serving.gpu.name})",
        "",
        f"| Path | Per month | Per 1M tokens | {e.horizon_years}-year total |",
        "|---|---|---|---|",
    ]
    for p in PATHS:
        c = t.paths[p]
        lines.append(
            f"| {LABELS[p]} | {format_usd(c.monthly_usd)} | {format_usd_per_million_tokens(c.usd_per_million_tokens)} "
            f"| {format_usd(c.horizon_usd)} |"
        )
    lines += ["", *(f"- {r}" for r in (*e.reasons, *e.notes)), ""]
    return "\n".join(lines)
