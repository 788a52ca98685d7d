"""Section 3 widget: the parallelism strategy visualizer (TP, PP, DP, EP for N GPUs, with the reasons)."""

from playground.gpus import GPUS
from playground.parallel import plan
from playground.performance import accuracy_text
from playground.precision import PRECISIONS
from playground.splits import (
    DEFAULT_CONTEXT_TOKENS,
    DEFAULT_GPU,
    DEFAULT_MICRO_BATCHES,
    DEFAULT_USERS,
    MAX_GPUS,
    MAX_MICRO_BATCHES,
)
from playground.units import format_bytes, format_percent, format_rate, format_seconds
from playground.vram import MAX_CONTEXT_TOKENS, MAX_USERS

from . import parallel_svg as svg
from .html import blocks, deferred, esc, formula_block, headline, stacked_bar, stat, table, tip, value
from .model_input import model_field
from .widget import Field

NAME = "parallel"
TITLE = "Parallelism strategy visualizer"
STRATEGY_NAMES = {
    "recommended": "Recommended",
    "tp": "Tensor parallel only",
    "pp": "Pipeline parallel only",
    "dp": "Data parallel only",
    "ep": "Expert parallel (option)",
}


def fields() -> list[Field]:
    """Model, precision, GPU type and count, load, and the pipeline's micro-batches."""
    gpus = [(g.id, g.name, "PCIe only" if g.pcie_only else "Scale-up link (NVLink, Infinity Fabric, …)") for g in GPUS]
    gpus.sort(key=lambda o: o[2] == "PCIe only")  # stable: catalog order inside each group
    return [
        model_field("llama-3.1-70b"),
        Field("precision", "Weights precision", "select", "bf16", options=tuple((p.id, p.name) for p in PRECISIONS)),
        Field("gpu", "GPU", "select", DEFAULT_GPU, options=tuple(gpus)),
        Field(
            "gpus", "GPU count", "number", "8", min=1, max=MAX_GPUS, step="1", help=f"1 to {MAX_GPUS:,}, in any nodes"
        ),
        Field(
            "users",
            "Concurrent users",
            "number",
            str(DEFAULT_USERS),
            min=1,
            max=MAX_USERS,
            step="1",
            help="across all replicas",
        ),
        Field(
            "context",
            "Context per user (tokens)",
            "number",
            str(DEFAULT_CONTEXT_TOKENS),
            min=1,
            max=MAX_CONTEXT_TOKENS,
            step="1",
            help="prompt + output",
        ),
        Field(
            "micro_batches",
            "Pipeline micro-batches",
            "number",
            str(DEFAULT_MICRO_BATCHES),
            min=1,
            max=MAX_MICRO_BATCHES,
            step="1",
            help="a batch is cut into m pieces",
            label_html=f"{tip('pipeline parallelism', 'Pipeline')} micro-batches",
        ),
    ]


def compute(values: dict[str, str]):
    """The plan for these inputs: the same call the CLI makes."""
    return plan(
        values["model"],
        values["gpus"],
        values["gpu"],
        values["precision"],
        values["micro_batches"],
        values["users"],
        values["context"],
    )


def _bytes(key: str, raw: float) -> str:
    return value(key, raw, format_bytes(raw))


