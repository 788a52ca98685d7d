"""Section 2 widget: the quantization trade-off explorer (memory, speed, quality, and one weight's bits)."""

import functools

from playground.gpus import GPUS
from playground.performance import accuracy_text
from playground.precision import KV_PRECISION_IDS, get_precision
from playground.quality import CAUTION_MAX_LOSS, EVIDENCE, SAFE_MAX_LOSS, level_for
from playground.quantization import FORMATS, explore, get_format
from playground.units import format_bytes, format_count, format_flops, format_int, format_percent, format_rate

from .html import blocks, esc, formula_block, headline, notice, stat, table, tip, value
from .model_input import CUSTOM, config_field, model_field, resolve
from .quantize_bits import bits_section
from .widget import Field

NAME = "quantize"
TITLE = "Quantization trade-off explorer"
GPU_COUNTS = ("auto", "1", "2", "4", "8", "16", "32", "64")
FAMILIES = {"serving": "GPU serving (vLLM, TensorRT-LLM)", "gguf": "llama.cpp (GGUF)"}


def fields() -> list[Field]:
    """Model, the format to explain, GPU, batch, context, KV cache, and the weight whose bits are shown."""
    return [
        model_field("llama-3.1-8b", byo=True),
        Field(
            "precision",
            "Format to explain",
            "select",
            "int4",
            options=tuple((f.id, f.label, FAMILIES[f.family]) for f in FORMATS),
        ),
        Field("gpu", "GPU", "select", "h100-sxm", options=tuple((g.id, g.name) for g in GPUS)),
        Field(
            "gpus",
            "GPUs",
            "select",
            "auto",
            options=tuple(
                (c, "Fewest that fit each format" if c == "auto" else f"{c} for every format") for c in GPU_COUNTS
            ),
        ),
        Field("batch", "Batch size", "number", "1", min=1, max=100_000, step="1", help="sequences decoded together"),
        Field(
            "context",
            "Context per sequence (tokens)",
            "number",
            "4096",
            min=1,
            max=10**7,
            step="1",
            help="prompt + output so far",
        ),
        Field(
            "kv_precision",
            "KV cache precision",
            "select",
            "bf16",
            options=tuple((k, get_precision(k).name) for k in KV_PRECISION_IDS),
            label_html=f"{tip('KV cache')} precision",
        ),
        Field("value", "Example weight (bits below)", "number", "0.1", help="any number, e.g. 0.1, -2.5 or 3e-5"),
        Field(
            "scheme",
            "INT8/INT4 scale",
            "select",
            "absmax",
            options=(("absmax", "absmax (symmetric)"), ("zeropoint", "zero point (asymmetric)")),
        ),
        config_field(),
    ]


def _key(values: dict[str, str]) -> tuple[str, ...]:
    """The inputs the exploration reads (a pasted config only when it is the model): not the example weight."""
    config = values.get("config", "") if values["model"] == CUSTOM else ""
    return (values["model"], config, *(values[k] for k in ("gpu", "batch", "context", "kv_precision", "gpus")))


@functools.lru_cache(maxsize=4)
def _resolved(model: str, config: str):
    return resolve({"model": model, "config": config})


@functools.lru_cache(maxsize=16)  # typing the example weight re-renders the page; the exploration stays
def _explore(model: str, config: str, gpu: str, batch: str, context: str, kv_precision: str, gpus: str):
    return explore(_resolved(model, config)[0], gpu, batch, context, kv_precision, gpus)


def compute(values: dict[str, str]):
    """The engine's exploration and the format to explain: the same call the CLI makes."""
    key = _key(values)
    _, label = _resolved(*key[:2])
    selected = get_format(values["precision"])
    e = _explore(*key)
    return label, e, e.row(selected.id)


def _chip(level: str, text: str) -> str:
    return f'<span class="pg-q-rate pg-q-{esc(level)}">{esc(text)}</span>'


def _speed(key: str, rate: float) -> str:
    return value(key, rate, format_rate(rate, "tokens"))


def _ideal(key: str, rate: float) -> str:
    return f'<br><span class="pg-why">ideal {value(key, rate, format_rate(rate, "tokens"))}</span>'


