"""SVG pictures for the buy-vs-rent widget: cumulative cost over the horizon, and the decision tree.

Only geometry happens here (mapping months and dollars to pixels, indenting tree rows); every number
drawn or printed comes from playground.tco / playground.cost, formatted by playground.units.
"""

from playground.tco import LABELS, PATHS
from playground.units import format_count, format_int, format_usd, format_value

from .html import esc

# --- cumulative cost ---------------------------------------------------------------------------

_W, _H = 400, 250
_LEFT, _RIGHT, _TOP, _BOTTOM = 50, 12, 14, 42


def cumulative_chart(t) -> str:
    """Cumulative cost of each path over the horizon, with the buy/on-demand breakeven marked."""
    x_hi, y_hi = t.horizon_months, t.y_ticks_usd[-1]
    span_x, span_y = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM

    def x(months):
        return _LEFT + span_x * months / x_hi

    def y(usd):
        return _TOP + span_y * (1 - usd / y_hi)

    parts = [
        f'<svg class="pg-diagram pg-cost-chart" viewBox="0 0 {_W} {_H}" role="img" aria-labelledby="pg-cost-chart-t">'
        f'<title id="pg-cost-chart-t">Cumulative cost of buying, reserving and renting on demand over '
        f"{t.horizon_months} months</title>"
    ]
    for tick in t.y_ticks_usd:
        parts.append(
            f'<line class="pg-cost-grid" x1="{_LEFT}" x2="{_W - _RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}"/>'
            f'<text class="pg-cost-tick" x="{_LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">'
            f"${esc(format_count(tick))}</text>"
        )
    for tick in t.x_ticks_months:
        parts.append(
            f'<line class="pg-cost-grid" x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="{_TOP}" y2="{_H - _BOTTOM}"/>'
            f'<text class="pg-cost-tick" x="{x(tick):.1f}" y="{_H - _BOTTOM + 16}" text-anchor="middle">'
            f"{esc(format_int(tick))}</text>"
        )
    parts.append(
        f'<text class="pg-cost-axis" x="{_LEFT + span_x / 2:.1f}" y="{_H - 6}" text-anchor="middle">months</text>'
    )
    for path in PATHS:
        points = " ".join(f"{x(m):.1f},{y(usd):.1f}" for m, usd in t.series[path])
        end = t.series[path][-1][1]
        parts.append(
            f'<polyline class="pg-cost-line pg-cost-{path}-stroke" points="{points}">'
            f"<title>{esc(LABELS[path])}: {esc(format_usd(end))} after {t.horizon_months} months</title></polyline>"
        )
    if t.breakeven_point is not None:
        months, usd = t.breakeven_point
        label = f"breakeven {format_value(months, 'number')} months"
        anchor = "end" if x(months) > _LEFT + span_x * 0.6 else "start"
        dx = -8 if anchor == "end" else 8
        parts.append(
            f'<g class="pg-cost-breakeven"><line x1="{x(months):.1f}" x2="{x(months):.1f}" y1="{y(usd):.1f}" '
            f'y2="{_H - _BOTTOM}"/><circle cx="{x(months):.1f}" cy="{y(usd):.1f}" r="5"/>'
            f'<text x="{x(months) + dx:.1f}" y="{y(usd) - 9:.1f}" text-anchor="{anchor}">{esc(label)}</text>'
            f"<title>Buying has cost as much as renting on demand: {esc(format_usd(usd))} after "
            f"{esc(format_value(months, 'number'))} months</title></g>"
        )
    parts.append("</svg>")
    legend = (
        "".join(f'<li><span class="pg-swatch pg-cost-{p}-fill"></span>{esc(LABELS[p])}</li>' for p in PATHS)
        + '<li><span class="pg-swatch pg-cost-breakeven-fill"></span>breakeven, buy vs on-demand</li>'
    )
    return "".join(parts) + f'<ul class="pg-legend pg-cost-legend">{legend}</ul>'


# --- decision tree -----------------------------------------------------------------------------

_ROW, _INDENT, _TREE_W, _PAD = 26, 20, 360, 8
_CHAR = 6.1  # average advance of the stylesheet's 12px sans-serif (Roboto), to size the pills


def decision_tree(nodes, taken) -> str:
    """The tree as an indented outline, the path taken highlighted; leaves are pills coloured by path."""
    depth, row_of = {}, {}
    for i, n in enumerate(nodes):
        depth[n.id] = 0 if n.parent is None else depth[n.parent] + 1
        row_of[n.id] = i
    taken = set(taken)
    height = _PAD * 2 + _ROW * len(nodes)

    def cy(node_id):
        return _PAD + _ROW * row_of[node_id] + _ROW / 2

    def x(node_id):
        return _PAD + _INDENT * depth[node_id]

    parts = [
        f'<svg class="pg-diagram pg-cost-tree" viewBox="0 0 {_TREE_W} {height}" role="img" '
        'aria-labelledby="pg-cost-tree-t"><title id="pg-cost-tree-t">Decision tree: '
        + esc(" → ".join(n.text for n in nodes if n.id in taken))
        + "</title>"
    ]
    for n in nodes:  # connectors first, so text draws over them
        if n.parent is not None:
            on = " pg-cost-on" if n.id in taken else ""
            px = x(n.parent) + 5
            parts.append(
                f'<path class="pg-cost-edge{on}" d="M{px},{cy(n.parent) + 7:.1f} V{cy(n.id):.1f} H{x(n.id) - 3}"/>'
            )
    for n in nodes:
        on = " pg-cost-on" if n.id in taken else ""
        edge = f'<tspan class="pg-cost-answer">{esc(n.edge)} → </tspan>' if n.edge else ""
        if n.leaf is None:
            parts.append(
                f'<text class="pg-cost-node{on}" x="{x(n.id)}" y="{cy(n.id) + 4:.1f}">{edge}'
                f'<tspan class="pg-cost-q">{esc(n.text)}</tspan></text>'
            )
            continue
        width = _CHAR * len(n.text) + 16
        label_w = _CHAR * len(n.edge) + 26 if n.edge else 0  # the answer, its arrow and a gap
        parts.append(
            f'<g class="pg-cost-leaf pg-cost-{esc(n.leaf or "none")}{on}" data-node="{esc(n.id)}">'
            f'<text class="pg-cost-answer" x="{x(n.id)}" y="{cy(n.id) + 4:.1f}">{esc(n.edge)} →</text>'
            f'<rect x="{x(n.id) + label_w:.1f}" y="{cy(n.id) - 10:.1f}" width="{width:.1f}" height="20" rx="10"/>'
            f'<text class="pg-cost-leaf-text" x="{x(n.id) + label_w + 8:.1f}" y="{cy(n.id) + 4:.1f}">'
            f"{esc(n.text)}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)
