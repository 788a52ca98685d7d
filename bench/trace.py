"""Where a keystroke's frame goes: a Chromium trace of typing into one widget, summed by main-thread task.

Run after a build: python bench/trace.py WIDGET [--embed] [--keys N]. Prints, per trace event name on the
renderer's main thread, the total and per-key milliseconds (style, layout, paint, script, Python via
FunctionCall...), so a slow keystroke can be pinned on a cause. A developer tool, not part of the tests.
"""

import collections
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.interaction import FIELDS  # noqa: E402
from tests.browser.conftest import CHROMIUM, FLAGS  # noqa: E402
from tests.browser.server import SiteServer  # noqa: E402

SITE = Path(os.environ.get("PG_SITE_DIR", ROOT / "site"))
CATEGORIES = os.environ.get("PG_TRACE_CATEGORIES", "devtools.timeline,blink")
SHOWN = 25


def main() -> None:
    from playwright.sync_api import sync_playwright

    widget = sys.argv[1]
    keys = int(sys.argv[sys.argv.index("--keys") + 1]) if "--keys" in sys.argv else 20
    path = f"embed/{widget}/" if "--embed" in sys.argv else ""
    with SiteServer(str(SITE), gzip_enabled=True) as srv, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_context(service_workers="block", viewport={"width": 1280, "height": 900}).new_page()
        page.goto(srv.url + path)
        page.wait_for_selector("html[data-pg-ready='true']", state="attached", timeout=120_000)
        sel = f"#pg-{widget}-{FIELDS[widget]}"
        if "--eval" in sys.argv:  # try a change on the live page before typing (an experiment)
            page.evaluate(sys.argv[sys.argv.index("--eval") + 1])
        page.click(sel)
        page.keyboard.press("End")
        page.wait_for_timeout(500)
        trace = Path(os.environ.get("PG_TRACE_FILE") or Path(tempfile.mkdtemp()) / "trace.json")
        browser.start_tracing(page=page, path=str(trace), categories=CATEGORIES.split(","))
        for i in range(keys):
            page.keyboard.press("Digit3" if i % 2 == 0 else "Backspace")
            page.wait_for_timeout(90)
        page.wait_for_timeout(500)
        browser.stop_tracing()
        browser.close()
    events = json.loads(trace.read_text())
    events = events["traceEvents"] if isinstance(events, dict) else events
    main_tids = {
        (e["pid"], e["tid"])
        for e in events
        if e.get("name") == "thread_name" and e.get("args", {}).get("name") == "CrRendererMain"
    }
    total = collections.Counter()
    count = collections.Counter()
    for e in events:
        if (e.get("pid"), e.get("tid")) in main_tids and e.get("ph") == "X" and "dur" in e:
            total[e["name"]] += e["dur"] / 1e3
            count[e["name"]] += 1
    if "--timeline" in sys.argv:
        timeline(events, main_tids)
    per_key(events, main_tids)
    for name in (
        "FireAnimationFrame",
        "WebFrameWidgetImpl::UpdateLifecycle",
        "TimerFire",
        "HitTest",
        "Document::recalcStyle",
    ):
        durs = [
            e["dur"] / 1e3
            for e in events
            if (e.get("pid"), e.get("tid")) in main_tids and e.get("name", "") == name and "dur" in e
        ]
        big = sorted(d for d in durs if d >= 1)
        if big:
            print(
                f"{name}: {len(big)} over 1 ms, median {statistics.median(big):.1f}, sum per key {sum(durs) / keys:.1f}"
            )
    print(f"{widget}{' (embed)' if path else ''}: {keys} keys; main-thread events, ms per key (count)")
    for name, ms in total.most_common(SHOWN):
        print(f"  {ms / keys:8.2f}  {name} ({count[name]})")


PHASES = {
    "FireAnimationFrame": "render (rAF)",
    "TimerFire": "timers",
    "UpdateLayoutTree": "style",
    "Layout": "layout",
    "PrePaint": "prepaint",
    "Paint": "paint",
    "LayoutView::HitTest": "hit test",
    "ParseHTML": "parse",
}


def per_key(events, main_tids) -> None:
    """Median main-thread milliseconds per keystroke, by phase (outermost events of each name only)."""
    mine = sorted(
        (e for e in events if (e.get("pid"), e.get("tid")) in main_tids and e.get("ph") == "X" and "dur" in e),
        key=lambda e: e["ts"],
    )
    keys = [
        e["ts"]
        for e in mine
        if e["name"] == "EventDispatch" and e.get("args", {}).get("data", {}).get("type") == "keydown"
    ]
    rows = collections.defaultdict(list)
    for a, b in zip(keys, keys[1:] + [keys[-1] + 90_000]):
        sums, ends = collections.Counter(), {}
        for e in mine:
            name = PHASES.get(e["name"])
            if name and a <= e["ts"] < b and e["ts"] >= ends.get(name, 0):
                sums[name] += e["dur"] / 1e3
                ends[name] = e["ts"] + e["dur"]
        for name in set(PHASES.values()):
            rows[name].append(sums[name])
        # The critical path: from the key to the end of the frame that drew its render (in the input
        # handler or an animation-frame callback, whichever ran it: the first painting frame after both).
        inputs = [
            e
            for e in mine
            if e["name"] == "EventDispatch"
            and a <= e["ts"] < b
            and e.get("args", {}).get("data", {}).get("type") == "input"
        ]
        raf = next(
            (e for e in mine if e["name"] == "FireAnimationFrame" and a <= e["ts"] < b and e["dur"] > 1000), None
        )
        after = max([e["ts"] + e["dur"] for e in inputs] + ([raf["ts"]] if raf else []), default=None)
        frame = after and next(
            (
                e
                for e in mine
                if e["name"] == "WebFrameWidgetImpl::UpdateLifecycle" and e["ts"] >= after and e["dur"] > 1000
            ),
            None,
        )
        if frame:
            rows["key to frame end"].append((frame["ts"] + frame["dur"] - a) / 1e3)
    print("per key, median ms: " + ", ".join(f"{k} {statistics.median(v):.1f}" for k, v in sorted(rows.items())))


def timeline(events, main_tids) -> None:
    """Top-level main-thread tasks of the first keys, with what ran inside them, in time order."""
    tops = sorted(
        (e for e in events if (e.get("pid"), e.get("tid")) in main_tids and e.get("ph") == "X" and "dur" in e),
        key=lambda e: (e["ts"], -e["dur"]),
    )
    t0, end = None, 0
    for e in tops:
        if e["name"] in ("EventDispatch",) and t0 is None:
            t0 = e["ts"]
        if t0 is None or e["ts"] - t0 > 400_000:
            continue
        data = e.get("args", {}).get("data", {})
        what = data.get("type") or data.get("functionName") or data.get("url", "")[-40:] or ""
        if e["dur"] >= 300:
            depth = "  " if e["ts"] < end else ""
            print(f"{(e['ts'] - t0) / 1e3:8.1f} {e['dur'] / 1e3:6.1f} {depth}{e['name']} {what}")
        if e["ts"] >= end:
            end = e["ts"] + e["dur"]


if __name__ == "__main__":
    main()
