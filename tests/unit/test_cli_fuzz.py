"""Every CLI subcommand given missing, malformed, out-of-range and contradictory input: exit 2, one line."""

import subprocess
import sys

import pytest

from playground.cli import COMMANDS, build_parser, main
from tests.conftest import ROOT

AVAILABLE = [c for c in COMMANDS if c in build_parser()._subparsers._group_actions[0].choices]
HOSTILE = ["", "abc", "-1", "0", "1e400", "nan", "inf", "<script>", "1" * 500, "llama-3.1-70b; rm -rf /"]
# (subcommand, a valid base, the options to spoil one at a time)
CASES = {
    "vram": (
        ["--model", "llama-3.1-8b", "--precision", "bf16", "--users", "1", "--context", "1024"],
        ["--model", "--precision", "--users", "--context", "--kv-precision", "--gpu"],
    ),
    "capacity": (
        ["--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "1", "--precision", "bf16"],
        ["--model", "--gpu", "--gpus", "--precision", "--context", "--gpu-memory-utilization"],
    ),
    "quantize": (["0.1"], []),
    "parallel": (
        ["--model", "llama-3.1-70b", "--gpus", "8"],
        ["--model", "--gpus", "--gpu", "--precision", "--users", "--context", "--micro-batches"],
    ),
    "serve-sim": (
        ["--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "1", "--precision", "bf16", "--input-tokens", "500"]
        + ["--output-tokens", "50", "--request-rate", "5", "--num-requests", "20"],
        ["--model", "--gpu", "--gpus", "--precision", "--input-tokens", "--output-tokens", "--request-rate"]
        + ["--num-requests", "--seed", "--arrival", "--efficiency", "--kv-precision"],
    ),
    "moe": (
        ["--dense", "llama-3.1-70b", "--moe", "glm-5"],
        ["--dense", "--moe", "--precision", "--batch", "--context", "--gpu", "--gpus", "--seed"],
    ),
}


def _run(argv, capsys) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def _assert_clean_failure(code, out, err):
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err


@pytest.mark.parametrize("command", AVAILABLE)
def test_missing_arguments(command, capsys):
    """A subcommand with no arguments (where some are required) fails with one line."""
    code, out, err = _run([command], capsys)
    if code == 0:  # models, gpus: nothing is required
        assert out
        return
    _assert_clean_failure(code, out, err)


@pytest.mark.parametrize("command", [c for c in CASES if c in AVAILABLE])
@pytest.mark.parametrize("bad", HOSTILE)
def test_each_option_spoiled(command, bad, capsys):
    """Replacing any one option's value by hostile text fails cleanly (or, if it is valid, succeeds)."""
    base, options = CASES[command]
    for option in options:
        argv = [command, *base]
        if option in argv:
            argv[argv.index(option) + 1] = bad
        else:
            argv += [option, bad]
        code, out, err = _run([*argv, "--json"], capsys)
        if code != 0:
            _assert_clean_failure(code, out, err)


def test_contradictory_model_and_config(capsys, tmp_path):
    """--model and --config together are refused with one line."""
    config = tmp_path / "c.json"
    config.write_text("{}")
    code, out, err = _run(
        [
            "vram",
            "--model",
            "llama-3.1-8b",
            "--config",
            str(config),
            "--precision",
            "bf16",
            "--users",
            "1",
            "--context",
            "1",
        ],
        capsys,
    )
    _assert_clean_failure(code, out, err)


def test_unknown_subcommand(capsys):
    """An unknown subcommand is one line and exit 2."""
    _assert_clean_failure(*_run(["teleport"], capsys))


def test_real_process_bad_input_has_no_traceback():
    """Through a real interpreter: exit code 2, one stderr line, nothing on stdout."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "playground",
            "vram",
            "--model",
            "nope",
            "--precision",
            "bf16",
            "--users",
            "1",
            "--context",
            "1",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    _assert_clean_failure(proc.returncode, proc.stdout, proc.stderr)


@pytest.mark.parametrize(
    "argv",
    [
        ["moe", "--dense", "glm-5", "--moe", "llama-3.1-70b"],
        ["parallel", "--model", "llama-3.1-8b", "--gpus", "100000"],
        [
            "vram",
            "--model",
            "llama-3.1-8b",
            "--precision",
            "int4",
            "--kv-precision",
            "int4",
            "--users",
            "1",
            "--context",
            "1",
        ],
    ],
)
def test_contradictory_or_out_of_range_combinations(argv, capsys):
    """Swapped model kinds, absurd GPU counts, INT4 KV (utilization > 1: test_cli_engine): one line, exit 2."""
    if argv[0] not in AVAILABLE:
        pytest.skip(f"{argv[0]} not built yet")
    _assert_clean_failure(*_run([*argv, "--json"], capsys))
