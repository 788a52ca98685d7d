"""Fit the speed model's efficiencies to measured benchmarks and write playground/calibration.py.

    python calibration/fit.py            # fit, report, write the data module (what `nox -s calibrate` runs)
    python calibration/fit.py --check    # fit and compare with the committed module (the test does this)
    python calibration/fit.py --quick    # skip leave-one-group-out (the slow part)

Data: calibration/throughput-measured.jsonl (vendored from public sources, each record names its own).
The fit uses TensorRT-LLM's offline maximum-throughput runs the catalog can express, minus a held-out
fifth of the model x GPU groups (benchmarks.Case.held_out). It minimises the mean squared log error of
predicted vs measured output tokens/s with a deterministic Nelder-Mead search (pure Python, so the fit
is reproducible bit for bit on any machine). Each efficiency is fitted through a logistic transform
(stays in (0, 1)), each size or time through a log transform (stays positive).
"""

import argparse
import math
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playground import benchmarks  # noqa: E402
from playground.errors import InputError  # noqa: E402
from playground.performance import plan  # noqa: E402
from playground.speed import Efficiency, step_time_s  # noqa: E402

DATA = ROOT / "calibration" / "throughput-measured.jsonl"
DECODE = ROOT / "calibration" / "decode-mbu.jsonl"
MODULE = ROOT / "playground" / "calibration.py"
README = ROOT / "README.md"
README_START, README_END = "<!-- accuracy:start -->", "<!-- accuracy:end -->"
# name, transform, starting value (efficiency.md's kernel-level medians and tool defaults)
PARAMETERS = (
    ("bandwidth", "logit", 0.8),
    ("half_bytes", "log", 4e6),
    ("half_rows", "log", 16.0),
    ("bf16_flops", "logit", 0.6),
    ("fp8_flops", "logit", 0.5),
    ("fp4_flops", "logit", 0.4),
    ("link", "logit", 0.7),
    ("latency_s", "log", 8e-6),
    ("step_overhead_s", "log", 1e-3),
    ("activation_passes", "log", 4.0),
)
# taken from measurements instead of the fit: offline runs at full batch cannot tell a collective's latency
# from its bandwidth, and decode at small batch (which they do not cover) is where latency matters
FIXED = {
    "latency_s": (
        8e-6,
        "all-reduce of decode-sized messages (up to 128 KiB) on H100 NVLink: about 8 us or less with NCCL in "
        "CUDA-graph mode, 3-5 us with TensorRT-LLM's and vLLM's custom all-reduce (AIConfigurator nccl-tests "
        "tables, NVIDIA/aiconfigurator systems/data; SGLang TP8 8.1 us)",
    ),
}


def _to(kind, value):
    return math.log(value / (1 - value)) if kind == "logit" else math.log(value)


def _from(kind, x):
    return 1 / (1 + math.exp(-x)) if kind == "logit" else math.exp(x)


def efficiency(x, free) -> Efficiency:
    values = {name: start for name, _, start in PARAMETERS}
    values.update({name: value for name, (value, _) in FIXED.items()})
    for (name, kind), xi in zip(free, x, strict=True):
        values[name] = _from(kind, xi)
    if "fp4_flops" not in dict(free):
        values["fp4_flops"] = values["fp8_flops"]  # no FP4 runs to fit: assume the FP8 share
    return Efficiency("calibrated", **values)


def nelder_mead(f, x0, step=0.5, iterations=3000, tolerance=1e-10):
    """Plain Nelder-Mead (deterministic): returns (x, f(x))."""
    n = len(x0)
    simplex = [list(x0)] + [[x + (step if i == j else 0) for j, x in enumerate(x0)] for i in range(n)]
    values = [f(p) for p in simplex]
    for _ in range(iterations):
        order = sorted(range(n + 1), key=values.__getitem__)
        simplex, values = [simplex[i] for i in order], [values[i] for i in order]
        if values[-1] - values[0] < tolerance:
            break
        centroid = [sum(p[j] for p in simplex[:-1]) / n for j in range(n)]
        worst = simplex[-1]
        reflect = [c + (c - w) for c, w in zip(centroid, worst, strict=True)]
        fr = f(reflect)
        if fr < values[0]:
            expand = [c + 2 * (c - w) for c, w in zip(centroid, worst, strict=True)]
            fe = f(expand)
            simplex[-1], values[-1] = (expand, fe) if fe < fr else (reflect, fr)
        elif fr < values[-2]:
            simplex[-1], values[-1] = reflect, fr
        else:
            contract = [c + 0.5 * (w - c) for c, w in zip(centroid, worst, strict=True)]
            fc = f(contract)
            if fc < values[-1]:
                simplex[-1], values[-1] = contract, fc
            else:
                best = simplex[0]
                simplex = [best] + [[b + 0.5 * (p - b) for b, p in zip(best, q, strict=True)] for q in simplex[1:]]
                values = [values[0]] + [f(p) for p in simplex[1:]]
    i = min(range(n + 1), key=values.__getitem__)
    return simplex[i], values[i]