def _pct(part: float, whole: float) -> str:
    """A CSS width: the bar's share of the longest bar (drawing only; every number shown is the engine's)."""
    return f"{100 * part / whole:.2f}%"


def _bars(e, selected) -> str:
    """Weights + the batch's KV cache per format, as horizontal bars scaled to the largest."""
    largest = max(r.memory_bytes for r in e.rows)
    rows = []
    for r in e.rows:
        sel = " pg-q-sel" if r is selected else ""
        rows.append(
            f'<div class="pg-q-bar-row{sel}"><span class="pg-q-bar-label">{esc(r.format.label)}</span>'
            f'<span class="pg-q-bar-track">'
            f'<span class="pg-seg pg-weights" style="width:{_pct(r.weights_bytes, largest)}"></span>'
            f'<span class="pg-seg pg-kv" style="width:{_pct(e.kv_cache_bytes, largest)}"></span></span>'
            f'<span class="pg-q-bar-value">{esc(format_bytes(r.weights_bytes))}</span>'
            f"{_chip(r.rating.level, r.rating.label.split()[0])}</div>"
        )
    label = "Weight memory per format: " + ", ".join(
        f"{r.format.label} {format_bytes(r.weights_bytes)}" for r in e.rows
    )
    legend = (
        '<ul class="pg-legend"><li><span class="pg-swatch pg-weights"></span>Weights</li>'
        f'<li><span class="pg-swatch pg-kv"></span>KV cache of the batch: {esc(format_bytes(e.kv_cache_bytes))} '
        f"at {esc(e.kv_precision.upper())}, the same for every weight format</li></ul>"
    )
    return f'<div class="pg-q-bars" role="img" aria-label="{esc(label)}">{"".join(rows)}</div>{legend}'


def _table(e, selected) -> str:
    rows = []
    for r in e.rows:
        f = r.format
        gpus = value(f"{f.id}.gpus", r.gpus, format_int(r.gpus))
        if not r.fits:
            need = f"needs {r.gpus_needed:,}" if r.gpus_needed else "never fits"
            gpus += f' <span class="pg-bad">({esc(need)})</span>'
        bound = ' <span class="pg-why">compute-bound</span>' if r.decode.bound == "compute" else ""
        name = f"<strong>{esc(f.label)}</strong> ◀" if r is selected else esc(f.label)
        rows.append(
            [
                name + ('<br><span class="pg-why">weight-only</span>' if r.weight_only else ""),
                value(f"{f.id}.effective_bits", f.effective_bits, f"{f.effective_bits:.4g}"),
                value(f"{f.id}.weights_bytes", r.weights_bytes, format_bytes(r.weights_bytes)),
                gpus,
                _speed(f"{f.id}.calibrated_decode_tokens_per_s", r.calibrated.decode_tokens_per_s)
                + _ideal(f"{f.id}.decode_tokens_per_s", r.decode.tokens_per_s)
                + bound,
                _speed(f"{f.id}.calibrated_prefill_tokens_per_s", r.calibrated.prefill_tokens_per_s)
                + _ideal(f"{f.id}.prefill_tokens_per_s", r.prefill.tokens_per_s),
                _chip(r.rating.level, r.rating.label)
                + f"<span hidden>{value(f'{f.id}.rating', r.rating.level, r.rating.level)}</span>",
            ]
        )
    on = "the GPUs each format needs" if e.gpus is None else f"{e.gpus:,} × {e.gpu.name} for every format"
    return table(
        ["Format", "Bits / weight", "Weights", "GPUs", "Decode", "Prefill", "Quality"],
        rows,
        f"{e.gpu.name}, batch {e.batch:,}, {e.context_tokens:,} tokens per sequence, on {on}. Speeds are "
        f"calibrated on measured engines ({accuracy_text()}); under each, the ideal roofline (upper bound)",
        cls="pg-q-table",
    )


