"""`python -m playground capacity`: the KV pool a deployment leaves, in tokens, users and context."""

from ..capacity import capacity
from .common import add_model_arguments, add_precision_arguments, gb, resolve_model
from .table import pairs

HELP = "vLLM-style KV-cache capacity: tokens, max users at a context, max context at N users"


def add_arguments(parser) -> None:
    add_model_arguments(parser)
    parser.add_argument("--gpu", required=True, metavar="ID", help="GPU type")
    parser.add_argument("--gpus", required=True, metavar="N", help="number of GPUs")
    add_precision_arguments(parser)
    parser.add_argument("--context", metavar="TOKENS", help="tokens per user for max_users (default: model maximum)")
    parser.add_argument("--users", default="1", metavar="N", help="users for max_context (default 1)")
    parser.add_argument("--gpu-memory-utilization", metavar="U", help="vLLM's memory share per GPU (default 0.90)")


def run(args):
    choice = resolve_model(args)
    c = capacity(
        choice.arch,
        args.gpu,
        args.gpus,
        args.precision,
        args.kv_precision,
        args.context,
        args.users,
        gpu_memory_utilization=args.gpu_memory_utilization,
    )
    data = {
        "model": choice.id,
        "gpu": c.gpu.id,
        "gpus": c.gpus,
        "tensor_parallel": c.layout.tensor_parallel,
        "pipeline_parallel": c.layout.pipeline_parallel,
        "precision": c.precision,
        "kv_precision": c.kv_precision,
        "gpu_memory_utilization": c.gpu_memory_utilization,
        "usable_memory_bytes_per_gpu": c.usable_memory_bytes,
        "weights_bytes": c.weights_bytes,
        "weights_bytes_per_gpu": c.weights_per_gpu_bytes,
        "non_torch_bytes_per_gpu": c.non_torch_bytes,
        "nccl_bytes_per_gpu": c.nccl_bytes,
        "activation_bytes_per_gpu": c.activation_bytes,
        "cuda_graph_bytes_per_gpu": c.cuda_graph_bytes,
        "kv_pool_bytes_per_gpu": c.kv_pool_per_gpu_bytes,
        "kv_pool_bytes": c.kv_pool_bytes,
        "kv_bytes_per_token": c.kv_bytes_per_token,
        "state_bytes_per_sequence": c.state_bytes_per_sequence,
        "kv_replication": c.layout.kv_replication,
        "kv_tokens": c.kv_tokens,
        "context_tokens": c.context_tokens,
        "max_users": c.max_users,
        "users": c.users,
        "max_context": c.max_context,
        "context_limited_by": c.context_limited_by,
        "fits": c.fits,
        "reason": c.reason,
        "terms": [t.as_dict() for t in c.terms],
    }
    rows = [
        (
            "deployment",
            f"{c.gpus} x {c.gpu.name} (TP={c.layout.tensor_parallel}, "
            f"PP={c.layout.pipeline_parallel}), {c.precision} weights, {c.kv_precision} KV",
        ),
        ("fits", "yes" if c.fits else "no"),
        ("KV pool", f"{gb(c.kv_pool_bytes)} ({c.kv_tokens:,} tokens)"),
        ("max users", f"{c.max_users:,} at {c.context_tokens:,} tokens"),
        ("max context", f"{c.max_context:,} tokens at {c.users:,} user(s), limited by {c.context_limited_by}"),
        ("summary", c.reason),
    ]
    return data, pairs(rows) + "\n\n" + "\n".join(t.plugged() for t in c.terms)
