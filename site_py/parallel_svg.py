"""SVG diagrams of the parallelism widget: the recommended layout, and TP, PP, DP and EP at work.

Rendering only. Geometry (where a box goes) is computed here; every number a reader sees comes from the
ParallelPlan (degrees, layer ranges, bytes, fractions), formatted by playground.units. Animations are CSS
classes from playground.css; with prefers-reduced-motion they stop and the static frame still reads:
bright micro-batch cells, dashed links, labelled boundaries. Every SVG has a <title> and an aria-label.
"""

from playground.units import format_bytes, format_percent

from .html import esc

W = 360  # viewBox width: on a 375 px phone the diagrams render near 1:1, so 11-12 px text stays legible
PALETTE = 6  # .pg-par-c0 .. .pg-par-c5
MAX_GPUS_DRAWN = 8  # per row, and per strategy diagram; more are summarised as "… +k"


def _svg(kind: str, height: float, label: str, body: str) -> str:
    return (
        f'<svg class="pg-diagram pg-par-svg pg-par-{kind}" viewBox="0 0 {W} {height:.0f}" role="img" '
        f'aria-label="{esc(label)}" preserveAspectRatio="xMidYMin meet"><title>{esc(label)}</title>{body}</svg>'
    )


def _rect(x, y, w, h, cls, rx=3, extra="") -> str:
    return f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0.5):.1f}" height="{h:.1f}" rx="{rx}" class="{cls}"{extra}/>'


def _text(x, y, text, cls="", anchor="middle") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" class="{cls}">{esc(text)}</text>'


def _line(x1, y1, x2, y2, cls, extra="") -> str:
    return f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" class="{cls}"{extra}/>'


def _delay(seconds: float) -> str:
    return f' style="animation-delay:{seconds:.2f}s"'


def _placeholder(kind: str, label: str, message: str) -> str:
    """A strategy that cannot apply here: a dashed frame saying why, so the grid keeps its shape."""
    body = _rect(4, 4, W - 8, 52, "pg-par-node", 6) + _text(W / 2, 34, message, "pg-par-muted")
    return _svg(kind, 60, label, body)


def _drawn(count: int) -> tuple[int, bool]:
    """How many items to draw, and whether the last slot is an ellipsis for the rest."""
    return (count, False) if count <= MAX_GPUS_DRAWN else (MAX_GPUS_DRAWN, True)


def _tile(body: list, p, i: int, x: float, y: float, w: float, h: float) -> None:
    """GPU i of the deployment: coloured by replica, labelled with its stage (or replica), or idle."""
    r = p.recommended
    if i >= p.gpus_used:
        body.append(_rect(x, y, w, h, "pg-par-gpu pg-par-idle-gpu"))
        body.append(_text(x + w / 2, y + 18, "idle", "pg-par-small pg-par-muted"))
        return
    replica, stage = i // p.group_gpus, (i % p.group_gpus) // r.tp
    body.append(_rect(x, y, w, h, f"pg-par-gpu pg-par-c{replica % PALETTE}"))
    body.append(_text(x + w / 2, y + 18, f"S{stage + 1}" if r.pp > 1 else f"R{replica + 1}", "pg-par-on-tile"))


def _handoff(p, first_of_next: int) -> bool:
    """Whether the last GPU of one node and the first of the next belong to one replica (so talk per token)."""
    i, g = first_of_next, p.group_gpus
    return i < p.gpus_used and (i - 1) // g == i // g


