"""Keystroke input-to-next-paint, the way the browser itself measures it (Event Timing, the data behind INP).

Trusted key presses (Playwright's keyboard goes through the DevTools input pipeline, like a real keyboard)
type into one text field per widget; the page records every `event` entry of at least 16 ms (the
smallest threshold the API allows) and every long animation frame. A keystroke's latency is the longest
duration among its events (keydown, beforeinput, input, keyup share one interactionId): from the key's
hardware timestamp to the next frame presented after its handlers ran. Keystrokes with no entry took
less than 16 ms and are counted as 16 ms, an upper bound.
"""

import statistics

# Installed before any page script: buffered observers, so nothing is missed while the page boots.
EVENT_PROBE = """
window.__pgEvents = []; window.__pgLoaf = []; window.__pgRenders = [];
try {
  const keep = (e) => window.__pgEvents.push({ name: e.name, id: e.interactionId, start: e.startTime,
    ps: e.processingStart, pe: e.processingEnd, dur: e.duration, target: (e.target && e.target.id) || "" });
  new PerformanceObserver((l) => l.getEntries().forEach(keep))
    .observe({ type: "event", durationThreshold: 16, buffered: true });
  new PerformanceObserver((l) => l.getEntries().forEach(keep)).observe({ type: "first-input", buffered: true });
  new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__pgLoaf.push({
    start: e.startTime, dur: e.duration, blocking: e.blockingDuration,
    scripts: e.scripts.reduce((t, s) => t + s.duration, 0),
    layout: e.styleAndLayoutStart ? e.startTime + e.duration - e.styleAndLayoutStart : 0 })))
    .observe({ type: "long-animation-frame", buffered: true });
  new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__pgRenders.push(
    { name: e.name, start: e.startTime, dur: e.duration })))
    .observe({ type: "measure", buffered: true });
} catch (err) { console.warn("bench probe: " + err); }
"""
KEYSTROKES = 40  # per widget and page: 20 digits typed at the end of the field, each followed by Backspace
INTERVAL_MS = 90  # a fast typist's pace (~11 keys/s); a paint is due well before the next key
KEY_EVENTS = {"keydown", "keypress", "keyup", "beforeinput", "input"}
FIELDS = {
    "vram": "users",
    "quantize": "value",
    "parallel": "gpus",
    "serving": "request_rate",
    "cost": "requests_per_day",
    "moe": "batch",
}


def _p75(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.75 * len(ordered)))]


def burst(page, widget: str, field: str) -> dict:
    """Type KEYSTROKES keys into one field and read back what the browser measured for them."""
    sel = f"#pg-{widget}-{field}"
    page.click(sel)
    page.keyboard.press("End")
    page.wait_for_timeout(300)  # let the click's own frame and any pending render settle
    t0 = page.evaluate("performance.now()")
    for i in range(KEYSTROKES):
        page.keyboard.press(f"Digit{1 + (i // 2) % 9}" if i % 2 == 0 else "Backspace")
        page.wait_for_timeout(INTERVAL_MS)
    page.wait_for_timeout(500)  # entries are delivered after the frame is presented
    t1 = page.evaluate("performance.now()")
    events, loaf, renders = page.evaluate(
        "([t0, t1]) => [window.__pgEvents, window.__pgLoaf, window.__pgRenders]"
        ".map((l) => l.filter((e) => e.start >= t0 && e.start <= t1))",
        [t0, t1],
    )
    by_key: dict[int, dict] = {}
    for e in events:
        if e["name"] in KEY_EVENTS and e["id"] and e["target"] == sel[1:]:
            worst = by_key.get(e["id"])
            if worst is None or e["dur"] > worst["dur"]:
                by_key[e["id"]] = e
    durations = [e["dur"] for e in by_key.values()] + [16.0] * max(0, KEYSTROKES - len(by_key))
    worst = max(by_key.values(), key=lambda e: e["dur"], default=None)
    own = [r["dur"] for r in renders if r["name"] == f"pg:render:{widget}"]
    return {
        "n": KEYSTROKES,
        "durations_ms": sorted(durations),
        "over_16ms": len(by_key),
        "p75_ms": _p75(durations),
        "worst_ms": max(durations),
        # The worst keystroke split: waiting for the main thread, running handlers, then to the paint.
        "worst_split_ms": None
        if worst is None
        else [
            round(worst["ps"] - worst["start"], 1),
            round(worst["pe"] - worst["ps"], 1),
            round(worst["start"] + worst["dur"] - worst["pe"], 1),
        ],
        "long_frames": len(loaf),
        "long_frame_worst_ms": round(max((f["dur"] for f in loaf), default=0), 1),
        "long_frame_blocking_ms": round(sum(f["blocking"] for f in loaf), 1),
        # Where long frames went: script (Python included) vs style, layout and paint, medians.
        "long_frame_script_ms": round(statistics.median(f["scripts"] for f in loaf), 1) if loaf else 0,
        "long_frame_layout_ms": round(statistics.median(f["layout"] for f in loaf), 1) if loaf else 0,
        "renders": len(own),
        "render_p50_ms": round(statistics.median(own), 2) if own else None,
    }


def measure(page, widgets=FIELDS) -> dict:
    """One burst per widget present on the page."""
    out = {}
    for name, field in widgets.items():
        if page.query_selector(f"#pg-{name}-{field}"):
            out[name] = burst(page, name, field)
    return out