def _why_int4(e) -> str:
    """Why weight-only INT4 speeds up decode but not prefill, with this model's numbers."""
    int4, bf16, fp8 = e.row("int4"), e.row("bf16"), e.row("fp8")
    where = "" if int4.gpus == bf16.gpus else f" (INT4 on {int4.gpus:,} GPU(s), BF16 on {bf16.gpus:,})"
    decode = (
        f"Decode streams every weight each step: INT4 reads {esc(format_bytes(int4.weights_bytes))} where BF16 "
        f"reads {esc(format_bytes(bf16.weights_bytes))}, so at batch {e.batch:,} INT4 decodes "
        f"{value('int4.decode_vs_bf16', int4.decode_vs_bf16, f'{int4.decode_vs_bf16:.2f}×')} as fast{esc(where)}. "
    )
    peak = format_flops(int4.prefill.peak_flops) + "/s"
    if fp8.prefill.compute_format == "fp8":
        w8 = f"FP8 (W8A8) multiplies in 8 bits on this GPU and prefills {fp8.prefill_vs_bf16:.2f}× as fast. "
    else:
        w8 = "This GPU has no FP8 tensor cores, so FP8 checkpoints run weight-only here too. "
    prefill = (
        "Prefill is compute-bound, and INT4 weights are unpacked to BF16 for every matmul, so INT4 prefills at the "
        f"BF16 peak ({esc(peak)} per GPU): "
        f"{value('int4.prefill_vs_bf16', int4.prefill_vs_bf16, f'{int4.prefill_vs_bf16:.2f}×')} BF16's rate. " + esc(w8)
    )
    if int4.ridge_batch is None:
        ridge = (
            f"At {e.context_tokens:,} tokens per sequence each sequence's KV cache outweighs its compute, so decode "
            "stays memory-bound at any batch, and as the batch grows the KV cache, not the weight format, sets the "
            "pace. Shorten the context to see weight-only INT4 turn compute-bound."
        )
    else:
        bf = f", BF16 above {format_int(bf16.ridge_batch)}" if bf16.ridge_batch else ""
        ridge = (
            f"Batching shares each weight read among the sequences: above batch "
            f"{value('int4.ridge_batch', int4.ridge_batch, format_int(int4.ridge_batch))} INT4 decode turns "
            f"compute-bound at the BF16 rate{esc(bf)}, and from there its edge shrinks while W8A8 formats keep theirs."
        )
    return f'<p class="pg-q-explain">{decode}{prefill}{ridge}</p>'


def _evidence(e) -> str:
    rows = []
    for ev in EVIDENCE:
        idle = ev.min_context_tokens and e.context_tokens < ev.min_context_tokens
        level = level_for(ev.loss_fraction)
        what = ("KV cache: " if ev.kv else "") + ", ".join(
            get_format(f).label if not ev.kv else get_precision(f).name for f in ev.formats
        )
        when = (
            f'<br><span class="pg-why">applies from {ev.min_context_tokens:,} tokens</span>'
            if ev.min_context_tokens
            else ""
        )
        rows.append(
            [
                esc(what) + when,
                _chip("idle" if idle else level, LEVELS_SHORT[level]),
                esc(ev.figure),
                esc(ev.setting),
                f'<a href="{esc(ev.url)}" rel="noopener">{esc(ev.cite)}</a>'
                f'<br><span class="pg-why">{esc(ev.date)}</span>',
            ]
        )
    thresholds = (
        f"Safe: at most {format_percent(SAFE_MAX_LOSS)} measured loss · Caution: at most "
        f"{format_percent(CAUTION_MAX_LOSS)} · Noticeable: more (accuracy for benchmarks, perplexity for llama.cpp)"
    )
    return table(["Formats", "Rating", "Measured", "Setting", "Source"], rows, thresholds, cls="pg-q-evidence")


LEVELS_SHORT = {"safe": "Safe", "caution": "Caution", "noticeable": "Noticeable"}


def render(values: dict[str, str]) -> str:
    """Headline for the chosen format, memory bars, the comparison table, the math, evidence and bits."""
    label, e, r = compute(values)
    bits = bits_section(values["value"], values["scheme"])
    math = formula_block([*e.terms, *r.terms, *(t for ev in r.rating.evidence for t in ev.terms)])
    above, opening, below = _around_math(_key(values), values["precision"])
    return blocks(*above, opening + math + "</details>", *below, bits)


