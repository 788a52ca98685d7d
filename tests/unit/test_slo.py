"""Latency-aware sizing in buy vs rent: targets met at the peak, tighter targets never cheaper."""

import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.cost import estimate
from playground.errors import InputError
from tests.conftest import ROOT

BASE = {"model": "llama-3.1-8b", "precision": "bf16", "requests_per_day": 3_000_000}


def _gpus(**targets) -> int:
    return estimate(BASE["model"], BASE["precision"], BASE["requests_per_day"], **targets).gpus


def test_answer_meets_the_targets_it_was_given():
    """The reported p50 TTFT and TPOT, simulated at each replica's share of the peak, are within the targets."""
    e = estimate("llama-3.1-70b", "fp8", 1_000_000, ttft_target_ms=500, tpot_target_ms=15)
    lat = e.latency
    assert lat.ttft_s <= 0.5 and lat.tpot_s <= 0.015
    assert e.gpus == lat.gpus == lat.replicas * lat.chosen.gpus_per_replica
    assert e.tco.gpus == e.gpus  # the count that is priced
    # peak = average / utilization (60% by default): 1,000,000 / 86,400 / 0.6
    assert lat.peak_request_rate == pytest.approx(1_000_000 / 86_400 / 0.6)
    assert lat.replicas * lat.chosen.replica_request_rate >= lat.peak_request_rate


def test_a_tight_tpot_target_needs_more_gpus_than_none():
    """70B FP8: a loose TPOT target costs nothing extra; a tight one buys a bigger replica (more bandwidth)."""
    plain = estimate("llama-3.1-70b", "fp8", 1_000_000)
    loose = estimate("llama-3.1-70b", "fp8", 1_000_000, tpot_target_ms=200)
    tight = estimate("llama-3.1-70b", "fp8", 1_000_000, tpot_target_ms=12)
    assert loose.gpus == plain.gpus
    assert tight.gpus > plain.gpus and tight.latency.tpot_s <= 0.012


@settings(max_examples=6, deadline=None)
@given(st.floats(min_value=3, max_value=60), st.floats(min_value=0.5, max_value=0.95))
def test_tighter_tpot_target_never_needs_fewer_gpus(target_ms, shrink):
    """Property: shrinking the TPOT target never lowers the GPU count (bisection on a fixed grid of rates)."""
    try:
        loose = _gpus(tpot_target_ms=target_ms)
    except InputError:
        return  # even the loose target is out of reach: nothing to compare
    try:
        tight = _gpus(tpot_target_ms=target_ms * shrink)
    except InputError:
        return  # the tighter one is out of reach altogether, which is "more", not fewer
    assert tight >= loose


def test_peak_factor_and_percentile_change_the_sizing():
    """A higher peak-to-average factor never needs fewer GPUs; a p99 target is harder than a p50 one."""
    low = _gpus(tpot_target_ms=12, peak_factor=1)
    high = _gpus(tpot_target_ms=12, peak_factor=4)
    assert high >= low
    p50 = estimate(BASE["model"], BASE["precision"], BASE["requests_per_day"], ttft_target_ms=40)
    p99 = estimate(BASE["model"], BASE["precision"], BASE["requests_per_day"], ttft_target_ms=40, latency_percentile=99)
    assert p99.gpus >= p50.gpus
    assert p99.latency.percentile == "p99" and p99.latency.ttft_s <= 0.04


def test_unreachable_and_malformed_targets_are_refused_on_their_field():
    """A TPOT below one decode step on any size, a non-number and an unknown percentile are InputErrors."""
    with pytest.raises(InputError) as e:
        estimate("llama-3.1-70b", "fp8", 1_000_000, tpot_target_ms=1)
    assert e.value.field == "tpot_target_ms" and "meets the targets" in str(e.value)
    with pytest.raises(InputError) as e:
        estimate("llama-3.1-70b", "fp8", 1_000_000, ttft_target_ms="soon")
    assert e.value.field == "ttft_target_ms"
    with pytest.raises(InputError) as e:
        estimate("llama-3.1-70b", "fp8", 1_000_000, tpot_target_ms=30, latency_percentile=75)
    assert e.value.field == "latency_percentile"


def test_cli_reports_the_achieved_latency_and_gpus():
    """`cost --ttft-target-ms --tpot-target-ms --json` carries ttft_s, tpot_s, the targets and the GPUs priced."""
    args = ["--model", "llama-3.1-70b", "--precision", "fp8", "--requests-per-day", "1000000"]
    proc = subprocess.run(
        [sys.executable, "-m", "playground", "cost", *args, "--ttft-target-ms", "500", "--tpot-target-ms", "15"]
        + ["--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    data = json.loads(proc.stdout)
    assert data["ttft_s"] <= 0.5 and data["tpot_s"] <= 0.015
    assert (data["ttft_target_s"], data["tpot_target_s"]) == (0.5, 0.015)
    assert data["gpus_needed"] == data["replicas"] * data["gpus_per_replica"] >= data["throughput_gpus"]
    assert any(t["name"] == "peak_request_rate" for t in data["terms"])
