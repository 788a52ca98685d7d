"""Measured benchmarks as questions the engine can answer: which model, GPU, layout and lengths.

The records (calibration/throughput-measured.jsonl, one public source each) name models and GPUs the
way their sources do ("meta-llama/Llama-3.1-70B-Instruct", "H100 80GB HBM3"). Here they are matched to
catalog ids by rules on those names, never by looking up a measured value. A record the catalog cannot
express (an unknown model or GPU, a llama.cpp format, a production mix without lengths) is kept as
unanswered with the reason, so coverage is reported as honestly as error.
"""

import json
import zlib
from dataclasses import dataclass

from .errors import InputError
from .gpus import get_gpu
from .models import get_model

# (substring of the source's model name, lower case) -> catalog id; first match wins
MODEL_RULES = (
    ("llama-3.3-70b", "llama-3.3-70b"),
    ("llama-3.1-70b", "llama-3.1-70b"),
    ("llama-3.1-405b", "llama-3.1-405b"),
    ("llama3_1-405b", "llama-3.1-405b"),
    ("llama-3.1-8b", "llama-3.1-8b"),
    ("meta-llama-3-8b", "llama-3.1-8b"),  # same shape as 3.1 8B (only RoPE scaling and context differ)
    ("meta-llama-3-70b", "llama-3.1-70b"),
    ("llama-2-70b", "llama-2-70b"),
    ("llama2-70b", "llama-2-70b"),
    ("llama-2-7b", "llama-2-7b"),
    ("llama-4-scout", "llama-4-scout"),
    ("llama-4-maverick", "llama-4-maverick"),
    ("mixtral-8x22b", "mixtral-8x22b"),
    ("mixtral-8x7b", "mixtral-8x7b"),
    ("mistral-7b", "mistral-7b"),
    ("qwen3-235b-a22b", "qwen3-235b-a22b"),
    ("qwen3-30b-a3b", "qwen3-30b-a3b"),
    ("qwen3-8b", "qwen3-8b"),
    ("gpt-oss-120b", "gpt-oss-120b"),
    ("gpt-oss-20b", "gpt-oss-20b"),
    ("deepseek-r1", "deepseek-r1"),
    ("deepseek-v3", "deepseek-v3"),
)
# (substring of the source's GPU name, lower case) -> catalog id; first match wins (GB200 before B200)
GPU_RULES = (
    ("gb300", "gb300"),
    ("gb200", "gb200"),
    ("gh200", "gh200"),
    ("b300", "b300"),
    ("b200", "b200"),
    ("h200", "h200-sxm"),
    ("h100 pcie", "h100-pcie"),
    ("h100", "h100-sxm"),
    ("h800", "h800"),
    ("h20", "h20"),
    ("a100 pcie", "a100-pcie"),
    ("a100-sxm4-80gb", "a100-80gb"),
    ("a100 sxm 80gb", "a100-80gb"),
    ("l40s", "l40s"),
    ("rtx 6000 ada", "rtx-6000-ada"),
    ("rtx 5090", "rtx-5090"),
    ("rtx 4090", "rtx-4090"),
    ("rtx 3090", "rtx-3090"),
    ("mi300x", "mi300x"),
    ("mi325x", "mi325x"),
    ("mi355x", "mi355x"),
)
PRECISIONS = {"fp8": "fp8", "fp16": "fp16", "f16": "fp16", "bf16": "bf16", "fp4": "nvfp4", "nvfp4": "nvfp4"}
PRECISIONS["mxfp4"] = "mxfp4"
KV_PRECISIONS = {"fp8": "fp8", "bf16": "bf16", "fp16": "fp16"}
HOLDOUT_MODULUS = 5  # one model x GPU group in five (by a stable hash of its name) never enters the fit


class _Grouped:
    """A measurement's model x GPU group, and whether the group is in the held-out split."""

    @property
    def group(self) -> str:
        """The model x GPU group that leave-one-group-out holds out together."""
        return f"{self.model} on {self.gpu}"

    @property
    def held_out(self) -> bool:
        """In the held-out split (never fitted), chosen by a stable hash of the group."""
        return zlib.crc32(self.group.encode()) % HOLDOUT_MODULUS == 0


@dataclass(frozen=True)
class Case(_Grouped):
    """One measured record, as the question the engine answers, or the reason it cannot."""

    id: str
    source: str
    engine: str  # "trtllm", "vllm" or "other"
    metric: str
    measured: float  # in the record's own units, for its scope
    model: str | None
    gpu: str | None
    precision: str | None
    kv_precision: str | None
    gpus: int | None
    tp: int | None
    pp: int
    ep: int
    input_tokens: int | None
    output_tokens: int | None
    concurrency: int | None  # None = offline maximum
    reason: str  # why the engine cannot answer it; "" when it can

    def kwargs(self) -> dict:
        """Arguments for performance.plan()."""
        return {
            "model_or_arch": self.model,
            "gpu": self.gpu,
            "gpus": self.gpus,
            "precision": self.precision,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "kv_precision": self.kv_precision,
            "tp": self.tp,
            "pp": self.pp,
            "ep": self.ep,
            "concurrency": self.concurrency,
            "engine": "vllm" if self.engine == "vllm" else "trtllm",
        }


