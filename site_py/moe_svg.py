"""SVG and HTML pictures for the MoE widget: the bytes-per-token curve and the animated toy router.

Only geometry happens here (log axes, cell positions, bar lengths); every number drawn or printed
comes from playground.moe / playground.router. The router animation is pure CSS: each token's frame
carries its index in --i and the stylesheet staggers one keyframe cycle by it; under
prefers-reduced-motion the global rule drops animations and the base styles show token 1 only.
"""

import math

from playground.units import format_bytes, format_int, format_percent

from .html import esc

# --- bytes read per token vs batch -------------------------------------------------------------

_W, _H = 420, 240
_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 14, 12, 44


def _log_ticks(low: float, high: float) -> list[float]:
    """Powers of ten spanning [low, high], for a log axis."""
    return [10.0**e for e in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)]


def bytes_chart(comparison) -> str:
    """Weight bytes read per generated token vs batch (log-log), dense and MoE, the chosen batch marked."""
    sides = (("dense", comparison.dense), ("moe", comparison.moe))
    points = [p for _, s in sides for p in s.curve]
    x_max = max(p.batch for p in points)
    y_ticks = _log_ticks(min(p.bytes_per_token for p in points), max(p.bytes_per_token for p in points))
    y_lo, y_hi = math.log10(y_ticks[0]), math.log10(y_ticks[-1])
    span_x, span_y = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM

    def x(batch):
        return _LEFT + span_x * math.log2(batch) / math.log2(x_max)

    def y(value):
        return _TOP + span_y * (y_hi - math.log10(value)) / ((y_hi - y_lo) or 1)

    parts = [
        f'<svg class="pg-diagram pg-moe-chart" viewBox="0 0 {_W} {_H}" role="img" '
        f'aria-labelledby="pg-moe-chart-title"><title id="pg-moe-chart-title">Weight bytes read per generated '
        f"token against batch size, log scales: {esc(comparison.dense.model.name)} and "
        f"{esc(comparison.moe.model.name)}</title>"
    ]
    for tick in y_ticks:
        parts.append(
            f'<line class="pg-moe-grid" x1="{_LEFT}" x2="{_W - _RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}"/>'
            f'<text class="pg-moe-tick" x="{_LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">'
            f"{esc(format_bytes(tick))}</text>"
        )
    batch = 1
    while batch <= x_max:
        parts.append(
            f'<line class="pg-moe-grid" x1="{x(batch):.1f}" x2="{x(batch):.1f}" y1="{_TOP}" y2="{_H - _BOTTOM}"/>'
            f'<text class="pg-moe-tick" x="{x(batch):.1f}" y="{_H - _BOTTOM + 16}" text-anchor="middle">'
            f"{esc(format_int(batch))}</text>"
        )
        batch *= 4
    parts.append(
        f'<text class="pg-moe-axis" x="{_LEFT + span_x / 2:.1f}" y="{_H - 6}" text-anchor="middle">'
        "batch size B (sequences per decode step)</text>"
    )
    b = comparison.batch
    parts.append(
        f'<line class="pg-moe-marker" x1="{x(b):.1f}" x2="{x(b):.1f}" y1="{_TOP}" y2="{_H - _BOTTOM}"/>'
        f'<text class="pg-moe-axis" x="{min(x(b) + 4, _W - _RIGHT - 40):.1f}" y="{_TOP + 10}">B = {b:,}</text>'
    )
    for key, side in sides:
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{x(p.batch):.1f},{y(p.bytes_per_token):.1f}" for i, p in enumerate(side.curve)
        )
        parts.append(f'<path class="pg-moe-line pg-moe-{key}-stroke" d="{path}"/>')
        for p in (side.batch_1, side.batch_b):
            parts.append(
                f'<circle class="pg-moe-{key}-fill" cx="{x(p.batch):.1f}" cy="{y(p.bytes_per_token):.1f}" r="3.5">'
                f"<title>{esc(side.model.name)}, batch {p.batch:,}: {esc(format_bytes(p.bytes_per_token))} "
                "per token</title></circle>"
            )
    parts.append("</svg>")
    legend = "".join(
        f'<li><span class="pg-swatch pg-moe-{key}-fill"></span>{esc(side.model.name)}</li>' for key, side in sides
    )
    return f'<div class="pg-moe-figure">{"".join(parts)}<ul class="pg-legend">{legend}</ul></div>'