def plans(cases):
    """(case, plan) for every case the engine can lay out; the rest with the reason it cannot."""
    answered, refused = [], []
    for c in cases:
        try:
            answered.append((c, plan(**c.kwargs())))
        except InputError as error:
            refused.append((c, str(error)))
    return answered, refused


def decode_pairs(points):
    """(point, decode StepWork, measured TPOT) for TensorRT-LLM decode points the catalog can express."""
    out = []
    for point in points:
        work = point.work()
        if work is not None and point.engine == "trtllm":
            out.append((point, work, point.measured_tpot_s(work)))
    return out


def fit(pairs, start=None, decode=()):
    """Fit on (case, plan) pairs and decode points; returns the Efficiency and the free-parameter vector.

    The loss is the mean squared log error of the offline runs plus that of the decode points: two regimes
    (full batches, and a handful of users) weighted equally, so a few decode points are not drowned out.
    """
    has_fp4 = any(p.steady.compute_format == "fp4" for _, p in pairs)
    fitted = [(n, k, s) for n, k, s in PARAMETERS if n not in FIXED and (has_fp4 or n != "fp4_flops")]
    free = [(n, k) for n, k, _ in fitted]
    x0 = start or [_to(k, s) for _, k, s in fitted]

    def loss(x):
        eff = efficiency(x, free)
        total = sum(math.log(p.output_tokens_per_s(eff) / c.measured) ** 2 for c, p in pairs) / len(pairs)
        if decode:
            total += sum(math.log(step_time_s(w, eff) / tpot) ** 2 for _, w, tpot in decode) / len(decode)
        return total

    x, _ = nelder_mead(loss, x0)
    x, _ = nelder_mead(loss, x, step=0.1)  # restart: Nelder-Mead can stall on a flat ridge
    return efficiency(x, free), x


def ratios(pairs, eff):
    return [p.output_tokens_per_s(eff) / c.measured for c, p in pairs]


def summary(values) -> dict:
    """Median predicted/measured, share within +-25%, p10/p90 of measured/predicted, count."""
    if not values:
        return {"n": 0}
    inverse = sorted(1 / v for v in values)
    q = statistics.quantiles(inverse, n=10, method="inclusive") if len(inverse) > 1 else [inverse[0]] * 9
    return {
        "n": len(values),
        "median_ratio": statistics.median(values),
        "within_25_percent": sum(0.75 <= v <= 1.25 for v in values) / len(values),
        "measured_over_predicted_p10": q[0],
        "measured_over_predicted_p90": q[-1],
    }


def decode_ratios(decode, eff):
    """Predicted / measured decode speed (measured TPOT / predicted TPOT)."""
    return [tpot / step_time_s(w, eff) for _, w, tpot in decode]


def leave_one_group_out(pairs, decode, x_start):
    """Refit without each model x GPU group in turn; the ratio of every held-out offline run."""
    out = []
    for group in sorted({c.group for c, _ in pairs}):
        train = [(c, p) for c, p in pairs if c.group != group]
        test = [(c, p) for c, p in pairs if c.group == group]
        eff, _ = fit(train, start=list(x_start), decode=[d for d in decode if d[0].group != group])
        out.extend(ratios(test, eff))
    return out


def run(logo: bool = True) -> dict:
    cases = benchmarks.load(DATA)
    usable = benchmarks.offline_trtllm(cases)
    pairs, refused = plans(usable)
    train = [(c, p) for c, p in pairs if not c.held_out]
    test = [(c, p) for c, p in pairs if c.held_out]
    decode = decode_pairs(benchmarks.load_decode(DECODE))
    decode_train = [d for d in decode if not d[0].held_out]
    eff, x = fit(train, decode=decode_train)
    result = {
        "efficiency": eff,
        "records": len(cases),
        "offline_trtllm": len(usable),
        "refused": len(refused),
        "train": summary(ratios(train, eff)),
        "held_out": summary(ratios(test, eff)),
        "held_out_groups": sorted({c.group for c, _ in test}),
        "decode_fit": summary(decode_ratios(decode_train, eff)),
        "decode_held_out": summary(decode_ratios([d for d in decode if d[0].held_out], eff)),
    }
    if logo:
        result["logo"] = summary(leave_one_group_out(pairs, decode, x))
    return result


