"""Section 1 widget: the VRAM calculator (weights + KV cache + overhead -> GPUs)."""

from playground.capacity import capacity
from playground.gpus import GPUS
from playground.precision import KV_PRECISION_IDS, PRECISIONS, get_precision
from playground.recommend import plan
from playground.units import format_bytes, format_count, format_int

from .html import blocks, esc, formula_block, headline, notice, stacked_bar, stat, table, tip, value
from .model_input import config_field, model_field, resolve
from .widget import Field

NAME = "vram"
TITLE = "VRAM calculator"
GPU_COUNTS = ("auto", "1", "2", "4", "8", "16", "32", "64", "128")


def fields() -> list[Field]:
    """Model, precisions, users, context, GPU and the bring-your-own config."""
    gpus = [("recommend", "Recommend for me")] + [(g.id, g.name) for g in GPUS]
    return [
        model_field("llama-3.1-70b", byo=True),
        Field("precision", "Weights precision", "select", "bf16", options=tuple((p.id, p.name) for p in PRECISIONS)),
        Field(
            "kv_precision",
            "KV cache precision",
            "select",
            "auto",
            options=(
                ("auto", "Default: 16-bit (FP32 if weights are FP32)"),
                *((k, get_precision(k).name) for k in KV_PRECISION_IDS),
            ),
            label_html=f"{tip('KV cache')} precision",
        ),
        Field(
            "users",
            "Concurrent users",
            "number",
            "16",
            min=1,
            max=10**7,
            step="1",
            help="requests generating at the same time",
        ),
        Field(
            "context",
            "Context per user (tokens)",
            "number",
            "8192",
            min=1,
            max=10**7,
            step="1",
            help="prompt + output, per request",
        ),
        Field("gpu", "GPU", "select", "recommend", options=tuple(gpus)),
        Field(
            "gpus",
            "GPUs for the capacity check",
            "select",
            "auto",
            options=tuple((c, "As recommended" if c == "auto" else f"{c} GPUs") for c in GPU_COUNTS),
        ),
        config_field(),
    ]


def compute(values: dict[str, str]):
    """Estimate, recommendation, GPU comparison and capacity: the same calls the CLI makes."""
    model, label = resolve(values)
    kv = None if values["kv_precision"] == "auto" else values["kv_precision"]
    gpu = None if values["gpu"] == "recommend" else values["gpu"]
    sized = plan(model, values["precision"], values["users"], values["context"], kv, gpu)
    est, rec = sized.estimate, sized.recommendation
    count = rec.gpu_count if values["gpus"] == "auto" else int(values["gpus"])
    cap = capacity(model, rec.gpu, max(count, 1), values["precision"], kv, est.context_tokens, est.users)
    return label, est, rec, sized.comparison, cap


def _verdict(rec) -> str:
    if not rec.fits:
        return "Does not fit"
    if rec.fits_single_gpu:
        return "Fits one GPU"
    return "Fits one node" if rec.fits_single_node else "Needs multi-node parallelism"


def render(values: dict[str, str]) -> str:
    """The results: totals, bar, recommendation, formulas, GPU comparison, capacity."""
    label, est, rec, fits, cap = compute(values)
    head = headline(
        stat("Total", "total_bytes", est.total_bytes, format_bytes(est.total_bytes)),
        stat("Weights", "weights_bytes", est.weights_bytes, format_bytes(est.weights_bytes)),
        stat(tip("KV cache"), "kv_cache_bytes", est.kv_cache_bytes, format_bytes(est.kv_cache_bytes)),
        stat("Overhead", "overhead_bytes", est.overhead_bytes, format_bytes(est.overhead_bytes)),
    )
    bar = stacked_bar(
        [
            ("weights", est.weights_bytes, f"Weights {format_bytes(est.weights_bytes)}", "pg-weights"),
            ("kv", est.kv_cache_bytes, f"KV cache {format_bytes(est.kv_cache_bytes)}", "pg-kv"),
            *(
                [("state", est.state_bytes, f"Fixed state {format_bytes(est.state_bytes)}", "pg-kv")]
                if est.state_bytes
                else []
            ),
            ("overhead", est.overhead_bytes, f"Overhead {format_bytes(est.overhead_bytes)}", "pg-overhead"),
        ],
        f"Memory: {format_bytes(est.total_bytes)} in total",
    )
    ok = "pg-ok" if rec.fits and rec.fits_single_node else "pg-bad"
    gpus_text = f"{rec.gpu_count:,} × {rec.gpu.name}" + (f" in {rec.nodes:,} nodes" if rec.nodes > 1 else "")
    verdict = (
        f'<p><span class="pg-verdict {ok}">{esc(_verdict(rec))}</span> · '
        f"{value('gpu_count', rec.gpu_count, gpus_text)} "
        f"<span hidden>{value('gpu', rec.gpu.id, rec.gpu.id)}{value('nodes', rec.nodes, str(rec.nodes))}</span><br>"
        f'<span class="pg-why">{esc(rec.reason)}</span></p>'
    )
    params = value("params_total", est.params_total, format_count(est.params_total))
    active = value("params_active", est.params_active, format_count(est.params_active))
    per_token = value("kv_bytes_per_token", est.kv_bytes_per_token, format_bytes(est.kv_bytes_per_token, "KiB"))
    per_seq = value(
        "state_bytes_per_sequence", est.state_bytes_per_sequence, format_bytes(est.state_bytes_per_sequence)
    )
    state_all = value("state_bytes", est.state_bytes, format_bytes(est.state_bytes))
    state_line = (
        f" Linear-attention / Mamba layers keep {per_seq} of {tip('fixed state')} per sequence instead of a KV "
        f"cache: {state_all} for {format_int(est.users)} users, whatever the context."
        if est.state_bytes_per_sequence
        else f"<span hidden>{per_seq}{state_all}</span>"
    )
    model_line = (
        f'<p class="pg-why">{esc(label)}: {params} parameters ({active} active per token), '
        f"{esc(est.arch.attention_kind.upper())} attention ({esc(est.arch.layer_summary())}), {per_token} of KV "
        f"cache per token at {esc(est.kv_precision.upper())}.{state_line}</p>"
    )
    warnings = "".join(notice(w, "warn") for w in est.warnings)
    return blocks(
        head,
        bar,
        verdict,
        model_line,
        warnings,
        "<details open><summary>The math, with your numbers</summary>"
        + formula_block(list(est.terms) + list(rec.terms))
        + "</details>",
        _comparison(fits, rec),
        _capacity(cap),
    )


