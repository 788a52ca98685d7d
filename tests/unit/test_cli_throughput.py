"""`python -m playground throughput`: the JSON contract, replicas, efficiency modes and bad input."""

import json

import pytest

from playground.cli import main

BASE = [
    "throughput",
    "--model",
    "llama-3.1-70b",
    "--gpu",
    "h100-sxm",
    "--precision",
    "fp8",
    "--input-tokens",
    "1000",
    "--output-tokens",
    "1000",
]


def _json(capsys, *extra):
    assert main([*BASE, *extra, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_contract_keys(capsys):
    """The JSON has every key the issue names, with sane values."""
    data = _json(capsys, "--gpus", "8", "--tp", "8")
    for key in (
        "output_tokens_per_s",
        "input_tokens_per_s",
        "per_user_output_tokens_per_s",
        "tpot_s",
        "ttft_s",
        "batch",
        "ideal_output_tokens_per_s",
        "error_band",
        "terms",
    ):
        assert key in data
    assert data["error_band"]["low"] < data["output_tokens_per_s"] < data["error_band"]["high"]
    assert data["output_tokens_per_s"] < data["ideal_output_tokens_per_s"]
    assert data["per_user_output_tokens_per_s"] == pytest.approx(1 / data["tpot_s"])
    assert data["input_tokens_per_s"] == pytest.approx(data["output_tokens_per_s"])  # 1000 in, 1000 out
    assert data["terms"][-1]["name"] == "tpot_s"


def test_more_gpus_add_replicas(capsys):
    """--gpus 16 with --tp 8 is two replicas: twice the tokens per second of one."""
    one = _json(capsys, "--gpus", "8", "--tp", "8")
    two = _json(capsys, "--gpus", "16", "--tp", "8")
    assert two["replicas"] == 2
    assert two["output_tokens_per_s"] == pytest.approx(2 * one["output_tokens_per_s"])


def test_concurrency_caps_the_batch(capsys):
    """--concurrency 4 runs 4 sequences: faster per user, slower in total than the offline maximum."""
    full = _json(capsys, "--gpus", "8")
    four = _json(capsys, "--gpus", "8", "--concurrency", "4")
    assert four["batch"] == 4
    assert four["per_user_output_tokens_per_s"] > full["per_user_output_tokens_per_s"]
    assert four["output_tokens_per_s"] < full["output_tokens_per_s"]


def test_efficiency_modes(capsys):
    """ideal equals its own ideal figure; 50% halves it; calibrated sits between."""
    ideal = _json(capsys, "--gpus", "8", "--efficiency", "ideal")
    half = _json(capsys, "--gpus", "8", "--efficiency", "50")
    assert ideal["output_tokens_per_s"] == pytest.approx(ideal["ideal_output_tokens_per_s"])
    assert half["output_tokens_per_s"] == pytest.approx(ideal["output_tokens_per_s"] / 2)
    assert ideal["error_band"]["low"] == ideal["output_tokens_per_s"]


@pytest.mark.parametrize(
    "extra",
    [
        ["--gpus", "0"],
        ["--gpus", "3", "--tp", "2"],
        ["--gpus", "8", "--efficiency", "fast"],
        ["--gpus", "8", "--efficiency", "0"],
        ["--gpus", "8", "--concurrency", "-1"],
        ["--gpus", "8", "--pp", "nan"],
        ["--gpus", "1", "--precision", "bf16"],
        ["--gpus", "8", "--ep", "2"],
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, extra):
    """Bad values exit 2 with one line on stderr and nothing on stdout."""
    assert main([*BASE, *extra]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("error:")


def test_text_output_shows_the_math(capsys):
    """The readable output shows the step formula with numbers plugged in."""
    assert main([*BASE, "--gpus", "8"]) == 0
    out = capsys.readouterr().out
    assert "t_step =" in out and "ideal roofline" in out