def render(result: dict) -> str:
    e = result["efficiency"]
    fields = ", ".join(f"{k}={getattr(e, k)!r}" for k in dict.fromkeys((*(n for n, _, _ in PARAMETERS), *FIXED)))
    low = result["held_out"]["measured_over_predicted_p10"]
    high = result["held_out"]["measured_over_predicted_p90"]
    return f'''"""The speed model's fitted constants and how well they fit. Generated by calibration/fit.py
(`nox -s calibrate`); do not edit by hand. A test re-runs the fit and checks it reproduces these.

Data: calibration/throughput-measured.jsonl ({result["records"]} measured runs, each with its public
source); fitted on TensorRT-LLM's offline maximum-throughput runs the catalog can express
({result["offline_trtllm"]} runs, {result["refused"]} of them impossible to lay out), minus the held-out
model x GPU groups. Ratios are predicted / measured output tokens per second.
"""

from .speed import Efficiency

CALIBRATED = Efficiency("calibrated", {fields})
FIT = {result["train"]!r}
HELD_OUT = {result["held_out"]!r}
HELD_OUT_GROUPS = {tuple(result["held_out_groups"])!r}
LEAVE_ONE_GROUP_OUT = {result.get("logo")!r}
# decode at 4-8 users (TensorRT-LLM's measured MBU, calibration/decode-mbu.jsonl): predicted / measured speed
DECODE_FIT = {result["decode_fit"]!r}
DECODE_HELD_OUT = {result["decode_held_out"]!r}
# what a prediction's error band spans: the held-out runs' 10th and 90th percentile of measured / predicted
ERROR_BAND = ({low!r}, {high!r})
'''


def readme_block(cal) -> str:
    """The README's accuracy table, from the calibration module's figures."""

    def row(name, what, s):
        if not s or not s.get("n"):
            return f"| {name} | {what} | 0 | | | |"
        return (
            f"| {name} | {what} | {s['n']} | {s['median_ratio']:.2f} | {s['within_25_percent']:.0%} | "
            f"{1 / s['measured_over_predicted_p90']:.2f} - {1 / s['measured_over_predicted_p10']:.2f} |"
        )

    lines = [
        README_START,
        "| Split | What | Runs | Median predicted / measured | Within ±25% | p10 - p90 |",
        "|---|---|---|---|---|---|",
        row("In the fit", "offline throughput", cal.FIT),
        row("Held out", "offline throughput, groups never fitted", cal.HELD_OUT),
        row("Leave one group out", "offline throughput, each group refitted without itself", cal.LEAVE_ONE_GROUP_OUT),
        row("In the fit", "decode at 4-8 users (TPOT)", cal.DECODE_FIT),
        row("Held out", "decode at 4-8 users (TPOT)", cal.DECODE_HELD_OUT),
        README_END,
    ]
    return "\n".join(lines)


def readme_with(block: str) -> str:
    text = README.read_text(encoding="utf-8")
    start, end = text.index(README_START), text.index(README_END) + len(README_END)
    return text[:start] + block + text[end:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed module, write nothing")
    parser.add_argument("--quick", action="store_true", help="skip leave-one-group-out")
    args = parser.parse_args()
    result = run(logo=not (args.check or args.quick))
    for key in ("train", "held_out", "decode_fit", "decode_held_out", "logo"):
        if key in result:
            print(f"{key:10s} {result[key]}")
    print(result["efficiency"])
    if args.check:
        from playground import calibration

        same = calibration.CALIBRATED == result["efficiency"]
        print("reproduces the committed constants" if same else "DIFFERS from the committed constants")
        readme = README.read_text(encoding="utf-8") == readme_with(readme_block(calibration))
        print("README table is current" if readme else "README table DIFFERS from the calibration module")
        return 0 if same and readme else 1
    if args.quick:
        return 0
    MODULE.write_text(render(result), encoding="utf-8")
    try:  # keep the generated module in the project's format when ruff is at hand
        subprocess.run(["ruff", "format", str(MODULE)], check=False, capture_output=True)
    except OSError:
        pass
    print(f"wrote {MODULE.relative_to(ROOT)}")
    import importlib

    import playground.calibration

    README.write_text(readme_with(readme_block(importlib.reload(playground.calibration))), encoding="utf-8")
    print("refreshed the README's accuracy table")
    return 0


if __name__ == "__main__":
    sys.exit(main())
