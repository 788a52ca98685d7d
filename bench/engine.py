"""CPython timings: one full VRAM evaluation, and one full recompute of every section's widget.

Run: python bench/engine.py [--json]. Targets: a VRAM evaluation < 1 ms, a section recompute < 1 ms of
engine work (the widget's HTML rendering is reported too). A section is timed on values of the browser
benchmark's field that it has not seen before (bench/render_profile.py's fresh values), after one render
of the defaults, so caches of exact values cannot answer. Not a test: timings vary by machine.
"""

import json
import statistics
import sys
import time
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.interaction import FIELDS  # noqa: E402
from bench.render_profile import fresh_values  # noqa: E402
from playground.recommend import plan  # noqa: E402
from site_py import html, registry, widget  # noqa: E402

CASES = (("llama-3.1-8b", "bf16", 1, 8192), ("llama-3.1-405b", "fp8", 32, 32768), ("glm-5", "int4", 64, 131072))


FRESH_TIMED = 40


def _best_seconds(fn, runs: int) -> float:
    return min(timeit.repeat(fn, number=runs, repeat=5)) / runs


def _fresh_seconds(fn, defaults: dict[str, str], field: str, batch: int) -> float:
    """Median seconds of fn(values) over new values of one field (deferral on, as in the browser); each
    batch takes other values, so the render timing does not reuse what the compute timing cached."""
    fn(defaults)  # what the page's idle warm-up pays once
    times = []
    for v in fresh_values(defaults[field])[batch * FRESH_TIMED : (batch + 1) * FRESH_TIMED]:
        values = {**defaults, field: v}
        with html.deferring():
            start = time.perf_counter()
            fn(values)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def timings() -> dict:
    """Seconds per call: VRAM plans by case, and each widget's compute (engine) and render (engine + HTML)."""
    out = {"vram_plan_s": {}, "section_compute_s": {}, "section_render_s": {}}
    for case in CASES:
        out["vram_plan_s"][f"{case[0]} {case[1]} {case[2]}x{case[3]}"] = _best_seconds(lambda c=case: plan(*c), 500)
    for name in registry.WIDGETS:
        try:
            module = registry.get(name)
        except ImportError:
            continue
        values, field = widget.defaults(module), FIELDS[name]
        if hasattr(module, "compute"):
            out["section_compute_s"][name] = _fresh_seconds(module.compute, values, field, 0)
        out["section_render_s"][name] = _fresh_seconds(lambda v, m=module: widget.update(m, v), values, field, 1)
    return out


def main() -> None:
    result = timings()
    if "--json" in sys.argv:
        print(json.dumps(result, indent=2))
        return
    for group, rows in result.items():
        for key, seconds in rows.items():
            print(f"{group:18s} {key:34s} {seconds * 1e3:8.3f} ms")


if __name__ == "__main__":
    main()
