"""CPython per-keystroke render cost of every widget, the way the browser renders (deferral on).

Run: python bench/render_profile.py [WIDGET ...] [--profile] [--first]

- typed: the browser benchmark's keystrokes (bench/interaction.py): a digit typed at the end of the
  field's default, then Backspace, alternately, digits 1..9 (so values repeat: caches may help).
- fresh: values of the same size never rendered before (no cache keyed on the field can help).
- --profile: cProfile over the fresh renders, the top functions by own time and by cumulative time.
- --first: serving's first keystroke in a new process (every cache cold), and its deferred sweep.
Medians in ms. Not a test: timings vary by machine.
"""

import cProfile
import pstats
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.interaction import FIELDS  # noqa: E402
from site_py import html, registry, widget  # noqa: E402

ROUNDS = 5  # the typed sequence is replayed this often
FRESH = 60  # fresh values per widget


def _render(module, values) -> float:
    """One deferred render (what a keystroke costs before its frame), in seconds."""
    start = time.perf_counter()
    with html.deferring():
        out, error = widget.update(module, values)
    elapsed = time.perf_counter() - start
    assert error is None, error
    return elapsed


def typed_values(default: str) -> list[str]:
    """The benchmark's 40 keystrokes: default + digit, then default again."""
    return [default + str(1 + (i // 2) % 9) if i % 2 == 0 else default for i in range(40)]


def fresh_values(name: str, default: str) -> list[str]:
    """FRESH distinct values near what the benchmark types (default + one digit), none of them typed."""
    if "." in default:  # "0.1" -> 0.1000 ... 0.1059: the same magnitude as 0.11 ... 0.19
        return [f"{default}0{k:02d}" for k in range(FRESH)]
    base = int(default) * 10
    return [str(base - FRESH // 2 + k) for k in range(FRESH) if (base - FRESH // 2 + k) % 10 or k == 0]


def measure(name: str) -> dict:
    module = registry.get(name)
    field = FIELDS[name]
    values = widget.defaults(module)
    _render(module, values)  # warm: the page's first render is the prerendered one
    typed = [_render(module, {**values, field: v}) for _ in range(ROUNDS) for v in typed_values(values[field])]
    fresh = [_render(module, {**values, field: v}) for v in fresh_values(name, values[field])]
    return {"typed_ms": statistics.median(typed) * 1e3, "fresh_ms": statistics.median(fresh) * 1e3}


def profile(name: str, top: int = 25) -> None:
    module = registry.get(name)
    field = FIELDS[name]
    values = widget.defaults(module)
    _render(module, values)
    fresh = fresh_values(name, values[field] + "7")  # unseen by measure()
    prof = cProfile.Profile()
    prof.enable()
    for v in fresh:
        _render(module, {**values, field: v})
    prof.disable()
    for key in ("tottime", "cumulative"):
        print(f"--- {name}: {len(fresh)} fresh renders, by {key}")
        pstats.Stats(prof).sort_stats(key).print_stats(top)


def _first_keystroke() -> None:
    """In a fresh process: serving's first keystroke, then its deferred blocks (the sweep)."""
    module = registry.get("serving")
    values = widget.defaults(module)
    start = time.perf_counter()
    with html.deferring():
        out, _ = widget.update(module, {**values, "request_rate": values["request_rate"] + "1"})
    mid = time.perf_counter()
    for n in html._DEFER_ID.findall(out):
        html.build_deferred(int(n))
    end = time.perf_counter()
    print(f"{(mid - start) * 1e3:.3f} {(end - mid) * 1e3:.3f}")


def first_keystroke(runs: int = 5) -> None:
    keys, deferred = [], []
    for _ in range(runs):
        out = subprocess.run([sys.executable, __file__, "--first-child"], capture_output=True, text=True, check=True)
        a, b = map(float, out.stdout.split())
        keys.append(a)
        deferred.append(b)
    print(
        f"serving first keystroke: render {statistics.median(keys):.1f} ms, "
        f"deferred blocks {statistics.median(deferred):.1f} ms (median of {runs} new processes)"
    )


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if "--first-child" in sys.argv:
        _first_keystroke()
        return
    names = args or list(registry.WIDGETS)
    for name in names:
        if name not in FIELDS:
            continue
        if "--profile" in sys.argv:
            profile(name)
        r = measure(name)
        print(f"{name:9s} {FIELDS[name]:17s} typed {r['typed_ms']:7.3f} ms   fresh {r['fresh_ms']:7.3f} ms")
    if "--first" in sys.argv:
        first_keystroke()


if __name__ == "__main__":
    main()