# --- the toy router ------------------------------------------------------------------------------

# Portrait layout, so one drawing reads at 375 px as well as beside the gate list on a desktop:
# the hidden state across the top, an arrow down, the experts as a 16-column grid (or bars).
_RW = 300
_COLS = 16
_PITCH = _RW / _COLS
_H_MID, _H_HALF = 40, 16  # hidden-state bars grow up (positive) or down (negative) from this line
_GRID_Y = 112


def _cell(mode: str, n: int, index: int, fraction: float, cls: str) -> str:
    """One expert: a bar whose height is its share of the token's best score, or a grid cell."""
    if mode == "bars":
        pitch, tall = _RW / n, 110.0
        h = max(tall * fraction, 1.5)
        dim = ' fill-opacity="0.5"' if cls == "pg-moe-score" else ""
        return (
            f'<rect class="{cls}" x="{index * pitch + pitch * 0.15:.1f}" y="{_GRID_Y + tall - h:.1f}" '
            f'width="{pitch * 0.7:.1f}" height="{h:.1f}" rx="1.5"{dim}/>'
        )
    col, row = index % _COLS, index // _COLS
    opacity = f' fill-opacity="{max(fraction, 0.12):.2f}"' if cls == "pg-moe-score" else ""
    # <use> of one cell shape: a 256-expert router is ~300 cells, and this keeps the markup (and innerHTML) small
    return f'<use href="#pg-moe-cell" class="{cls}" x="{col * _PITCH:.1f}" y="{_GRID_Y + row * _PITCH:.1f}"{opacity}/>'


def _mode(n_experts: int) -> str:
    """Up to 32 experts get a bar each (Mixtral's 8 are easy to compare); more become a 16-column grid."""
    return "bars" if n_experts <= 32 else "grid"


def _frame_class(i: int) -> str:
    return "pg-moe-f pg-moe-f0" if i == 0 else "pg-moe-f"