def render(values: dict[str, str]) -> str:
    """Headline split, verdict, reasons, diagrams, comparison, link times and the formulas."""
    p = compute(values)
    s, r = p.setup, p.recommended
    stats = [
        stat(tip("tensor parallelism", "Tensor parallel"), "tp", r.tp, f"TP {r.tp}"),
        stat(tip("pipeline parallelism", "Pipeline stages"), "pp", r.pp, f"PP {r.pp}"),
        stat(tip("data parallelism", "Replicas"), "dp", r.dp, f"DP {r.dp}"),
    ]
    if s.arch.is_moe:
        stats.append(stat(tip("expert parallelism", "Expert parallel (option)"), "ep", p.ep, f"EP {p.ep}"))
    stats += [
        stat("Memory per GPU", "per_gpu_bytes", r.per_gpu_bytes, format_bytes(r.per_gpu_bytes)),
        stat("Link time per step", "comm_time_s", r.comm_time_s, format_seconds(r.comm_time_s)),
    ]
    ok = "pg-ok" if r.fits else "pg-bad"
    where = f"{s.gpus:,} × {s.gpu.name} in {p.nodes:,} node(s) of {s.node}"
    verdict = (
        f'<p class="pg-par-verdict"><span class="pg-verdict {ok}">{"Fits" if r.fits else "Does not fit"}</span> · '
        f"{_bytes('per_gpu_bytes_verdict', r.per_gpu_bytes)} of the "
        f"{_bytes('budget_per_gpu_bytes', s.budget.value)} vLLM may use per GPU · {esc(where)}"
        f"<span hidden>{value('fits', 'true' if r.fits else 'false', str(r.fits))}"
        f"{value('idle_gpus', p.idle_gpus, str(p.idle_gpus))}"
        f"{value('users_per_replica', r.users_per_replica, str(r.users_per_replica))}"
        f"{value('experts_per_gpu', p.experts_per_gpu, str(p.experts_per_gpu))}</span></p>"
    )
    reasons = '<ol class="pg-par-reasons">' + "".join(f"<li>{esc(x)}</li>" for x in p.reasons) + "</ol>"
    parts = [
        ("weights", r.weights_per_gpu_bytes, f"Weights {format_bytes(r.weights_per_gpu_bytes)}", "pg-weights"),
        ("kv", r.kv_per_gpu_bytes, f"KV cache {format_bytes(r.kv_per_gpu_bytes)}", "pg-kv"),
        ("overhead", r.overhead_per_gpu_bytes, f"Engine {format_bytes(r.overhead_per_gpu_bytes)}", "pg-overhead"),
    ]
    if p.headroom_bytes > 0:
        free = f"Left for more KV cache {format_bytes(p.headroom_bytes)}"
        parts.append(("free", p.headroom_bytes, free, "pg-par-free"))
    bar = stacked_bar(
        parts,
        f"Memory per GPU: {format_bytes(r.per_gpu_bytes)} of a {format_bytes(s.budget.value)} budget",
    )
    hidden = (
        f"<span hidden>{_bytes('weights_per_gpu_bytes', r.weights_per_gpu_bytes)}"
        f"{_bytes('kv_per_gpu_bytes', r.kv_per_gpu_bytes)}"
        f"{_bytes('overhead_per_gpu_bytes', r.overhead_per_gpu_bytes)}"
        f"{_bytes('comm_bytes_per_step', r.comm_bytes_per_step)}{_bytes('headroom_bytes', p.headroom_bytes)}"
        f"{value('bubble_fraction', r.bubble_fraction, format_percent(r.bubble_fraction))}</span>"
    )
    # The diagrams are drawn just after the keystroke's frame (deferred): the numbers above come first.
    layout = deferred("pg-par-placement", lambda: _layout(p, where))
    return blocks(
        headline(*stats),
        verdict,
        reasons,
        "<h4>Memory per GPU, recommended split</h4>",
        bar,
        hidden,
        layout,
        deferred("pg-par-strategies", lambda: f'<div class="pg-par-strategies">{_strategies(p)}</div>'),
        _comparison(p),
        _links(p),
        "<details><summary>The math, with your numbers</summary>" + formula_block(list(p.terms)) + "</details>",
    )


def _layout(p, where: str) -> str:
    return (
        '<div class="pg-par-placement"><figure class="pg-par-fig pg-par-wide">'
        + svg.layout(p)
        + f"<figcaption>{esc(p.recommended.label)} on {esc(where)}. Each colour is one replica; a cyan bar joins "
        "a tensor-parallel group inside a node's scale-up link; orange links are network hops.</figcaption>"
        "</figure></div>"
    )


def _figure(svg_html: str, title: str, caption: str) -> str:
    caption = f"<figcaption><strong>{esc(title)}.</strong> {caption}</figcaption>"
    return f'<figure class="pg-par-fig">{svg_html}{caption}</figure>'