def layout(p) -> str:
    """The recommended split on the cluster: nodes, GPUs coloured by replica, TP groups, stage boundaries."""
    s, r = p.setup, p.recommended
    node, n = s.node, s.gpus
    per_row, max_rows = min(node, MAX_GPUS_DRAWN), 4
    tile_w, tile_h, gap, row_h = (W - 24) / per_row, 28, 4, 46
    nodes_drawn = p.nodes if p.nodes <= 4 else 3
    body, y = [], 6
    for k in range(nodes_drawn):
        first, count = k * node, min(node, n - k * node)
        shown = min(count, max_rows * per_row)
        rows = -(-shown // per_row)
        height = 24 + rows * row_h + (14 if shown < count else 0)
        body.append(_rect(4, y, W - 8, height, "pg-par-node", 6))
        body.append(_text(12, y + 14, f"Node {k + 1} · {s.node_link.name}", "pg-par-small pg-par-muted", "start"))
        for i in range(first, first + shown):
            col, row = (i - first) % per_row, (i - first) // per_row
            x, ty = 12 + col * tile_w, y + 22 + row * row_h
            _tile(body, p, i, x, ty, tile_w - gap, tile_h)
            in_group = i < p.gpus_used and r.tp > 1
            if in_group and (i % r.tp == 0 or col == 0):  # the TP group's bracket, one row segment at a time
                width = min(r.tp - i % r.tp, per_row - col) * tile_w - gap
                body.append(_line(x + 3, ty + tile_h + 5, x + width - 3, ty + tile_h + 5, "pg-par-link pg-par-flow"))
                if i % r.tp == 0:
                    body.append(_text(x + width / 2, ty + tile_h + 15, f"TP {r.tp}", "pg-par-tiny"))
        if shown < count:
            body.append(
                _text(W / 2, y + height - 6, f"… {count - shown} more GPUs in this node", "pg-par-small pg-par-muted")
            )
        y += height
        if k + 1 < p.nodes:
            talk = _handoff(p, (k + 1) * node)
            body.append(_line(W / 2, y, W / 2, y + 22, "pg-par-net pg-par-flow" if talk else "pg-par-net-quiet"))
            what = "network: pipeline hand-off" if talk else "network: idle, replicas never talk"
            body.append(_text(W / 2 + 8, y + 15, what, "pg-par-small", "start"))
            y += 22
    if p.nodes > nodes_drawn:
        body.append(_text(W / 2, y + 12, f"… {p.nodes - nodes_drawn} more nodes", "pg-par-muted"))
        y += 18
    legend = "S = pipeline stage; colour = replica" if r.pp > 1 else "R = replica; one colour per full copy"
    body.append(_text(8, y + 12, legend, "pg-par-small pg-par-muted", "start"))
    label = f"Recommended layout: {r.label} on {n} × {s.gpu.name} in {p.nodes} node(s)"
    return _svg("layout", y + 18, label, "".join(body))


def tensor(p) -> str:
    """One layer split t ways: each GPU holds a slice of every weight matrix, then an all-reduce joins them."""
    ref = p.tp_reference
    if ref is None:
        label = "Tensor parallelism needs at least two GPUs whose count divides the attention heads"
        return _placeholder("tp", label, "No tensor-parallel split possible here")
    s, t = p.setup, ref.tp
    drawn, more = _drawn(t)
    box_w = min((W - 40) / drawn, 120)
    x0 = (W - drawn * box_w) / 2  # centred when a few GPUs leave room
    body = [_rect(W / 2 - 70, 4, 140, 19, "pg-par-act"), _text(W / 2, 18, "hidden states in")]
    crosses = t > s.node
    for i in range(drawn):
        x = x0 + i * box_w
        body.append(_line(W / 2, 22, x + box_w / 2, 42, "pg-par-fan"))
        body.append(_rect(x + 3, 42, box_w - 6, 86, "pg-par-gpu"))
        if more and i == drawn - 1:
            body.append(_text(x + box_w / 2, 90, f"… {t}", "pg-par-muted"))
            continue
        mx, mw = x + 10, box_w - 20  # the weight matrix, with this GPU's column slice lit
        body.append(_rect(mx, 56, mw, 44, "pg-par-matrix", 2))
        body.append(_rect(mx + mw * i / drawn, 56, mw / drawn, 44, "pg-par-shard pg-par-pulse", 1, _delay(0)))
        body.append(_text(x + box_w / 2, 116, f"GPU {i + 1}" if box_w >= 56 else f"#{i + 1}", "pg-par-small"))
        if crosses and i and (i * t // drawn) // s.node != ((i - 1) * t // drawn) // s.node:
            body.append(_line(x, 36, x, 150, "pg-par-boundary"))  # the ring leaves the node here
    ring = "pg-par-net pg-par-flow" if crosses else "pg-par-link pg-par-flow"
    body.append(
        f'<path d="M{x0 + box_w / 2:.1f},128 v10 H{x0 + (drawn - 0.5) * box_w:.1f} v-10" class="{ring}" fill="none"/>'
    )
    link = p.link_times[0].link.name if not crosses else "the network"
    body.append(_text(W / 2, 153, f"2 all-reduces per layer · {link}", "pg-par-small"))
    body.append(_rect(W / 2 - 80, 160, 160, 19, "pg-par-act"))
    body.append(_text(W / 2, 174, "summed, on every GPU"))
    label = (
        f"Tensor parallelism, {ref.label}: each of {t} GPUs holds 1/{t} of every weight matrix and the "
        f"partial results are all-reduced, {p.allreduces_per_step} times per decode step"
    )
    return _svg("tp", 184, label, "".join(body))


def pipeline(p) -> str:
    """A Gantt chart: stages down, time across, m micro-batches flowing through p stages, the bubble shaded."""
    s, r = p.setup, p.recommended
    split = r if r.pp > 1 else p.strategy("pp")
    if not split.valid or split.pp < 2:
        why = split.note or "One GPU has no stages to pipeline"
        return _placeholder("pp", f"Pipeline parallelism: {why}", why[0].upper() + why[1:])
    pp, m = split.pp, s.micro_batches
    slots = m + pp - 1
    rows = list(range(pp)) if pp <= 12 else [*range(10), None, pp - 1]
    left, row_h = 92, 16 if len(rows) <= 8 else 13
    cell = (W - left - 8) / slots
    step = 0.35  # seconds per slot in the animation
    body = [_text(left, 10, "time →", "pg-par-small pg-par-muted", "start")]
    for j, stage in enumerate(rows):
        y = 16 + j * (row_h + 3)
        if stage is None:
            body.append(_text(left / 2, y + row_h - 4, "⋮", "pg-par-muted"))
            continue
        first, last = p.stage_layers[stage]
        layers = f"L{first}" if first == last else f"L{first}–{last}"
        body.append(_text(left - 6, y + row_h - 4, f"S{stage + 1} · {layers}", "pg-par-small", "end"))
        body.append(_rect(left, y, cell * stage, row_h, "pg-par-bubble", 1))
        body.append(_rect(left + cell * (stage + m), y, cell * (pp - 1 - stage), row_h, "pg-par-bubble", 1))
        if slots <= 64:
            for i in range(m):
                x = left + cell * (stage + i)
                extra = f' style="animation-delay:{(stage + i) * step:.2f}s;animation-duration:{slots * step:.2f}s"'
                body.append(_rect(x + 0.5, y, cell - 1, row_h, f"pg-par-mb pg-par-c{i % PALETTE}", 1, extra))
                if cell >= 11:
                    body.append(_text(x + cell / 2, y + row_h - 4, str(i + 1), "pg-par-on-tile pg-par-tiny"))
        else:  # too many to draw one by one: the busy span as one bar
            body.append(_rect(left + cell * stage, y, cell * m, row_h, "pg-par-mb pg-par-c0", 1))
        if stage + 1 < pp and stage in rows and (stage + 1) in rows:
            edge = (stage + 1) * split.tp
            if edge % s.node == 0:  # the next stage starts on a new node
                body.append(_line(4, y + row_h + 1.5, W - 4, y + row_h + 1.5, "pg-par-boundary"))
    y = 16 + len(rows) * (row_h + 3) + 4
    body.append(_rect(left, y, 10, 8, "pg-par-bubble", 1))
    body.append(
        _text(left + 14, y + 8, f"bubble: idle {format_percent(split.bubble_fraction)}", "pg-par-small", "start")
    )
    if s.node < split.tp * split.pp:
        body.append(_line(W - 130, y + 4, W - 112, y + 4, "pg-par-boundary"))
        body.append(_text(W - 108, y + 8, "node boundary", "pg-par-small", "start"))
    label = (
        f"Pipeline parallelism, {split.label}: {m} micro-batches flow through {pp} stages; "
        f"the shaded bubble is {format_percent(split.bubble_fraction)} of the time"
    )
    return _svg("pp", y + 14, label, "".join(body))


def data(p) -> str:
    """Full copies side by side, each serving its own requests from a load balancer."""
    r = p.recommended
    split = r if r.dp > 1 else p.strategy("dp")
    d = split.dp
    drawn, more = _drawn(d)
    box_w = min((W - 20) / drawn, 110)
    x0 = (W - drawn * box_w) / 2
    body = [_rect(W / 2 - 70, 4, 140, 20, "pg-par-act"), _text(W / 2, 18, f"{p.setup.users:,} users' requests")]
    for i in range(drawn):
        x = x0 + box_w * i
        cx = x + box_w / 2
        body.append(_line(W / 2, 24, cx, 56, "pg-par-fan"))
        if more and i == drawn - 1:
            body.append(_text(cx, 100, f"… {d}", "pg-par-muted"))
            continue
        dx, dy = cx - W / 2, 32
        body.append(
            f'<circle cx="{W / 2:.1f}" cy="24" r="3" class="pg-par-request" '
            f'style="--dx:{dx:.1f}px;--dy:{dy}px;animation-delay:{i * 0.3:.2f}s"/>'
        )
        body.append(_rect(x + 4, 56, box_w - 8, 74, f"pg-par-gpu pg-par-c{i % PALETTE}-edge"))
        for layer in range(4):  # a full stack of layers in every copy
            body.append(_rect(x + 10, 62 + layer * 12, box_w - 20, 8, f"pg-par-c{i % PALETTE}", 1))
        body.append(_text(cx, 124, f"R{i + 1}", "pg-par-small"))
    per = f"{format_bytes(split.per_gpu_bytes)} per GPU" + ("" if split.fits else ", does not fit")
    body.append(_text(W / 2, 146, f"≤ {split.users_per_replica:,} users each · {per}", "pg-par-small"))
    body.append(_text(W / 2, 160, "no traffic between replicas per token", "pg-par-small pg-par-muted"))
    label = f"Data parallelism, {split.label}: {d} full copies each serve their own requests"
    return _svg("dp", 168, label, "".join(body))


def experts(p) -> str:
    """Experts placed whole on GPUs; a token is dispatched to its top-k experts and gathered back (all-to-all)."""
    split = p.strategy("ep")
    if split is None:
        return ""
    if not split.valid:
        note = split.note[0].upper() + split.note[1:]
        return _placeholder("ep", f"Expert parallelism: {split.note}", note)
    a, e = p.setup.arch, split.ep
    drawn, more = _drawn(e)
    box_w = min((W - 20) / drawn, 110)
    x0 = (W - drawn * box_w) / 2
    real = drawn - (1 if more else 0)
    k = min(a.num_experts_per_tok, real)
    hot = {j * real // k for j in range(k)}  # the GPUs this token's experts sit on, spread for legibility
    body = [_rect(W / 2 - 60, 4, 120, 20, "pg-par-act"), _text(W / 2, 18, f"router: top-{a.num_experts_per_tok}")]
    for i in range(drawn):
        x = x0 + box_w * i
        cx = x + box_w / 2
        if more and i == drawn - 1:
            body.append(_rect(x + 4, 60, box_w - 8, 70, "pg-par-gpu"))
            body.append(_text(cx, 100, f"… {e}", "pg-par-muted"))
            continue
        routed = i in hot
        cls = "pg-par-link pg-par-flow" if routed else "pg-par-fan"
        body.append(_line(W / 2, 24, cx, 60, cls))
        body.append(_rect(x + 4, 60, box_w - 8, 70, "pg-par-gpu"))
        for j in range(min(split.experts_per_gpu, 6)):  # expert blocks, lit where this token is routed
            ex, ey = x + 9 + (j % 2) * (box_w - 18) / 2, 66 + (j // 2) * 16
            lit = " pg-par-expert-hot pg-par-pulse" if routed and j == 0 else ""
            body.append(_rect(ex, ey, (box_w - 22) / 2, 12, "pg-par-expert" + lit, 2))
        body.append(_text(cx, 124, f"GPU {i + 1}" if box_w >= 56 else f"#{i + 1}", "pg-par-small"))
    many = "expert" if split.experts_per_gpu == 1 else "experts"
    body.append(_text(W / 2, 146, f"{split.experts_per_gpu} {many} per GPU · {split.label}", "pg-par-small"))
    body.append(_text(W / 2, 160, "all-to-all: dispatch to experts, combine back", "pg-par-small pg-par-muted"))
    label = (
        f"Expert parallelism, {split.label}: {split.experts_per_gpu} of {a.n_routed_experts} experts whole on "
        f"each GPU; tokens travel to their top-{a.num_experts_per_tok} experts and back"
    )
    return _svg("ep", 168, label, "".join(body))