@functools.lru_cache(maxsize=16)  # the example weight changes only the bits: the rest is drawn once per setup
def _around_math(key: tuple[str, ...], precision: str) -> tuple[tuple[str, ...], str, tuple[str, ...]]:
    """The page above and below the (deferred) formulas, which holds no deferred block itself."""
    label, e = _resolved(*key[:2])[1], _explore(*key)
    r = e.row(get_format(precision).id)
    f = r.format
    head = headline(
        stat(f"{esc(f.label)} weights", "weights_bytes", r.weights_bytes, format_bytes(r.weights_bytes)),
        stat("GPUs", "gpus", r.gpus, format_int(r.gpus)),
        stat(
            tip("Decode"),
            "calibrated_decode_tokens_per_s",
            r.calibrated.decode_tokens_per_s,
            format_rate(r.calibrated.decode_tokens_per_s, "tokens"),
            _ideal("decode_tokens_per_s", r.decode.tokens_per_s),
        ),
        stat(
            tip("Prefill"),
            "calibrated_prefill_tokens_per_s",
            r.calibrated.prefill_tokens_per_s,
            format_rate(r.calibrated.prefill_tokens_per_s, "tokens"),
            _ideal("prefill_tokens_per_s", r.prefill.tokens_per_s),
        ),
        stat("Quality", "rating", r.rating.level, r.rating.label),
    )
    summary = (
        f'<p class="pg-why">{esc(label)}: {esc(format_count(e.params_total))} parameters '
        f"({esc(format_count(e.params_active))} computed per token). Against BF16, {esc(f.label)} needs "
        f"{r.memory_vs_bf16:.2f}× the memory, and on the roofline decodes {r.decode_vs_bf16:.2f}× and prefills "
        f"{r.prefill_vs_bf16:.2f}× as fast. {_chip(r.rating.level, r.rating.label)} {esc(r.rating.reason)}.</p>"
    )
    fits = (
        ""
        if r.fits
        else notice(f"{f.label} does not fit on {r.gpus:,} × {e.gpu.name}; speeds are hypothetical.", "warn")
    )
    warnings = "".join(notice(w, "warn") for w in e.warnings)
    caveats = "".join(f"<li>{esc(c.text)}</li>" for c in e.caveats)
    kv_name = get_precision(e.kv_precision).name
    kv = f"KV cache at {esc(kv_name)}: {_chip(e.kv_rating.level, e.kv_rating.label)} {esc(e.kv_rating.reason)}."
    above = (
        head,
        summary,
        fits,
        warnings,
        "<h4>Memory per format</h4>",
        _bars(e, r),
        "<h4>Memory, speed and quality</h4>",
        _table(e, r),
        _why_int4(e),
    )
    opening = f"<details open><summary>The math for {esc(f.label)}, with your numbers</summary>"
    below = (
        "<h4>What the measurements say</h4>",
        _evidence(e),
        f'<p class="pg-why">{kv}</p><ul class="pg-q-caveats">{caveats}</ul>',
    )
    return above, opening, below


def markdown(values: dict[str, str]) -> str:
    """The comparison as a Markdown table, for a design doc."""
    label, e, _ = compute(values)
    lines = [
        f"**{label} on {e.gpu.name}**, batch {e.batch:,}, {e.context_tokens:,} tokens, "
        f"{e.kv_precision.upper()} KV cache",
        "",
        "| Format | Bits/weight | Weights | GPUs | Decode | Prefill | Quality |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in e.rows:
        lines.append(
            f"| {r.format.label} | {r.format.effective_bits:.4g} | {format_bytes(r.weights_bytes)} | {r.gpus} | "
            f"{format_rate(r.decode.tokens_per_s, 'tokens')} | {format_rate(r.prefill.tokens_per_s, 'tokens')} | "
            f"{r.rating.label} ({r.rating.reason}) |"
        )
    return "\n".join(lines) + "\n\nIdeal roofline speeds; real engines reach roughly 50-80%.\n"