def router_svg(trace) -> str:
    """Hidden state -> router -> every expert's score, the top-k lit, the shared expert always on."""
    n, k = trace.n_experts, trace.top_k
    mode = _mode(n)
    grid_h = 110.0 + (14 if n <= 16 else 0) if mode == "bars" else _PITCH * -(-n // _COLS)
    shared_y = _GRID_Y + grid_h + 10
    height = shared_y + 24
    mid = _RW / 2
    parts = [
        f'<svg class="pg-diagram pg-moe-router-svg" viewBox="0 0 {_RW} {height:.0f}" role="img" '
        f'aria-labelledby="pg-moe-router-title"><title id="pg-moe-router-title">Toy router: a hidden state is '
        f"scored against {n} routed experts; the top {k} are lit.</title>",
        '<text class="pg-moe-axis" x="0" y="11">hidden state h of the token (16 toy dims)</text>',
        f'<line class="pg-moe-grid" x1="0" x2="{_RW}" y1="{_H_MID}" y2="{_H_MID}"/>',
        f'<line class="pg-moe-arrow" x1="{mid}" x2="{mid}" y1="66" y2="84"/>',
        f'<path class="pg-moe-arrowhead" d="M{mid - 4},84 L{mid},90 L{mid + 4},84 Z"/>',
        f'<text class="pg-moe-tick" x="{mid + 8}" y="80">router: W·h, softmax</text>',
        f'<text class="pg-moe-axis" x="0" y="{_GRID_Y - 8}">scores over {n} experts · top-{k} lit</text>',
    ]
    if mode == "grid":  # the idle grid once, as a pattern fill; frames only add what lights up
        full, rest = divmod(n, _COLS)
        parts.append(
            f'<defs><rect id="pg-moe-cell" x="1.5" y="1.5" width="{_PITCH - 3:.2f}" '
            f'height="{_PITCH - 3:.2f}" rx="2.5"/>'
            f'<pattern id="pg-moe-cells" width="{_PITCH:.4f}" height="{_PITCH:.4f}" patternUnits="userSpaceOnUse" '
            f'y="{_GRID_Y}"><use href="#pg-moe-cell" class="pg-moe-idle"/></pattern></defs>'
            f'<rect fill="url(#pg-moe-cells)" x="0" y="{_GRID_Y}" width="{_RW}" height="{full * _PITCH:.2f}"/>'
        )
        parts += [_cell(mode, n, full * _COLS + e, 1.0, "pg-moe-idle") for e in range(rest)]  # a partial last row
    else:
        parts.append(f'<line class="pg-moe-grid" x1="0" x2="{_RW}" y1="{_GRID_Y + 110}" y2="{_GRID_Y + 110}"/>')
        if n <= 16:
            parts += [
                f'<text class="pg-moe-tick" x="{(e + 0.5) * _RW / n:.1f}" y="{_GRID_Y + 122}" '
                f'text-anchor="middle">{e}</text>'
                for e in range(n)
            ]
    if trace.shared_experts:
        label = "shared expert" if trace.shared_experts == 1 else f"{trace.shared_experts} shared experts"
        parts.append(
            f'<rect class="pg-moe-shared" x="0" y="{shared_y:.1f}" width="{_RW}" height="20" rx="3"/>'
            f'<text class="pg-moe-shared-text" x="{mid}" y="{shared_y + 14:.1f}" text-anchor="middle">'
            f"+ {esc(label)}: every token, unweighted</text>"
        )
    else:
        parts.append(
            f'<text class="pg-moe-tick" x="0" y="{shared_y + 14:.1f}">no shared expert: only the top-{k} run</text>'
        )
    bar_pitch = _RW / len(trace.tokens[0].hidden)
    for i, tok in enumerate(trace.tokens):
        best = max(tok.scores)
        chosen = set(tok.experts)
        g = [f'<g class="{_frame_class(i)}" style="--i:{i}">']
        for d, v in enumerate(tok.hidden):  # up for positive, down for negative, clipped at 3 sigma
            length = max(min(abs(v) / 3, 1) * _H_HALF, 0.8)
            y0 = _H_MID - length if v >= 0 else _H_MID
            cls = "pg-moe-pos" if v >= 0 else "pg-moe-neg"
            g.append(
                f'<rect class="{cls}" x="{d * bar_pitch + bar_pitch * 0.2:.1f}" y="{y0:.1f}" '
                f'width="{bar_pitch * 0.6:.1f}" height="{length:.1f}"/>'
            )
        for e, score in enumerate(tok.scores):
            fraction = score / best
            if e in chosen:
                g.append(_cell(mode, n, e, fraction, "pg-moe-top"))
            elif mode == "bars" or fraction >= 0.04:  # the grid skips near-zero cells: they stay idle-dark
                g.append(_cell(mode, n, e, fraction, "pg-moe-score"))
        g.append("</g>")
        parts.append("".join(g))
    parts.append("</svg>")
    return "".join(parts)


def token_strip(trace) -> str:
    """The token sequence; the token being routed is highlighted in step with the frames."""
    chips = "".join(
        f'<li class="pg-moe-chip{" pg-moe-on" if i == 0 else ""}" style="--i:{i}">{esc(t.token.strip())}</li>'
        for i, t in enumerate(trace.tokens)
    )
    return f'<ol class="pg-moe-tokens" aria-label="tokens routed in turn">{chips}</ol>'


def gates_panel(trace) -> str:
    """Per token: the chosen experts with their renormalised gates, plus the shared expert."""
    frames = []
    for i, tok in enumerate(trace.tokens):
        rows = "".join(
            f'<li><span class="pg-moe-eid">expert {e}</span><span class="pg-moe-gbar">'
            f'<span style="width:{100 * g:.1f}%"></span></span><span class="pg-moe-gval">{esc(format_percent(g, 2))}'
            "</span></li>"
            for e, g in zip(tok.experts, tok.gates)
        )
        shared = (
            f'<p class="pg-moe-plus">+ {trace.shared_experts} shared, unweighted</p>' if trace.shared_experts else ""
        )
        frames.append(
            f'<div class="{_frame_class(i)}" style="--i:{i}"><p class="pg-moe-gates-head">'
            f"“{esc(tok.token.strip())}” → top-{trace.top_k} gates</p><ol>{rows}</ol>{shared}</div>"
        )
    scale = "taller" if _mode(trace.n_experts) == "bars" else "brighter"
    key = (
        f'<ul class="pg-moe-key"><li><span class="pg-moe-key-score"></span>{scale} = higher softmax score '
        '(relative to the token\'s best)</li><li><span class="pg-moe-key-top"></span>outlined = among the '
        f"top-{trace.top_k}, the experts that run</li><li>gates = their scores renormalised to sum to 100%</li></ul>"
    )
    return f'<div class="pg-moe-side"><div class="pg-moe-gates">{"".join(frames)}</div>{key}</div>'
