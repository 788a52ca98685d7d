"""Reference tables generated from the playground catalogs (never typed by hand)."""

from playground.units import format_bytes, format_count, format_flops

from .html import esc, table


def _link(url: str, text: str = "source") -> str:
    return f'<a href="{esc(url)}" rel="noopener">{esc(text)}</a>' if url.startswith("http") else esc(url)


def gpus_table() -> str:
    """Every GPU in the catalog with memory, bandwidth, dense compute, interconnect and source."""
    from playground.gpus import GPUS

    def tf(flops):
        return "—" if not flops else esc(format_flops(flops) + "/s")

    rows = [
        [
            f"<strong>{esc(g.name)}</strong><br><code>{esc(g.id)}</code>",
            esc(format_bytes(g.memory_bytes, "GiB"))
            + f'<br><small title="{esc(g.usable_memory_source)}">'
            + f"{esc(format_bytes(g.usable_memory_bytes, 'GiB'))} usable"
            + (" (rule)" if "usable_memory_gib" in g.unverified_fields else "")
            + "</small>",
            esc(format_bytes(g.bandwidth_bytes_per_s) + "/s"),
            tf(g.bf16_flops),
            tf(g.fp8_flops),
            tf(g.fp4_flops),
            esc(g.interconnect),
            esc(str(g.gpus_per_node)),
            _link(g.source) + (" <em>(unverified)</em>" if getattr(g, "unverified", False) else ""),
        ]
        for g in GPUS
    ]
    return table(
        [
            "GPU",
            "Memory (binary GiB)",
            "Bandwidth",
            "BF16 dense",
            "FP8 dense",
            "FP4 dense",
            "Interconnect",
            "Per node",
            "Source",
        ],
        rows,
        "GPU reference (dense compute; vendor headline figures are often 2:4 sparse, i.e. 2x)",
    )


def models_table() -> str:
    """Every model in the catalog with its computed parameters and KV cache per token."""
    from playground.architecture import kv_bytes_per_token, param_breakdown
    from playground.models import MODELS
    from playground.state import state_bytes_per_sequence

    rows = []
    for m in MODELS:
        p = param_breakdown(m.arch)
        state = state_bytes_per_sequence(m.arch)
        rows.append(
            [
                f"<strong>{esc(m.name)}</strong><br><code>{esc(m.id)}</code>",
                esc(format_count(p.total)),
                esc(format_count(p.active)),
                esc(m.arch.attention_kind.upper()) + f"<br><small>{esc(m.arch.layer_summary())}</small>",
                esc(format_bytes(kv_bytes_per_token(m.arch, 16), "KiB")),
                esc(format_bytes(state)) if state else "—",
                _link(m.source),
            ]
        )
    return table(
        [
            "Model",
            "Parameters",
            "Active / token",
            "Attention",
            "KV / token (16-bit)",
            "Fixed state / sequence",
            "Source",
        ],
        rows,
        "Model catalog: parameters, KV cache and fixed state computed from each config.json "
        "(KV per token with every layer growing; window layers stop at their window)",
    )


def formula_with_legend(formula) -> str:
    """A formula in symbols, with what each symbol means and why the formula holds."""
    legend = "".join(f"<li><var>{esc(s)}</var>: {esc(meaning)}</li>" for s, meaning in formula.legend())
    why = f'<p class="pg-why">{esc(formula.why)}</p>' if formula.why else ""
    return (
        f'<div class="pg-formula-def"><p class="pg-formula" title="{esc(formula.text())}">{formula.mathml()}</p>'
        f'{why}<ul class="pg-legend-list">{legend}</ul></div>'
    )


def sources_table() -> str:
    """Where every catalog record comes from, and when it was read."""
    from playground.comm import NETWORK, PCIE5
    from playground.gpus import GPUS
    from playground.models import MODELS
    from playground.precision import PRECISIONS
    from playground.prices import DGX_H100_SYSTEM, FIGURES, HGX_H100_NODE, HOURLY, PURCHASE
    from playground.quality import EVIDENCE

    rows = [
        [esc(f"Model: {m.name}"), _link(m.source, "config.json") + " · " + esc(m.official_source), esc(m.retrieved)]
        for m in MODELS
    ]
    rows += [
        [
            esc(f"GPU: {g.name}")
            + (" <em>(unverified: " + esc(", ".join(g.unverified_fields)) + ")</em>" if g.unverified else ""),
            _link(g.source, "datasheet"),
            esc(g.retrieved),
        ]
        for g in GPUS
    ]
    rows += [[esc(f"Precision: {p.name}"), esc(p.source or p.note), ""] for p in PRECISIONS]
    rows += [[esc(f"Link: {link.name}"), esc(link.source), ""] for link in (NETWORK, PCIE5)]
    rows += [[esc(f"Quality: {e.cite}, {e.setting}"), _link(e.url, e.source), esc(e.date)] for e in EVIDENCE]
    rows += [
        [esc(f"Cost: {f.what}") + (" <em>(unverified)</em>" if f.unverified else ""), esc(f.source), esc(f.as_of)]
        for f in FIGURES
    ]
    rows += [
        [
            esc(f"Price: {p.what} ({p.gpu_id})") + (" <em>(unverified)</em>" if p.unverified else ""),
            esc(p.source),
            esc(p.as_of),
        ]
        for p in (*PURCHASE, DGX_H100_SYSTEM, HGX_H100_NODE, *HOURLY)
    ]
    return table(["Record", "Source", "As of"], rows, "Every input figure and where it comes from")


def calibrated(name: str) -> str:
    """One fitted constant of the speed model, formatted ('flops' gives the three formats)."""
    from playground.calibration import CALIBRATED as c
    from playground.units import format_bytes, format_percent, format_seconds, format_value

    if name == "flops":
        return " / ".join(format_percent(x) for x in (c.bf16_flops, c.fp8_flops, c.fp4_flops))
    value = getattr(c, name)
    if name == "half_bytes":
        return format_bytes(value)
    if name.endswith("_s"):
        return format_seconds(value)
    return format_value(value, "number") if name in ("activation_passes", "half_rows") else format_percent(value)


def _accuracy(name: str):
    def render() -> str:
        from . import accuracy  # reads the benchmark files: only the accuracy page needs it

        return getattr(accuracy, name)()

    return render


TABLES = {"gpus": gpus_table, "models": models_table, "sources": sources_table}
TABLES.update(
    {
        f"accuracy-{name.replace('_', '-')}": _accuracy(name)
        for name in ("scatter", "by_split", "by_gpu", "by_model", "by_source", "memory")
    }
)


def render(name: str) -> str:
    """The generated table called `name`."""
    return TABLES[name]()