def _match(name: str, rules, lookup) -> str | None:
    low = name.lower()
    for needle, slug in rules:
        if needle in low:
            try:
                lookup(slug)
            except InputError:
                return None
            return slug
    return None


def _engine(text: str) -> str:
    low = text.lower()
    if "tensorrt" in low or "trtllm" in low:
        return "trtllm"
    return "vllm" if "vllm" in low else "other"


def case(record: dict) -> Case:
    """Map one record to a Case (never raises: an unusable record gets a reason)."""
    r = record
    model = _match(r["model"], MODEL_RULES, get_model)
    gpu = _match(r["gpu"], GPU_RULES, get_gpu)
    precision = PRECISIONS.get(str(r.get("weights") or "").lower())
    kv = KV_PRECISIONS.get(str(r.get("kv_dtype") or "").lower())
    setting = r["concurrency_or_batch"]
    concurrency = setting if isinstance(setting, int) else None
    offline = setting == "offline/max"
    reasons = []
    if r["metric"] != "output_tok_s_total" or r["scope"] != "system":
        reasons.append(f"metric {r['metric']} ({r['scope']}) is not system output tokens/s")
    if not offline and concurrency is None:
        reasons.append(f"setting {setting!r} is neither offline nor a fixed concurrency")
    if model is None:
        reasons.append(f"model {r['model']!r} is not in the catalog")
    if gpu is None:
        reasons.append(f"GPU {r['gpu']!r} is not in the catalog")
    if precision is None:
        reasons.append(f"weight format {r.get('weights')!r} is not one of ours")
    if not (r.get("isl") and r.get("osl") and r.get("gpus")):
        reasons.append("lengths or GPU count not stated")
    return Case(
        id=r["id"],
        source=r["source"],
        engine=_engine(r["engine"]),
        metric=r["metric"],
        measured=float(r["value"]),
        model=model,
        gpu=gpu,
        precision=precision,
        kv_precision=kv,
        gpus=r.get("gpus"),
        tp=r.get("tp") or (r.get("gpus") if offline else None),
        pp=r.get("pp") or 1,
        ep=r.get("ep") or 1,
        input_tokens=r.get("isl"),
        output_tokens=r.get("osl"),
        concurrency=concurrency,
        reason="; ".join(reasons),
    )


def load(path) -> list[Case]:
    """Every record of a JSON-lines file as a Case."""
    with open(path, encoding="utf-8") as handle:
        return [case(json.loads(line)) for line in handle if line.strip()]


def offline_trtllm(cases: list[Case]) -> list[Case]:
    """The calibration set: offline maximum-throughput runs of TensorRT-LLM the engine can express."""
    return [c for c in cases if not c.reason and c.engine == "trtllm" and c.concurrency is None]


@dataclass(frozen=True)
class DecodePoint(_Grouped):
    """A measured decode efficiency at low concurrency (MBU), as the TPOT it implies.

    MBU = bytes a decode step reads per GPU / TPOT / peak bandwidth, so TPOT = bytes / (MBU x bandwidth),
    with the bytes counted the same way here as in speed.step_work (weights read plus the batch's KV).
    """

    id: str
    engine: str
    model: str
    gpu: str
    precision: str
    tp: int
    concurrency: int
    context_tokens: float  # mean context while decoding: input + output / 2
    mbu: float
    source: str

    def work(self):
        """The decode step (speed.StepWork) this point measured, or None if the catalog lacks its model or GPU."""
        from .performance import default_kv
        from .precision import get_precision
        from .speed import step_work

        try:
            arch, gpu, prec = get_model(self.model).arch, get_gpu(self.gpu), get_precision(self.precision)
        except InputError:
            return None
        kv = default_kv(prec, gpu) if self.engine == "trtllm" else get_precision("bf16", kv=True)
        args = (arch, gpu, prec.effective_bits, prec.compute, kv.bits, self.concurrency, self.context_tokens)
        return step_work(*args, 0, 0, self.tp, 1, 1, prec)

    def measured_tpot_s(self, work) -> float:
        return (work.weights_bytes + work.kv_bytes) / (self.mbu * work.bandwidth_bytes_per_s)


def load_decode(path) -> list[DecodePoint]:
    """The decode-efficiency points of a JSON-lines file."""
    points = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                r = json.loads(line)
                context = r["input_tokens"] + r["output_tokens"] / 2
                keys = ("id", "engine", "model", "gpu", "precision", "tp", "concurrency", "mbu", "source")
                points.append(DecodePoint(**{k: r[k] for k in keys}, context_tokens=context))
    return points
