"""The buy-vs-rent prose quotes per-H100 figures; check them against the engine's defaults."""

import json
import subprocess
import sys

from tests.conftest import ROOT

COST_MD = (ROOT / "docs" / "sections" / "cost.md").read_text()


def test_h100_capex_and_running_cost_in_prose():
    """'about $39,625 with its server share against roughly $370 a month' per H100, as the CLI computes."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "playground",
            "cost",
            "--model",
            "llama-3.1-70b",
            "--precision",
            "fp8",
            "--requests-per-day",
            "1000000",
            "--gpu",
            "h100-sxm",
            "--json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(proc.stdout)
    per_gpu_capex = data["capex_usd"] / data["gpus_needed"]
    per_gpu_opex = data["opex_usd_per_month"] / data["gpus_needed"]
    assert round(per_gpu_capex) == 39_625 and "$39,625" in COST_MD
    assert abs(per_gpu_opex - 370) < 15 and "roughly $370 a month" in COST_MD
