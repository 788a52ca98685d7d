"""`python -m playground vram`: memory for a model, precision, users and context, and the GPUs it needs."""

from ..recommend import plan
from ..units import format_count
from .common import add_model_arguments, add_precision_arguments, gb, resolve_model
from .table import pairs

HELP = "estimate GPU memory (weights + KV cache + overhead) and recommend GPUs"


def add_arguments(parser) -> None:
    add_model_arguments(parser)
    add_precision_arguments(parser)
    parser.add_argument("--users", required=True, metavar="N", help="concurrent users (sequences)")
    parser.add_argument("--context", required=True, metavar="TOKENS", help="tokens per user (prompt + output)")
    parser.add_argument("--gpu", metavar="ID", help="size for this GPU (default: recommend one)")
    parser.add_argument("--gpu-memory-utilization", metavar="U", help="vLLM's memory share per GPU (default 0.90)")


def _split_text(ws) -> str:
    """' (4.5 bits on the linear layers, the rest BF16)' when a format covers only some groups."""
    if ws.scope == "all":
        return f" ({ws.bits:.4g} bits per weight)"
    return f" ({ws.bits:.4g} bits on {ws.scope_label}, {format_count(ws.kept_params)} params kept in BF16)"


def run(args):
    choice = resolve_model(args)
    sized = plan(
        choice.arch,
        args.precision,
        args.users,
        args.context,
        args.kv_precision,
        args.gpu,
        gpu_memory_utilization=args.gpu_memory_utilization,
    )
    final, rec = sized.estimate, sized.recommendation
    over = final.overhead
    data = {
        "model": choice.id,
        "precision": final.precision,
        "kv_precision": final.kv_precision,
        "users": final.users,
        "context_tokens": final.context_tokens,
        "params_total": final.params_total,
        "params_active": final.params_active,
        "weight_bits": final.weight_bits,
        "weight_split": final.weight_split.as_dict(),
        "kv_bytes_per_token": final.kv_bytes_per_token,
        "weights_bytes": final.weights_bytes,
        "kv_cache_bytes": final.kv_cache_bytes,
        "state_bytes_per_sequence": final.state_bytes_per_sequence,
        "state_bytes": final.state_bytes,
        "overhead_bytes": final.overhead_bytes,
        "overhead": {
            "gpus": over.gpus,
            "non_torch_bytes_per_gpu": over.non_torch_bytes,
            "nccl_bytes_per_gpu": over.nccl_bytes,
            "activation_bytes_per_gpu": over.activation_bytes,
            "cuda_graph_bytes_per_gpu": over.cuda_graph_bytes,
            "reserve_bytes_per_gpu": over.reserve_bytes,
        },
        "total_bytes": final.total_bytes,
        "gpu": final.gpu.id if final.gpu else None,
        "gpus": final.gpus,
        "terms": [t.as_dict() for t in final.terms],
        "recommendation": rec.as_dict(),
        "warnings": list(final.warnings),
    }
    rows = [
        (
            "model",
            f"{choice.name} ({format_count(final.params_total)} params, {format_count(final.params_active)} active)",
        ),
        ("precision", f"{final.precision} weights, {final.kv_precision} KV cache"),
        ("weights", gb(final.weights_bytes) + _split_text(final.weight_split)),
        ("KV cache", gb(final.kv_cache_bytes)),
    ]
    if final.state_bytes_per_sequence:
        rows.append(("fixed state", f"{gb(final.state_bytes)} ({gb(final.state_bytes_per_sequence)} per sequence)"))
    rows += [
        ("overhead", f"{gb(final.overhead_bytes)} on {final.gpus} GPU(s)"),
        ("total", gb(final.total_bytes)),
        ("recommendation", rec.reason),
    ]
    rows += [("warning", w) for w in final.warnings]
    text = pairs(rows) + "\n\n" + "\n".join(t.plugged() for t in final.terms)
    return data, text
