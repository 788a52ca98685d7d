"""Time one full VRAM evaluation (estimate + recommendation), the work a widget does per keystroke.

Run: python bench/engine.py. Target: under 1 ms per call in CPython. Not a test: timings vary by machine.
"""

import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playground.recommend import recommend  # noqa: E402
from playground.vram import estimate  # noqa: E402

CASES = (("llama-3.1-8b", "bf16", 1, 8192), ("llama-3.1-405b", "fp8", 32, 32768), ("glm-5", "int4", 64, 131072))


def evaluate(model, precision, users, context):
    """What the page does: estimate, pick GPUs, re-estimate on the pick."""
    rec = recommend(estimate(model, precision, users, context))
    return estimate(model, precision, users, context, gpu=rec.gpu, gpus=rec.gpu_count)


def main() -> None:
    for case in CASES:
        runs = 2000
        best = min(timeit.repeat(lambda case=case: evaluate(*case), number=runs, repeat=5)) / runs
        print(f"{case[0]:15s} {case[1]:5s} users={case[2]:<4d} context={case[3]:<7d} {best * 1e6:8.1f} µs per call")


if __name__ == "__main__":
    main()
