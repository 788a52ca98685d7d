"""How far the engine's numbers fall from measurements: every benchmark run and every engine log we hold.

Throughput: each measured run (benchmarks.py) is asked of the calibrated model through the same
`performance.plan` the CLI uses; a run is in-fit, held out (its model x GPU group never fitted) or from
another engine or setting (never fitted). Memory: each real vLLM startup log is asked of capacity.py with
the log's own GPUs and gpu_memory_utilization; the KV tokens (or GiB) it reports are compared.
"""

import json
from dataclasses import dataclass

from .benchmarks import Case, load
from .calibration import CALIBRATED
from .capacity import capacity
from .errors import InputError
from .performance import plan
from .units import GiB


@dataclass(frozen=True)
class Row:
    """One measured run and the model's answer (ratio = predicted / measured)."""

    case: Case
    predicted: float | None
    refused: str  # why the model gave no answer ("" when it did)

    @property
    def ratio(self) -> float | None:
        return None if self.predicted is None else self.predicted / self.case.measured

    @property
    def split(self) -> str:
        """'fit', 'held out' or 'not fitted' (other engines and settings)."""
        c = self.case
        if c.engine != "trtllm" or c.concurrency is not None:
            return "not fitted"
        return "held out" if c.held_out else "fit"


def throughput_rows(path) -> list[Row]:
    """Every answerable run of the benchmark file with its prediction (or the reason there is none)."""
    rows = []
    for c in load(path):
        if c.reason:
            continue
        try:
            rows.append(Row(c, plan(**c.kwargs()).output_tokens_per_s(CALIBRATED), ""))
        except InputError as error:
            rows.append(Row(c, None, str(error)))
    return rows


def summarize(ratios: list[float]) -> dict:
    """n, median predicted/measured, share within +-25%, p10 and p90 of the ratio."""
    if not ratios:
        return {"n": 0}
    ordered = sorted(ratios)
    return {
        "n": len(ordered),
        "median_ratio": quantile(ordered, 0.5),
        "within_25_percent": sum(0.75 <= r <= 1.25 for r in ordered) / len(ordered),
        "p10": quantile(ordered, 0.1),
        "p90": quantile(ordered, 0.9),
    }


def quantile(ordered: list[float], q: float) -> float:
    """Linear-interpolated quantile of sorted values (statistics' 'inclusive' method; the browser's
    trimmed standard library has no statistics module)."""
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def by(rows: list[Row], key) -> dict[str, dict]:
    """Summaries of answered rows grouped by key(row), in key order."""
    groups: dict[str, list[float]] = {}
    for r in rows:
        if r.ratio is not None:
            groups.setdefault(key(r), []).append(r.ratio)
    return {k: summarize(v) for k, v in sorted(groups.items())}


# engine-log model and GPU names -> catalog ids (only logs whose model and GPU the catalog holds)
LOG_MODELS = {
    "meta-llama/Llama-3.1-8B-Instruct": "llama-3.1-8b",
    "meta-llama/Meta-Llama-3-8B-Instruct": "llama-3.1-8b",
    "openai/gpt-oss-20b": "gpt-oss-20b",
    "openai/gpt-oss-120b": "gpt-oss-120b",
    "Llama2-70B (as stated; HF id not given)": "llama-2-70b",
    "Qwen/Qwen3-235B-A22B-FP8": "qwen3-235b-a22b",
    "Qwen/Qwen3-32B": "qwen3-32b",
    "Qwen/Qwen3-8B": "qwen3-8b",
    "RedHatAI/Llama-3.3-70B-Instruct-FP8-dynamic": "llama-3.3-70b",
}
LOG_GPUS = (("l40s", "l40s"), ("h100", "h100-sxm"), ("a100-80gb", "a100-80gb"), ("a100 80gb", "a100-80gb"))
LOG_PRECISIONS = (("fp8", "fp8"), ("mxfp4", "mxfp4"), ("bfloat16", "bf16"), ("float16", "fp16"))


@dataclass(frozen=True)
class MemoryRow:
    """One engine log: what it reported and what capacity.py predicts for the same setting."""

    id: str
    model: str
    gpu: str
    gpus: int
    what: str  # "tokens" or "GiB per GPU"
    measured: float
    predicted: float
    source: str

    @property
    def ratio(self) -> float:
        return self.predicted / self.measured


def _pick(text: str, table) -> str | None:
    low = (text or "").lower()
    return next((slug for needle, slug in table if needle in low), None)


def memory_rows(path) -> list[MemoryRow]:
    """vLLM logs the catalog can express, each with capacity.py's answer for its GPUs and utilization."""
    rows = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            r = json.loads(line)
            model, gpu = LOG_MODELS.get(r["model"]), _pick(r["gpu"], LOG_GPUS)
            precision = _pick(r.get("dtype"), LOG_PRECISIONS) or "bf16"
            util = str(r.get("gpu_memory_utilization") or "0.9").split()[0]
            if r["engine"] != "vllm" or not model or not gpu or r.get("kv_cache_dtype") not in ("auto", None):
                continue
            try:
                est = capacity(model, gpu, r["gpus"], precision, gpu_memory_utilization=float(util))
            except (InputError, ValueError):
                continue
            tokens = r.get("kv_tokens") or (
                r["blocks"] * int(str(r["block_size"]).split()[0]) if r.get("blocks") else None
            )
            if tokens:
                rows.append(MemoryRow(r["id"], model, gpu, r["gpus"], "tokens", tokens, est.kv_tokens, r["source"]))
            elif r.get("kv_gib"):
                per_gpu = est.kv_pool_per_gpu_bytes / GiB
                rows.append(MemoryRow(r["id"], model, gpu, r["gpus"], "GiB per GPU", r["kv_gib"], per_gpu, r["source"]))
    return rows
