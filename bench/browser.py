"""Browser benchmark: what a visitor waits for, measured in headless Chromium against the built site.

Serves site/ gzip-compressed (as GitHub Pages does) on 127.0.0.1, then for a cold and a warm visit
measures first contentful paint, when the prerendered numbers are visible, when Python is live, the
bare-Pyodide floor on an empty page, input -> DOM update latency (p50/p95 over 60 updates per
widget), bytes transferred and main-thread long tasks during boot. Adds the CPython timings from
bench/engine.py. Writes bench/results.json and bench/results.md and refreshes the README table.

Run: nox -s bench (builds first), or python bench/browser.py after a build.
"""

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.engine import timings  # noqa: E402
from tests.browser.conftest import CHROMIUM, FLAGS  # noqa: E402
from tests.browser.server import SiteServer  # noqa: E402

SITE = ROOT / "site"
UPDATES = 60
FLOOR_PAGE = """<!doctype html><meta charset="utf-8"><title>floor</title><script type="module">
import { loadPyodide } from "../assets/runtime/pyodide/pyodide.mjs";
const t0 = performance.now();
const py = await loadPyodide({ indexURL: "../assets/runtime/pyodide/" });
py.runPython("1 + 1");
window.__floor = performance.now(); window.__floorBoot = performance.now() - t0;
</script>"""
# The same boot through PyScript with an empty script: what the customer's PyScript design costs by itself.
PYSCRIPT_FLOOR_PAGE = """<!doctype html><meta charset="utf-8"><title>pyscript floor</title>
<script type="module" src="../assets/runtime/pyscript/core.js"></script>
<script type="py" config='{"interpreter": "../assets/runtime/pyodide/pyodide.mjs"}'>
import js
js.window.__floor = js.performance.now()
</script>"""
# Recorded from the very start of each page: paint of the first number, Python-ready, long tasks.
PROBE = """
window.__pg = { longTasks: [] };
new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__pg.longTasks.push(e.duration)))
  .observe({ type: "longtask", buffered: true });
document.addEventListener("pg:ready", () => { window.__pg.ready = performance.now(); });
new MutationObserver((_, obs) => {
  if (document.querySelector("output[data-key]")) { window.__pg.numbers = performance.now(); obs.disconnect(); }
}).observe(document, { childList: true, subtree: true });
"""
UPDATE_LATENCY = """async ([sel, values]) => {
  const el = document.querySelector(sel); const out = [];
  for (let i = 0; i < values.length; i++) {
    el.value = values[i];
    const t0 = performance.now();
    el.dispatchEvent(new Event("input", { bubbles: true }));  // the Python handler runs synchronously
    out.push(performance.now() - t0);
    await new Promise((r) => requestAnimationFrame(r));
  }
  return out;
}"""
# One text input per widget to hammer, with a sequence of valid values.
INPUTS = {
    "vram": "users",
    "quantize": "value",
    "parallel": "gpus",
    "serving": "request_rate",
    "cost": "requests_per_day",
    "moe": "batch",
}


def _transfer(page) -> dict:
    entries = page.evaluate(
        "() => [performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource')]"
        ".map(e => [e.transferSize, e.encodedBodySize, e.decodedBodySize])"
    )
    return {
        "transfer_bytes": sum(e[0] for e in entries),
        "compressed_bytes": sum(e[1] for e in entries),
        "uncompressed_bytes": sum(e[2] for e in entries),
        "requests": len(entries),
    }


def _visit(page, url: str) -> dict:
    page.goto(url)
    page.wait_for_selector("html[data-pg-ready='true']", state="attached", timeout=120_000)
    fcp = page.evaluate("performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null")
    probe = page.evaluate("window.__pg")
    return {
        "fcp_ms": fcp,
        "numbers_ms": probe.get("numbers"),
        "ready_ms": probe.get("ready"),
        "long_tasks": len(probe["longTasks"]),
        "long_task_ms": round(sum(probe["longTasks"]), 1),
        **_transfer(page),
    }


def _floor(page, url: str) -> float:
    page.goto(url)
    page.wait_for_function("window.__floor !== undefined", timeout=120_000)
    return page.evaluate("window.__floor")


def _latency(page) -> dict:
    result = {}
    for name, field in INPUTS.items():
        sel = f"#pg-{name}-{field}"
        if not page.query_selector(sel):
            continue
        original = page.input_value(sel)
        values = [str(v) for v in _values(name, original)]
        times = page.evaluate(UPDATE_LATENCY, [sel, values])
        page.evaluate(UPDATE_LATENCY, [sel, [original]])
        times.sort()
        result[name] = {
            "p50_ms": round(statistics.median(times), 2),
            "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2),
            "n": len(times),
        }
    return result


def _values(name: str, original: str) -> list:
    try:
        base = float(original)
    except ValueError:
        base = 1.0
    if name == "quantize":
        return [round(base * (1 + i / 100), 6) for i in range(UPDATES)]
    return [max(1, int(base) + i + 1) for i in range(UPDATES)]


