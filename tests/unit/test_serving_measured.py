"""The simulator against measured online-serving runs (vendored in data/online_serving_measured.jsonl).

The rows are copied verbatim from the project's calibration set (shared/benchmarks/throughput-measured.jsonl),
each with its source: here the online-serving rows (TTFT, ITL/TPOT, QPS or concurrency settings) and the
output throughput of the same runs. Rows the catalog cannot represent are listed with the reason.

Two checks:
- on the plain roofline (step_model with efficiency 1.0): it is an upper bound on speed, so the simulated
  latencies must not exceed the measured ones and the simulated throughput must not fall below them;
- on the calibrated step model (issue 18's "done when": ITL within +-30% for most points, TTFT within +-50%,
  throughput within +-15%): `test_within_the_issue_tolerances`, which prints every error.
"""

import json
import pathlib

import pytest

from playground.serving import simulate, step_model

DATA = pathlib.Path(__file__).parent / "data" / "online_serving_measured.jsonl"
ROWS = [json.loads(line) for line in DATA.read_text().splitlines() if line.strip()]

# The runs the catalog represents: (row id prefix) -> (model, gpu, gpus, weights, kv, isl, osl, concurrency, requests)
# vLLM's FP8-KV post (vllm-project.github.io 2026-04-22): one H100, 150 requests at concurrency 8, ~20k in / ~2k out
# (+-15%; we use the centres), weights not stated (BF16 assumed: the checkpoint's format), medians reported.
RUNS = {
    "vllm-h100-l31-8b-20k2k-c8-kvbf16": ("llama-3.1-8b", "h100-sxm", 1, "bf16", "bf16", 20_000, 2_000, 8, 150),
    "vllm-h100-l31-8b-20k2k-c8-kvfp8": ("llama-3.1-8b", "h100-sxm", 1, "bf16", "fp8", 20_000, 2_000, 8, 150),
    # the same post's gpt-oss-20b runs: its release checkpoint is MXFP4 experts, BF16 attention
    "vllm-h100-gptoss20b-20k2k-c8-kvbf16": ("gpt-oss-20b", "h100-sxm", 1, "mxfp4", "bf16", 20_000, 2_000, 8, 150),
    "vllm-h100-gptoss20b-20k2k-c8-kvfp8": ("gpt-oss-20b", "h100-sxm", 1, "mxfp4", "fp8", 20_000, 2_000, 8, 150),
}
LEFT_OUT = {
    "vllm-h100-gptoss20b-20k2k-c8-kvfp8-skip-sliding-window-layers": "an engine option (FP8 KV only on full-attention "
    "layers) the memory model does not express",
    "mlperf41-": "MLPerf does not state exact ISL/OSL (a dataset's varying lengths) nor the weight format",
    "vllm-arcb60-": "Intel Arc Pro B60 is not in the GPU catalog",
    "vllm-dgxspark-": "DGX Spark (GB10) is not in the GPU catalog",
}


def step_model_for(model_id, gpu, gpus, weights, kv, efficiency="calibrated"):
    """The step-time model the comparison runs on: calibrated (speed.py), or 1.0 for the plain roofline."""
    return step_model(model_id, gpu, gpus, weights, kv, efficiency)


def _compare(efficiency="calibrated"):
    """[(run id, metric, measured, simulated)] for every measured value of every represented run."""
    out = []
    for run, (model_id, gpu, gpus, weights, kv, isl, osl, clients, requests) in RUNS.items():
        m = step_model_for(model_id, gpu, gpus, weights, kv, efficiency)
        r = simulate(
            m.step_time_s,
            m.kv_capacity_tokens,
            m.max_batch,
            isl,
            osl,
            num_requests=requests,
            arrival="concurrency",
            concurrency=clients,
            max_batched_tokens=m.max_batched_tokens,
        )
        simulated = {
            "ttft_ms": r.ttft_s.p50 * 1000,  # the post reports medians
            "itl_ms": r.itl_s.p50 * 1000,
            "output_tok_s_total": r.output_tokens_per_s,
        }
        for row in ROWS:
            left_out = any(row["id"].startswith(p) for p in LEFT_OUT)
            if row["id"].startswith(run + "-") and row["metric"] in simulated and not left_out:
                out.append((run, row["metric"], row["value"], simulated[row["metric"]]))
    return out


def test_every_online_row_is_represented_or_left_out_with_a_reason():
    """No measured online-serving row is silently ignored."""
    for row in ROWS:
        ok = any(row["id"].startswith(p + "-") for p in RUNS) or any(row["id"].startswith(p) for p in LEFT_OUT)
        assert ok, row["id"]


def test_roofline_is_a_bound_on_the_measured_runs():
    """On the ideal roofline, simulated TTFT and ITL never exceed the measured ones, nor measured throughput the
    simulated; the errors are printed (run with -s) for the calibration to tighten."""
    compared = _compare(1.0)
    assert len(compared) == 12
    for run, metric, measured, simulated in compared:
        print(f"{run} {metric}: measured {measured:g}, simulated {simulated:.4g} ({simulated / measured - 1:+.0%})")
        if metric == "output_tok_s_total":
            assert simulated >= measured, (run, metric)
        else:
            assert simulated <= measured, (run, metric)


TOLERANCE = {"itl_ms": 0.30, "ttft_ms": 0.50, "output_tok_s_total": 0.15}  # issue 18, "done when"


# Known misses, kept visible: gpt-oss-20b's simulated throughput is 17-21% below vLLM's (its ITL +28-36%), the
# calibrated step being slower than vLLM's at 8 users on this small MoE (fixed per-step cost, expert reads).
KNOWN_MISSES = {
    ("vllm-h100-gptoss20b-20k2k-c8-kvbf16", "output_tok_s_total"),
    ("vllm-h100-gptoss20b-20k2k-c8-kvfp8", "output_tok_s_total"),
}


def test_within_the_issue_tolerances():
    """Calibrated: ITL within +-30% for most points, TTFT within +-50%, throughput within +-15% (known misses apart)."""
    compared = _compare()
    for run, metric, measured, simulated in compared:
        print(f"{run} {metric}: measured {measured:g}, simulated {simulated:.4g} ({simulated / measured - 1:+.0%})")
    itl = [abs(s / m - 1) <= TOLERANCE["itl_ms"] for _, k, m, s in compared if k == "itl_ms"]
    assert sum(itl) > len(itl) / 2
    for run, metric, measured, simulated in compared:
        if metric != "itl_ms" and (run, metric) not in KNOWN_MISSES:
            assert abs(simulated / measured - 1) <= TOLERANCE[metric], (run, metric, measured, simulated)


@pytest.mark.xfail(strict=True, reason="known miss: gpt-oss-20b throughput 17-21% low (see KNOWN_MISSES)")
def test_known_misses_within_tolerance():
    """The known misses meet the throughput tolerance too (fails today; passes, and must be removed, once fixed)."""
    compared = {(run, metric): (m, s) for run, metric, m, s in _compare()}
    for key in KNOWN_MISSES:
        measured, simulated = compared[key]
        assert abs(simulated / measured - 1) <= TOLERANCE["output_tok_s_total"], key
