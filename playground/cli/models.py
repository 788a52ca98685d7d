"""`python -m playground models`: the model catalog with computed parameters and KV size."""

from ..architecture import kv_bytes_per_token, param_breakdown
from ..models import MODELS
from ..state import state_bytes_per_sequence
from ..units import format_bytes, format_count
from .table import table

HELP = "list catalog models: parameters (computed from each config) and KV cache per token"


def add_arguments(parser) -> None:
    """No options beyond --json."""


def model_record(model) -> dict:
    """One catalog model as the JSON contract describes it."""
    params = param_breakdown(model.arch)
    return {
        "id": model.id,
        "name": model.name,
        "model_type": model.arch.model_type,
        "attention": model.arch.attention_kind,
        "is_moe": model.arch.is_moe,
        "params_total": params.total,
        "params_active": params.active,
        "kv_bytes_per_token": int(kv_bytes_per_token(model.arch, 16)),
        "state_bytes_per_sequence": int(state_bytes_per_sequence(model.arch)),
        "layers": model.arch.layer_summary(),
        "num_hidden_layers": model.arch.num_hidden_layers,
        "hidden_size": model.arch.hidden_size,
        "max_position_embeddings": model.arch.max_position_embeddings,
        "official_params_total": model.official_params_total,
        "official_params_active": model.official_params_active,
        "official_source": model.official_source,
        "release_precision": model.release_precision,
        "default": model.default,
        "notes": model.notes,
        "source": model.source,
        "retrieved": model.retrieved,
    }


def run(args):
    data = [model_record(m) for m in MODELS]
    rows = [
        [
            r["id"],
            r["attention"],
            format_count(r["params_total"]),
            format_count(r["params_active"]),
            format_bytes(r["kv_bytes_per_token"]),
            "yes" if r["default"] else "",
        ]
        for r in data
    ]
    text = table(["model", "attention", "params", "active", "KV/token (16-bit)", "default"], rows)
    return data, text
