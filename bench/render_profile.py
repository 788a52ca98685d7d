"""CPython per-keystroke render cost of every widget, the way the browser renders (deferral on).

Run: python bench/render_profile.py [WIDGET[:FIELD] ...] [--runs N] [--repo PATH] [--profile] [--first]

- WIDGET:FIELD types into another number field than the benchmark's (e.g. quantize:batch).
- typed: the browser benchmark's keystrokes (bench/interaction.py): a digit typed at the end of the
  field's default, then Backspace, alternately, digits 1..9 (so values repeat and caches may help).
- fresh: 120 values of about the same size that were never rendered before in that process (a cache of
  exact values cannot help), e.g. users 100 ... 229 without 161 ... 169 for the default 16.
- Each of the N runs (default 5) is a new process; a value's time is its fastest over the runs, which
  filters out what other processes on a busy machine add. Reported: the median over the values, in ms.
- --repo PATH: measure another checkout of the project (e.g. the main branch, for a before/after).
- --profile: cProfile over the fresh renders, the top functions by own time and by cumulative time.
- --first: serving's first keystroke in a new process (every cache cold), and its deferred blocks (the
  latency-vs-rate sweep), fastest of N processes.
Not a test: timings vary by machine.
"""

import cProfile
import json
import pstats
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's bench/, whatever --repo is

from bench.interaction import FIELDS  # noqa: E402

FRESH = 120


def typed_values(default: str) -> list[str]:
    """The benchmark's 40 keystrokes: default + digit, then default again."""
    return [default + str(1 + (i // 2) % 9) if i % 2 == 0 else default for i in range(40)]


def fresh_values(default: str) -> list[str]:
    """FRESH distinct values near what the benchmark types (default + one digit), none of them typed."""
    if "." in default:  # "0.1" -> 0.10000 ... 0.10119: the same magnitude as 0.11 ... 0.19
        return [f"{default}0{k:03d}" for k in range(FRESH)]
    start = max(1, int(default) * 10 - FRESH // 2)
    typed = {default, *typed_values(default)}
    return [v for v in map(str, range(start, start + FRESH + 10)) if v not in typed][:FRESH]


def _child(repo: str, target: str, mode: str) -> None:
    """In a new process: time every render of one sequence (deferral on), print the seconds as JSON."""
    sys.path.insert(0, repo)
    from site_py import html, registry, widget

    name, _, field = target.partition(":")
    module = registry.get(name)
    field = field or FIELDS[name]
    values = widget.defaults(module)
    if mode != "first":
        widget.update(module, values)  # warm, as the page's inputs are after a first render
    else:  # serving after page load (the defaults were prerendered): its first keystroke, then the
        # blocks the page draws after that keystroke's frame
        start = time.perf_counter()
        with html.deferring():
            out, _ = widget.update(module, {**values, field: values[field] + "1"})
        mid = time.perf_counter()
        for n in html._DEFER_ID.findall(out):
            html.build_deferred(int(n))
        print(json.dumps([mid - start, time.perf_counter() - mid]))
        return
    sequence = typed_values(values[field]) if mode == "typed" else fresh_values(values[field])
    seconds = []
    for v in sequence:
        start = time.perf_counter()
        with html.deferring():
            _, error = widget.update(module, {**values, field: v})
        seconds.append(time.perf_counter() - start)
        assert error is None, error
    print(json.dumps(seconds))


def _fastest(repo: str, name: str, mode: str, runs: int) -> list[float]:
    """Each render's fastest time over `runs` new processes."""
    best = None
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, __file__, "--child", repo, name, mode], capture_output=True, text=True, check=True
        )
        times = json.loads(out.stdout)
        best = times if best is None else [min(a, b) for a, b in zip(best, times, strict=True)]
    return best


def profile(repo: str, target: str, top: int = 25) -> None:
    sys.path.insert(0, repo)
    from site_py import html, registry, widget

    name, _, field = target.partition(":")
    module = registry.get(name)
    field = field or FIELDS[name]
    values = widget.defaults(module)
    widget.update(module, values)
    prof = cProfile.Profile()
    prof.enable()
    for v in fresh_values(values[field]):
        with html.deferring():
            widget.update(module, {**values, field: v})
    prof.disable()
    for key in ("tottime", "cumulative"):
        print(f"--- {target}: {FRESH} fresh renders, by {key}")
        pstats.Stats(prof).sort_stats(key).print_stats(top)


def main() -> None:
    args = sys.argv[1:]
    if args and args[0] == "--child":
        _child(*args[1:4])
        return
    runs = int(args[args.index("--runs") + 1]) if "--runs" in args else 5
    repo = args[args.index("--repo") + 1] if "--repo" in args else str(Path(__file__).resolve().parents[1])
    targets = [a for a in args if a.partition(":")[0] in FIELDS] or list(FIELDS)
    for target in targets:
        if "--profile" in args:
            profile(repo, target)
        typed = statistics.median(_fastest(repo, target, "typed", runs)) * 1e3
        fresh = statistics.median(_fastest(repo, target, "fresh", runs)) * 1e3
        name, _, field = target.partition(":")
        print(f"{name:9s} {field or FIELDS[name]:17s} typed {typed:7.3f} ms   fresh {fresh:7.3f} ms")
    if "--first" in args:
        render_s, deferred_s = _fastest(repo, "serving", "first", runs)
        print(f"serving first keystroke: render {render_s * 1e3:.1f} ms, deferred blocks {deferred_s * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
