"""The CLI contract of models, gpus, vram and capacity, run as a user would."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = Path(__file__).parent / "configs"


def cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "playground", *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def cli_json(*args):
    result = cli(*args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # exactly one JSON document, or this raises


def test_models_json_contract():
    """`models --json` lists every model with integer parameter and 16-bit KV-per-token counts."""
    data = cli_json("models")
    by_id = {m["id"]: m for m in data}
    for record in data:
        assert {"id", "name", "params_total", "params_active", "kv_bytes_per_token", "source", "default"} <= set(record)
        assert all(isinstance(record[k], int) for k in ("params_total", "params_active", "kv_bytes_per_token"))
    assert by_id["llama-3.1-8b"]["kv_bytes_per_token"] == 131072
    assert [m["id"] for m in data if m["default"]] == [
        "llama-2-7b",
        "llama-2-13b",
        "llama-3.1-70b",
        "llama-3.1-405b",
        "glm-5",
    ]


def test_gpus_json_contract():
    """`gpus --json` gives memory, bandwidth, dense FLOP/s, node size, interconnect and source per GPU."""
    data = cli_json("gpus")
    keys = {
        "id",
        "name",
        "memory_bytes",
        "bandwidth_bytes_per_s",
        "bf16_flops",
        "fp8_flops",
        "gpus_per_node",
        "interconnect",
        "source",
    }
    assert all(keys <= set(g) for g in data)
    assert next(g for g in data if g["id"] == "a100-80gb")["fp8_flops"] is None


def test_vram_json_contract():
    """`vram --json` has the parts, their exact sum, the Terms and a recommendation."""
    data = cli_json(
        "vram",
        "--model",
        "llama-3.1-8b",
        "--precision",
        "bf16",
        "--users",
        "1",
        "--context",
        "8192",
        "--gpu",
        "h100-sxm",
    )
    keys = {
        "params_total",
        "params_active",
        "kv_bytes_per_token",
        "weights_bytes",
        "kv_cache_bytes",
        "overhead_bytes",
        "total_bytes",
        "terms",
        "recommendation",
    }
    assert keys <= set(data)
    assert data["total_bytes"] == data["weights_bytes"] + data["kv_cache_bytes"] + data["overhead_bytes"]
    rec = data["recommendation"]
    assert {"gpu", "gpu_count", "nodes", "fits_single_gpu", "fits_single_node", "reason"} <= set(rec)
    assert (rec["gpu"], rec["gpu_count"], rec["fits_single_gpu"]) == ("h100-sxm", 1, True)
    assert all({"name", "value", "formula", "plugged"} <= set(t) for t in data["terms"])


def test_vram_kv_precision_and_config_file():
    """--config sizes a pasted config.json; --kv-precision fp8 halves KV bytes per token."""
    data = cli_json(
        "vram",
        "--config",
        str(CONFIGS / "llama-3.1-8b.json"),
        "--precision",
        "fp8",
        "--kv-precision",
        "fp8",
        "--users",
        "4",
        "--context",
        "4096",
    )
    assert data["kv_bytes_per_token"] == 65536 and data["params_total"] == 8030261248


def test_capacity_json_contract():
    """`capacity --json` reports the pool, tokens, max users and max context (vLLM log case)."""
    data = cli_json(
        "capacity",
        "--model",
        "llama-3.1-8b",
        "--gpu",
        "h100-sxm",
        "--gpus",
        "1",
        "--precision",
        "bf16",
        "--context",
        "8192",
    )
    assert {"kv_pool_bytes", "kv_tokens", "max_users", "max_context"} <= set(data)
    assert data["kv_tokens"] == pytest.approx(436_000, rel=0.10) and data["fits"] is True


def test_capacity_not_fitting_exits_zero():
    """A deployment the weights do not fit is reported with fits=false and exit code 0."""
    data = cli_json("capacity", "--model", "llama-3.1-405b", "--gpu", "h100-sxm", "--gpus", "8", "--precision", "bf16")
    assert data["fits"] is False and data["kv_pool_bytes"] == 0


def test_text_output_shows_formulas():
    """Without --json the readable output includes the plugged-in weights formula."""
    result = cli("vram", "--model", "llama-3.1-70b", "--precision", "bf16", "--users", "1", "--context", "8192")
    assert result.returncode == 0 and "W = 70.6B × 16 / 8 = 141 GB" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("vram", "--model", "llama-3.1-8b", "--precision", "bf16", "--users", "0", "--context", "8192"),
        ("vram", "--model", "nope", "--precision", "bf16", "--users", "1", "--context", "8192"),
        ("vram", "--model", "llama-3.1-8b", "--precision", "int3", "--users", "1", "--context", "8192"),
        ("vram", "--model", "llama-3.1-8b", "--precision", "bf16", "--users", "1", "--context", "1e9"),
        ("vram", "--config", "/no/such/config.json", "--precision", "bf16", "--users", "1", "--context", "8"),
        (
            "vram",
            "--config",
            str(CONFIGS / "glm-5.json"),
            "--model",
            "glm-5",
            "--precision",
            "bf16",
            "--users",
            "1",
            "--context",
            "8",
        ),
        ("vram", "--model", "llama-3.1-8b", "--precision", "bf16", "--users", "1"),
        ("capacity", "--model", "llama-3.1-8b", "--gpu", "h100", "--gpus", "1", "--precision", "bf16"),
        ("capacity", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "-1", "--precision", "bf16"),
        (
            "capacity",
            "--model",
            "llama-3.1-8b",
            "--gpu",
            "h100-sxm",
            "--gpus",
            "1",
            "--precision",
            "bf16",
            "--gpu-memory-utilization",
            "1.5",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line(args):
    """Bad input: exit code 2, exactly one line on stderr, no traceback, nothing on stdout."""
    result = cli(*args, "--json")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_malformed_config_file(tmp_path):
    """A config file that is not JSON is one stderr line and exit 2."""
    bad = tmp_path / "config.json"
    bad.write_text("{not json")
    result = cli("vram", "--config", str(bad), "--precision", "bf16", "--users", "1", "--context", "8")
    assert result.returncode == 2 and "not valid JSON" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