def run() -> dict:
    from playwright.sync_api import sync_playwright

    floor_dir = SITE / "__bench"
    floor_dir.mkdir(exist_ok=True)
    (floor_dir / "floor.html").write_text(FLOOR_PAGE)
    (floor_dir / "pyscript.html").write_text(PYSCRIPT_FLOOR_PAGE)
    results = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}",
        "chromium": subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout.strip(),
        "date": time.strftime("%Y-%m-%d"),
    }
    try:
        with SiteServer(str(SITE), gzip_enabled=True) as srv, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            # Fresh contexts, so "cold" means an empty HTTP cache; the service worker is blocked so the
            # network path is measured, not the offline cache.
            floor_ctx = browser.new_context(service_workers="block")
            floor_page = floor_ctx.new_page()
            floor_cold = _floor(floor_page, srv.url + "__bench/floor.html")
            floor_warm = _floor(floor_page, srv.url + "__bench/floor.html")
            floor_ctx.close()
            ps_ctx = browser.new_context(service_workers="block")
            ps_page = ps_ctx.new_page()
            ps_cold = _floor(ps_page, srv.url + "__bench/pyscript.html")
            ps_warm = _floor(ps_page, srv.url + "__bench/pyscript.html")
            ps_ctx.close()
            ctx = browser.new_context(service_workers="block")
            ctx.add_init_script(PROBE)
            page = ctx.new_page()
            cold = _visit(page, srv.url)
            warm = _visit(page, srv.url)
            results["cold"] = {
                **cold,
                "floor_ms": floor_cold,
                "ready_over_floor": cold["ready_ms"] / floor_cold,
                "pyscript_floor_ms": ps_cold,
                "ready_over_pyscript_floor": cold["ready_ms"] / ps_cold,
            }
            results["warm"] = {
                **warm,
                "floor_ms": floor_warm,
                "ready_over_floor": warm["ready_ms"] / floor_warm,
                "pyscript_floor_ms": ps_warm,
                "ready_over_pyscript_floor": warm["ready_ms"] / ps_warm,
            }
            results["update_latency"] = _latency(page)
            browser.close()
    finally:
        (floor_dir / "floor.html").unlink()
        (floor_dir / "pyscript.html").unlink()
        floor_dir.rmdir()
    results["cpython"] = timings()
    return results


def markdown(r: dict) -> str:
    """The results as the README's table."""
    rows = ["| Measure | Cold | Warm | Target |", "|---|---|---|---|"]
    c, w = r["cold"], r["warm"]

    def ms(v):
        return "—" if v is None else f"{v:,.0f} ms"

    rows += [
        f"| First contentful paint | {ms(c['fcp_ms'])} | {ms(w['fcp_ms'])} | |",
        f"| Prerendered numbers in the DOM | {ms(c['numbers_ms'])} | {ms(w['numbers_ms'])} | before Python |",
        f"| Python ready (widgets live) | {ms(c['ready_ms'])} | {ms(w['ready_ms'])} | |",
        f"| Bare Pyodide boot, empty page (floor) | {ms(c['floor_ms'])} | {ms(w['floor_ms'])} | |",
        f"| Ready / floor | {c['ready_over_floor']:.2f} | {w['ready_over_floor']:.2f} | ≤ 1.15 |",
        f"| PyScript + Pyodide, empty script (PyScript floor) | {ms(c['pyscript_floor_ms'])} | "
        f"{ms(w['pyscript_floor_ms'])} | |",
        f"| Ready / PyScript floor | {c['ready_over_pyscript_floor']:.2f} | {w['ready_over_pyscript_floor']:.2f} | |",
        f"| Transferred (compressed) | {c['transfer_bytes'] / 1e6:.2f} MB | {w['transfer_bytes'] / 1e6:.2f} MB "
        f"| ≤ 6 MB first visit |",
        f"| Uncompressed size | {c['uncompressed_bytes'] / 1e6:.2f} MB | | |",
        f"| Long tasks during boot | {c['long_tasks']} ({c['long_task_ms']:,.0f} ms) | {w['long_tasks']} "
        f"({w['long_task_ms']:,.0f} ms) | |",
    ]
    for name, lat in r["update_latency"].items():
        rows.append(
            f"| Input → DOM, {name} (p50 / p95, n={lat['n']}) | {lat['p50_ms']} / {lat['p95_ms']} ms | | p95 ≤ 16 ms |"
        )
    for name, s in r["cpython"]["section_compute_s"].items():
        rows.append(f"| CPython recompute, {name} (engine) | {s * 1e3:.3f} ms | | ≤ 1 ms |")
    for name, s in r["cpython"]["vram_plan_s"].items():
        rows.append(f"| CPython VRAM plan, {name} | {s * 1e3:.3f} ms | | ≤ 1 ms |")
    head = f"Measured {r['date']} on {r['machine']}; {r['chromium']}; site served gzip-compressed on 127.0.0.1."
    return head + "\n\n" + "\n".join(rows) + "\n"


def main() -> None:
    results = run()
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    table = markdown(results)
    (ROOT / "bench" / "results.md").write_text(table)
    readme = ROOT / "README.md"
    text = readme.read_text()
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    if start in text and end in text:
        readme.write_text(text[: text.index(start) + len(start)] + "\n" + table + text[text.index(end) :])
    print(table)


if __name__ == "__main__":
    main()