def _comparison(fits, rec) -> str:
    rows = []
    for f in fits:
        mark = " ◀" if f.gpu.id == rec.gpu.id else ""
        count = f"{f.gpu_count:,}" if f.fits else "—"
        where = (
            "—"
            if not f.fits
            else "1 GPU"
            if f.fits_single_gpu
            else "1 node"
            if f.fits_single_node
            else f"{f.nodes:,} nodes"
        )
        rows.append(
            [
                esc(f.gpu.name + mark),
                count,
                esc(where),
                esc(format_bytes(f.need_per_gpu_bytes)),
                esc(format_bytes(f.budget_per_gpu_bytes)),
            ]
        )
    return "<h4>How many of each GPU</h4>" + table(
        ["GPU", "GPUs", "Fits in", "Needed per GPU", "Budget per GPU"],
        rows,
        "Same model and load on every GPU type (budget = vLLM's utilization × usable memory)",
    )


def _capacity(cap) -> str:
    title = f"<h4>The inverse question: what do {cap.gpus:,} × {esc(cap.gpu.name)} hold?</h4>"
    body = (
        title
        + headline(
            stat("KV pool", "kv_pool_bytes", cap.kv_pool_bytes, format_bytes(cap.kv_pool_bytes)),
            stat("KV tokens", "kv_tokens", cap.kv_tokens, format_int(cap.kv_tokens)),
            stat(
                f"Users at {format_int(cap.context_tokens)} tokens",
                "max_users",
                cap.max_users,
                format_int(cap.max_users),
            ),
            stat(
                f"Context for {format_int(cap.users)} users",
                "max_context",
                cap.max_context,
                format_int(cap.max_context),
            ),
        )
        + f'<p class="pg-why">{esc(cap.reason)}</p>'
    )
    return body + "<details><summary>Capacity math (vLLM's way)</summary>" + formula_block(cap.terms) + "</details>"


def markdown(values: dict[str, str]) -> str:
    """The result as a Markdown table with its formulas, for a design doc."""
    label, est, rec, _, cap = compute(values)
    rows = [
        ("Model", label),
        ("Weights precision", est.precision.upper()),
        ("KV precision", est.kv_precision.upper()),
        ("Users x context", f"{est.users:,} x {est.context_tokens:,} tokens"),
        ("Weights", format_bytes(est.weights_bytes)),
        ("KV cache", format_bytes(est.kv_cache_bytes)),
        *([("Fixed state (linear attention / Mamba)", format_bytes(est.state_bytes))] if est.state_bytes else []),
        ("Overhead", format_bytes(est.overhead_bytes)),
        ("Total", format_bytes(est.total_bytes)),
        ("Recommendation", f"{rec.gpu_count} x {rec.gpu.name}, {rec.nodes} node(s): {_verdict(rec)}"),
        (f"Capacity of {cap.gpus} x {cap.gpu.name}", f"{cap.kv_tokens:,} KV tokens, {cap.max_users:,} users"),
    ]
    lines = ["| | |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows), "", "Formulas:", ""]
    lines += [f"- `{t.plugged()}`" for t in (*est.terms, *rec.terms)]
    return "\n".join(lines) + "\n"