def _strategies(p) -> str:
    s, r = p.setup, p.recommended
    ref = p.tp_reference
    figures = []
    if ref is not None:
        figures.append(
            _figure(
                svg.tensor(p),
                f"Tensor parallel ({ref.label})",
                f"Every layer's weight matrices are cut {ref.tp} ways; after attention and after the MLP the "
                f"partial results are all-reduced: {p.allreduces_per_step} all-reduces and "
                f"{esc(format_bytes(p.tp_bytes_per_step))} sent per GPU per decode step.",
            )
        )
    else:
        figures.append(_figure(svg.tensor(p), "Tensor parallel", "Needs at least two GPUs."))
    pp = r if r.pp > 1 else p.strategy("pp")
    pp_text = (
        f"Consecutive layers on consecutive GPUs; a batch cut into {s.micro_batches} micro-batches flows through "
        f"{pp.pp} stages, idle {esc(format_percent(pp.bubble_fraction))} of the time. Each hand-off sends "
        f"{esc(format_bytes(pp.pp_bytes_per_hop))}."
        if pp.valid and pp.pp > 1
        else esc(pp.note or "Needs at least two GPUs.")
    )
    figures.append(_figure(svg.pipeline(p), f"Pipeline parallel ({pp.label})", pp_text))
    dp = r if r.dp > 1 else p.strategy("dp")
    fits = "fits" if dp.fits else "does not fit"
    figures.append(
        _figure(
            svg.data(p),
            f"Data parallel ({dp.label})",
            f"Full copies serve different requests and never talk per token: "
            f"{esc(format_bytes(dp.per_gpu_bytes))} per GPU, which {fits}.",
        )
    )
    ep = p.strategy("ep")
    if ep is not None:
        text = (
            f"Whole experts spread over {ep.ep} GPUs ({ep.experts_per_gpu} on each); every MoE layer sends each token "
            f"to its top-{s.arch.num_experts_per_tok} experts and back: {esc(format_bytes(ep.comm_bytes_per_step))} "
            "per GPU per step, attention all-reduces included."
            if ep.valid
            else esc(ep.note)
        )
        figures.append(_figure(svg.experts(p), f"Expert parallel ({ep.label})", text))
    return '<h4>Each strategy on these GPUs</h4><div class="pg-par-grid">' + "".join(figures) + "</div>"


def _comparison(p) -> str:
    rows = []
    for x in p.strategies:
        k = x.key
        if not x.valid:
            rows.append([esc(STRATEGY_NAMES[k]), esc(x.label), "—", "—", "—", "—", "—", "—", esc(x.note)])
            continue
        rows.append(
            [
                esc(STRATEGY_NAMES[k]) + (" ◀" if k == "recommended" else ""),
                esc(x.label),
                _bytes(f"{k}.weights_per_gpu_bytes", x.weights_per_gpu_bytes),
                _bytes(f"{k}.kv_per_gpu_bytes", x.kv_per_gpu_bytes),
                _bytes(f"{k}.per_gpu_bytes", x.per_gpu_bytes)
                + (' <span class="pg-ok">✓</span>' if x.fits else ' <span class="pg-bad">✗</span>'),
                _bytes(f"{k}.comm_bytes_per_step", x.comm_bytes_per_step),
                value(f"{k}.comm_time_s", x.comm_time_s, format_seconds(x.comm_time_s)),
                value(f"{k}.bubble_fraction", x.bubble_fraction, format_percent(x.bubble_fraction)),
                esc(x.note or " + ".join(x.links)),
            ]
        )
    return "<h4>The same GPUs, every way</h4>" + _scroller(
        "Strategy comparison",
        table(
            [
                "Strategy",
                "Split",
                "Weights / GPU",
                "KV / GPU",
                "Total / GPU",
                "Sent / GPU / step",
                "Link time",
                "Bubble",
                "Via",
            ],
            rows,
            f"Same model, load and {p.setup.gpus:,} GPUs; memory against a {format_bytes(p.setup.budget.value)} "
            "budget per GPU; traffic per decode step (bandwidth only)",
            "pg-par-table",
        ),
    )


