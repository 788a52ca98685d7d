"""SVG pictures for the serving widget: latency against request rate (the knee), queue and batch over time.

Only geometry happens here (mapping rates, seconds and counts to pixels); every number drawn comes from
playground.serving, formatted by playground.units.
"""

from playground.tco import nice_ticks
from playground.units import format_count, format_seconds

from .html import esc

_W, _H = 400, 170
_LEFT, _RIGHT, _TOP, _BOTTOM = 54, 12, 12, 34


def _axes(cls: str, x_hi: float, y_ticks, y_label, x_ticks, x_label: str, title: str, tid: str):
    span_x, span_y = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM
    y_hi = y_ticks[-1] or 1.0

    def x(v):
        return _LEFT + span_x * min(v, x_hi) / x_hi

    def y(v):
        return _TOP + span_y * (1 - min(v, y_hi) / y_hi)

    parts = [
        f'<svg class="pg-diagram {cls}" viewBox="0 0 {_W} {_H}" role="img" aria-labelledby="{tid}">'
        f'<title id="{tid}">{esc(title)}</title>'
    ]
    for t in y_ticks:
        parts.append(
            f'<line class="pg-cost-grid" x1="{_LEFT}" x2="{_W - _RIGHT}" y1="{y(t):.1f}" y2="{y(t):.1f}"/>'
            f'<text class="pg-cost-tick" x="{_LEFT - 6}" y="{y(t) + 4:.1f}" text-anchor="end">{esc(y_label(t))}</text>'
        )
    for t in x_ticks:
        parts.append(
            f'<text class="pg-cost-tick" x="{x(t):.1f}" y="{_H - _BOTTOM + 15}" text-anchor="middle">'
            f"{esc(format_count(t))}</text>"
        )
    parts.append(
        f'<text class="pg-cost-axis" x="{_LEFT + span_x / 2:.1f}" y="{_H - 4}" text-anchor="middle">'
        f"{esc(x_label)}</text>"
    )
    return parts, x, y


def _panel(points, knee: float, r, pick, label: str, key: str) -> str:
    """One latency (p50 and p99) against request rate, the knee marked, your rate as a dot."""
    x_hi = nice_ticks(max(1.3 * knee, 1.1 * r.request_rate))[-1]
    highest = max(max(pick(p).p99 for p in points), pick(r).p50)
    y_ticks = nice_ticks(highest * 1.1, 4)
    parts, x, y = _axes(
        f"pg-serving-chart pg-serving-{key}",
        x_hi,
        y_ticks,
        lambda t: format_seconds(t) if t else "0",
        nice_ticks(x_hi, 5),
        "requests per second",
        f"{label} against request rate; the knee at {format_count(knee)} requests/s",
        f"pg-serving-{key}-t",
    )
    parts.append(
        f'<rect class="pg-serving-past" x="{x(knee):.1f}" y="{_TOP}" width="{_W - _RIGHT - x(knee):.1f}" '
        f'height="{_H - _TOP - _BOTTOM}"><title>Past the knee: the queue grows without bound</title></rect>'
        f'<line class="pg-serving-knee" x1="{x(knee):.1f}" x2="{x(knee):.1f}" y1="{_TOP}" y2="{_H - _BOTTOM}"/>'
        f'<text class="pg-serving-knee-label" x="{x(knee) + 4:.1f}" y="{_TOP + 12}">knee</text>'
    )
    for q, cls in (("p99", "pg-serving-p99"), ("p50", "pg-serving-p50")):
        pts = " ".join(f"{x(p.request_rate):.1f},{y(getattr(pick(p), q)):.1f}" for p in points)
        parts.append(f'<polyline class="pg-serving-line {cls}" points="{pts}"><title>{label} {q}</title></polyline>')
    shown = pick(r).p50
    clipped = shown > y_ticks[-1]
    parts.append(
        f'<circle class="pg-serving-you" cx="{x(r.request_rate):.1f}" cy="{y(shown):.1f}" r="5">'
        f"<title>Your rate, {esc(format_count(r.request_rate))} requests/s: {label} p50 "
        f"{esc(format_seconds(shown))}</title></circle>"
    )
    if clipped:
        parts.append(
            f'<text class="pg-serving-knee-label" x="{x(r.request_rate) - 8:.1f}" y="{_TOP + 26}" text-anchor="end">'
            f"↑ {esc(format_seconds(shown))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def knee_chart(points, knee: float, r) -> str:
    """TTFT and TPOT against request rate, side by side, with a shared legend."""
    legend = (
        '<ul class="pg-legend"><li><span class="pg-swatch pg-serving-p50-fill"></span>p50</li>'
        '<li><span class="pg-swatch pg-serving-p99-fill"></span>p99</li>'
        '<li><span class="pg-swatch pg-serving-you-fill"></span>your rate (p50)</li>'
        '<li><span class="pg-swatch pg-serving-past-fill"></span>past the knee</li></ul>'
    )
    return (
        '<div class="pg-serving-charts">'
        f"<figure>{_panel(points, knee, r, lambda s: s.ttft_s, 'TTFT', 'ttft')}<figcaption>Time to first token"
        "</figcaption></figure>"
        f"<figure>{_panel(points, knee, r, lambda s: s.tpot_s, 'TPOT', 'tpot')}<figcaption>Time per output token"
        f"</figcaption></figure></div>{legend}"
    )


def timeline(r) -> str:
    """Requests waiting and requests running, sampled over the run."""
    times = r.series_time_s
    x_hi = times[-1] or 1.0
    y_ticks = nice_ticks(max(max(r.series_queue), max(r.series_batch), 1), 4)
    x_ticks = nice_ticks(x_hi, 5)
    parts, x, y = _axes(
        "pg-serving-timeline",
        x_hi,
        y_ticks,
        format_count,
        x_ticks[:-1] if x_ticks[-1] > x_hi else x_ticks,
        "seconds",
        f"Queue and batch over {format_seconds(x_hi)}: at most {r.max_queue} waiting, {max(r.series_batch)} running",
        "pg-serving-timeline-t",
    )
    xs = [f"{x(t):.1f}" for t in times]  # both lines share the sample times; counts repeat a lot
    for series, cls, label in (
        (r.series_batch, "pg-serving-batch", "running"),
        (r.series_queue, "pg-serving-queue", "waiting"),
    ):
        ys = {v: f"{y(v):.1f}" for v in set(series)}
        pts = " ".join(f"{a},{ys[v]}" for a, v in zip(xs, series))
        parts.append(
            f'<polyline class="pg-serving-line {cls}" points="{pts}"><title>requests {label}</title></polyline>'
        )
    parts.append("</svg>")
    legend = (
        '<ul class="pg-legend"><li><span class="pg-swatch pg-serving-batch-fill"></span>running (batch)</li>'
        '<li><span class="pg-swatch pg-serving-queue-fill"></span>waiting (queue)</li></ul>'
    )
    return "".join(parts) + legend
