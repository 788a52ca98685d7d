"""The accuracy page: predicted vs measured, drawn at build time from the same data and code the CLI uses.

Only geometry happens here (log axes to pixels); every ratio comes from playground.accuracy.
"""

import math
import pathlib
from functools import cache

from playground import accuracy, calibration
from playground.benchmarks import load
from playground.units import format_count, format_percent, format_value

from .html import esc, table

ROOT = pathlib.Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "calibration" / "throughput-measured.jsonl"
LOGS = ROOT / "calibration" / "engine-logs.jsonl"
_W, _H, _PAD = 440, 440, 56
SPLITS = (("fit", "pg-acc-fit", "in the fit"), ("held out", "pg-acc-held", "held out"))
SPLITS += (("not fitted", "pg-acc-other", "other engine or setting"),)


@cache
def _rows():
    return accuracy.throughput_rows(BENCHMARKS)


def scatter() -> str:
    """Predicted vs measured output tokens/s, log-log, with the ±25% band around the diagonal."""
    rows = [r for r in _rows() if r.predicted]
    values = [v for r in rows for v in (r.predicted, r.case.measured)]
    lo, hi = 10 ** math.floor(math.log10(min(values))), 10 ** math.ceil(math.log10(max(values)))
    span = _W - 2 * _PAD

    def px(v):
        return _PAD + span * (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))

    def py(v):
        return _H - px(v)

    parts = [
        f'<svg class="pg-diagram pg-acc-scatter" viewBox="0 0 {_W} {_H}" role="img" aria-labelledby="pg-acc-t">'
        f'<title id="pg-acc-t">Predicted against measured output tokens per second for {len(rows)} runs</title>'
    ]
    decade = lo
    while decade <= hi:
        parts.append(
            f'<line class="pg-cost-grid" x1="{px(decade):.1f}" x2="{px(decade):.1f}" y1="{_PAD}" y2="{_H - _PAD}"/>'
            f'<line class="pg-cost-grid" x1="{_PAD}" x2="{_W - _PAD}" y1="{py(decade):.1f}" y2="{py(decade):.1f}"/>'
            f'<text class="pg-cost-tick" x="{px(decade):.1f}" y="{_H - _PAD + 16}" text-anchor="middle">'
            f"{esc(format_count(decade))}</text>"
            f'<text class="pg-cost-tick" x="{_PAD - 6}" y="{py(decade) + 4:.1f}" text-anchor="end">'
            f"{esc(format_count(decade))}</text>"
        )
        decade *= 10
    band = " ".join(
        f"{px(x):.1f},{py(min(hi, x * f)):.1f}"
        for x, f in ((lo, 1.25), (hi / 1.25, 1.25), (hi, 0.75), (lo / 0.75, 0.75))
    )
    parts.append(f'<polygon class="pg-acc-band" points="{band}"/>')
    parts.append(f'<line class="pg-acc-diag" x1="{px(lo):.1f}" y1="{py(lo):.1f}" x2="{px(hi):.1f}" y2="{py(hi):.1f}"/>')
    for split, cls, _ in SPLITS:
        for r in rows:
            if r.split == split:
                parts.append(
                    f'<circle class="{cls}" cx="{px(r.case.measured):.1f}" cy="{py(r.predicted):.1f}" r="2.6">'
                    f"<title>{esc(r.case.id)}: measured {esc(format_count(r.case.measured))}, predicted "
                    f"{esc(format_count(r.predicted))} tokens/s</title></circle>"
                )
    parts.append(
        f'<text class="pg-cost-axis" x="{_W / 2}" y="{_H - 14}" text-anchor="middle">measured output tokens/s</text>'
        f'<text class="pg-cost-axis" x="16" y="{_H / 2}" text-anchor="middle" '
        f'transform="rotate(-90 16 {_H / 2})">predicted (calibrated)</text></svg>'
    )
    legend = "".join(f'<li><span class="pg-acc-key {cls}"></span>{esc(text)}</li>' for _, cls, text in SPLITS)
    return f'<figure class="pg-acc-figure">{"".join(parts)}<ul class="pg-acc-legend">{legend}</ul></figure>'


def _summary_table(groups: dict, what: str) -> str:
    rows = [
        [
            esc(name),
            f'<output data-key="n" data-value="{s["n"]}">{s["n"]}</output>',
            esc(format_value(s["median_ratio"], "number")),
            esc(format_percent(s["within_25_percent"])),
            esc(f"{format_value(s['p10'], 'number')} – {format_value(s['p90'], 'number')}"),
        ]
        for name, s in groups.items()
    ]
    head = [what, "Runs", "Median predicted / measured", "Within ±25%", "p10 – p90"]
    return table(head, rows, f"Error by {what.lower()} (predicted / measured output tokens per second)")


def by_split() -> str:
    """In-fit, held-out and never-fitted runs, plus leave-one-group-out."""
    groups = accuracy.by(_rows(), lambda r: r.split)
    logo = calibration.LEAVE_ONE_GROUP_OUT
    groups["leave one group out"] = {
        "n": logo["n"],
        "median_ratio": logo["median_ratio"],
        "within_25_percent": logo["within_25_percent"],
        "p10": 1 / logo["measured_over_predicted_p90"],
        "p90": 1 / logo["measured_over_predicted_p10"],
    }
    refused = [r for r in _rows() if r.predicted is None]
    why = "; ".join(sorted({r.refused for r in refused}))
    note = f'<p class="pg-why">All {len(_rows())} runs the catalog can express were answered.</p>'
    if refused:
        note = (
            f'<p class="pg-why">{len(refused)} of {len(_rows())} runs the catalog can express were not answered: '
            f"{esc(why)}.</p>"
        )
    cases = load(BENCHMARKS)
    other = len(cases) - len(_rows())
    note += (
        f'<p class="pg-why">The file holds {len(cases)} measurements; the other {other} are not a system '
        "throughput at a stated offline or fixed-concurrency setting with stated lengths and a known model, GPU "
        "and format (llama.cpp single-user speeds, MLPerf runs over a dataset, production averages, TTFT and TPOT "
        "figures the serving section checks): they are kept with their sources and left out here.</p>"
    )
    return _summary_table(groups, "Split") + note


def by_gpu() -> str:
    return _summary_table(accuracy.by(_rows(), lambda r: r.case.gpu), "GPU")


def by_model() -> str:
    return _summary_table(accuracy.by(_rows(), lambda r: r.case.model), "Model")


def by_source() -> str:
    return _summary_table(accuracy.by(_rows(), lambda r: r.case.source.split(" @")[0]), "Source")


def memory() -> str:
    """KV capacity against real vLLM startup logs."""
    rows = [
        [
            esc(f"{m.model} on {m.gpus} x {m.gpu}"),
            esc(m.what),
            esc(format_value(m.measured, "number")),
            esc(format_value(m.predicted, "number")),
            f'<output data-key="memory.{esc(m.id)}" data-value="{m.ratio}">{esc(format_value(m.ratio, "number"))}'
            "</output>",
            esc(m.source.split(" https://")[0]),
        ]
        for m in accuracy.memory_rows(LOGS)
    ]
    head = ["Deployment", "Compared", "Log", "capacity.py", "Ratio", "Source"]
    return table(head, rows, "KV-cache capacity: real vLLM startup logs against the memory model")
