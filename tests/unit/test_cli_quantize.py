"""`python -m playground quantize`: one JSON document, a readable table, one-line errors."""

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

KEYS = ["fp32", "bf16", "fp16", "fp8_e4m3", "fp8_e5m2", "int8", "int4", "nvfp4", "mxfp4"]
WIDTHS = {
    "fp32": 32,
    "bf16": 16,
    "fp16": 16,
    "fp8_e4m3": 8,
    "fp8_e5m2": 8,
    "int8": 8,
    "int4": 4,
    "nvfp4": 4,
    "mxfp4": 4,
}


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "playground", "quantize", *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_json_is_one_document_with_every_format():
    """--json prints one object keyed by format, each with bits of exactly that width."""
    proc = _run("0.1", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert list(data) == KEYS
    for key, width in WIDTHS.items():
        assert len(data[key]["bits"]) == width and set(data[key]["bits"]) <= {"0", "1"}
        assert {"hex", "decoded", "abs_error"} <= set(data[key])
    assert (data["fp32"]["hex"], data["bf16"]["hex"], data["fp16"]["hex"]) == ("0x3DCCCCCD", "0x3DCD", "0x2E66")
    assert (data["int8"]["code"], data["int8"]["group"][0], data["int8"]["zero_point"]) == (26, 0.1, None)


@pytest.mark.parametrize("value, fp32_hex", [("-0.5", "0xBF000000"), ("-1e-3", "0xBA83126F"), ("-.25", "0xBE800000")])
def test_negative_values_are_positional(value, fp32_hex):
    """Negative numbers, with a decimal point or an exponent, are read as VALUE rather than options."""
    proc = _run(value, "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["fp32"]["hex"] == fp32_hex


def test_zeropoint_scheme():
    """--scheme zeropoint gives unsigned codes with a zero point."""
    data = json.loads(_run("--scheme", "zeropoint", "--json", "0.1").stdout)
    assert (data["int8"]["scheme"], data["int8"]["zero_point"], data["int8"]["code"]) == ("zeropoint", 119, 147)


def test_overflow_is_a_json_string():
    """FP16's overflow to inf appears as the string 'inf' (JSON has no infinity); FP8 saturates."""
    data = json.loads(_run("1e5", "--json").stdout)
    assert (data["fp16"]["decoded"], data["fp16"]["overflow"]) == ("inf", True)
    assert (data["fp8_e4m3"]["decoded"], data["fp8_e4m3"]["saturated"]) == (448.0, True)


def test_readable_table():
    """Without --json: a table with every format and the INT group's plugged formulas."""
    proc = _run("0.1")
    assert proc.returncode == 0, proc.stderr
    for text in (
        "FP32",
        "BF16",
        "FP8 E4M3",
        "FP8 E5M2",
        "INT8",
        "INT4",
        "0x3DCD",
        "INT group (absmax): 0.1, -0.42, 0.07, 0.33, -0.15, 0.26, -0.05, 0.48",
        "s = 0.48 / 127",
    ):
        assert text in proc.stdout


@pytest.mark.parametrize("value", ["abc", "nan", "1e39", "-inf"])
def test_bad_value_is_one_line_and_rc_2(value):
    """Bad input exits 2 with exactly one line on stderr and nothing on stdout."""
    proc = _run(value)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1 and proc.stderr.startswith("error:")


def test_help_documents_the_group():
    """--help names the example weights that share the INT scale."""
    proc = _run("--help")
    assert proc.returncode == 0
    assert "-0.42, 0.07, 0.33" in " ".join(proc.stdout.split())