def _scroller(label: str, html: str) -> str:
    """A wide table in a keyboard-focusable scroll box (a phone scrolls it sideways; axe wants it reachable)."""
    return f'<div class="pg-par-scroll" tabindex="0" role="region" aria-label="{esc(label)}">{html}</div>'


def _links(p) -> str:
    ref = p.tp_reference
    if ref is None:
        return ""
    rows = [
        [
            esc(lt.link.name),
            esc(format_bytes(lt.link.bytes_per_s) + "/s"),
            value(f"link.{i}.time_s", lt.time_s, format_seconds(lt.time_s)),
            f'<a href="{esc(lt.link.source)}" rel="noopener">datasheet</a>'
            if lt.link.source.startswith("http")
            else esc(lt.link.source),
        ]
        for i, lt in enumerate(p.link_times)
    ]
    head = (
        f'<h4>The same all-reduces on each link</h4><p class="pg-why">At TP {ref.tp} ({esc(ref.label)}), a decode '
        f"step runs {value('allreduces_per_step', p.allreduces_per_step, str(p.allreduces_per_step))} all-reduces, "
        f"two per layer. Per layer they carry {_bytes('tp_bytes_per_layer', p.tp_bytes_per_layer)}, of which each "
        f"GPU sends {_bytes('tp_ring_bytes_per_layer', p.tp_ring_bytes_per_layer)} around the ring: "
        f"{_bytes('tp_bytes_per_step', p.tp_bytes_per_step)} per GPU per step. The step itself (streaming weights "
        f"and KV cache) takes about {value('decode_step_s', p.decode_step_s, format_seconds(p.decode_step_s))}. "
        "Each all-reduce also pays a fixed latency of microseconds that these bandwidth times leave out. "
        f"As engines run it (calibrated: {esc(accuracy_text())}), the recommended split's whole step, "
        f"communication included, takes {_real_step(p)} and all replicas decode {_real_rate(p)}.</p>"
    )
    links = table(["Link", "Bandwidth (both ways)", "Time per step", "Source"], rows, "", "pg-par-links")
    return head + _scroller("All-reduce time per link", links)


def _real_step(p) -> str:
    return value("calibrated_step_s", p.calibrated_step_s, format_seconds(p.calibrated_step_s))


def _real_rate(p) -> str:
    real = value("calibrated_tokens_per_s", p.calibrated_tokens_per_s, format_rate(p.calibrated_tokens_per_s, "tokens"))
    bound = value("ideal_tokens_per_s", p.ideal_tokens_per_s, format_rate(p.ideal_tokens_per_s, "tokens"))
    return f"{real} (ideal roofline: {bound})"


def markdown(values: dict[str, str]) -> str:
    """The recommendation, reasons and comparison as Markdown, for a design doc."""
    p = compute(values)
    s, r = p.setup, p.recommended
    lines = [
        f"**{s.name} on {s.gpus} x {s.gpu.name}** ({s.precision.id}, {s.users:,} users x {s.context_tokens:,} tokens)",
        "",
        f"Recommended: **{r.label}**, {format_bytes(r.per_gpu_bytes)} per GPU "
        f"({'fits' if r.fits else 'does not fit'}).",
        "",
        *(f"- {x}" for x in p.reasons),
        "",
        "| Strategy | Split | Per GPU | Fits | Sent per GPU per step | Link time | Bubble |",
        "|---|---|---|---|---|---|---|",
    ]
    for x in p.strategies:
        if x.valid:
            lines.append(
                f"| {STRATEGY_NAMES[x.key]} | {x.label} | {format_bytes(x.per_gpu_bytes)} "
                f"| {'yes' if x.fits else 'no'} | {format_bytes(x.comm_bytes_per_step)} "
                f"| {format_seconds(x.comm_time_s)} | {format_percent(x.bubble_fraction)} |"
            )
        else:
            lines.append(f"| {STRATEGY_NAMES[x.key]} | {x.label} | — | — | — | — | {x.note} |")
    lines += ["", "Formulas:", "", *(f"- `{t.plugged()}`" for t in p.terms)]
    return "\n".join(lines) + "\n"
