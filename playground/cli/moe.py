"""`python -m playground moe`: a dense and an MoE model side by side: memory, compute, bytes read, decode speed."""

from ..moe import compare, dense_ids, describe_ratio, moe_ids
from ..precision import PRECISIONS
from ..units import format_bytes, format_count, format_flops, format_rate
from .table import table

HELP = "compare a dense and a mixture-of-experts model: parameters, FLOPs, bytes read per token, decode speed"
DEFAULTS = {"precision": "fp8", "batch": "32", "context": "4096", "gpu": "h200-sxm", "gpus": "8", "seed": "42"}


def add_arguments(parser) -> None:
    parser.add_argument("--dense", required=True, metavar="ID", help=f"dense model: {', '.join(dense_ids())}")
    parser.add_argument("--moe", required=True, metavar="ID", help=f"MoE model: {', '.join(moe_ids())}")
    parser.add_argument(
        "--precision",
        default=DEFAULTS["precision"],
        metavar="P",
        help=f"weight precision: {', '.join(p.id for p in PRECISIONS)} (default fp8)",
    )
    parser.add_argument(
        "--batch", default=DEFAULTS["batch"], metavar="B", help="sequences per decode step (default 32)"
    )
    parser.add_argument(
        "--context", default=DEFAULTS["context"], metavar="TOKENS", help="cached tokens per sequence (default 4096)"
    )
    parser.add_argument("--gpu", default=DEFAULTS["gpu"], metavar="ID", help="GPU type (default h200-sxm)")
    parser.add_argument("--gpus", default=DEFAULTS["gpus"], metavar="N", help="GPU count (default 8)")
    parser.add_argument("--seed", default=DEFAULTS["seed"], metavar="S", help="seed of the toy router (default 42)")


def _pair(values: dict, fmt) -> str:
    return f"{fmt(values['batch_1'])} / {fmt(values['batch_b'])}"


def run(args):
    result = compare(args.dense, args.moe, args.precision, args.batch, args.context, args.gpu, args.gpus, args.seed)
    data = result.as_dict()
    b = result.batch
    rows = []
    for label, key, fmt in (
        ("parameters, total", "params_total", format_count),
        ("parameters, active per token", "params_active", format_count),
        ("FLOPs per token", "flops_per_token", format_flops),
        ("weights in memory", "weights_bytes", format_bytes),
    ):
        rows.append([label, fmt(data["dense"][key]), fmt(data["moe"][key])])

    def touched(side):
        return "—" if side["experts_touched"] is None else _pair(side["experts_touched"], lambda v: f"{v:.1f}")

    rows += [
        [f"experts touched per layer, batch 1 / {b}", touched(data["dense"]), touched(data["moe"])],
        [f"weights read per token, batch 1 / {b}"]
        + [_pair(data[s]["bytes_read_per_token"], format_bytes) for s in ("dense", "moe")],
        ["KV read per token"] + [format_bytes(data[s]["kv_read_bytes_per_token"]) for s in ("dense", "moe")],
        [f"decode tokens/s, batch 1 / {b}"]
        + [_pair(data[s]["decode_tokens_per_s"], lambda v: format_rate(v, "tok")) for s in ("dense", "moe")],
        ["fits in memory"] + ["yes" if data[s]["fits"] else "no" for s in ("dense", "moe")],
    ]
    head = (
        f"{result.gpus:,} x {result.gpu.name}, {result.precision.name} weights, {result.kv_precision.name} KV cache, "
        f"batch {b:,}, {result.context_tokens:,} tokens of context (ideal roofline: an upper bound)"
    )
    crossover = result.crossover_batch
    summary = (
        f"Weight bytes read per token, {result.moe.model.name} vs {result.dense.model.name}: "
        f"{describe_ratio(result.read_ratio_1.value)} at batch 1, {describe_ratio(result.read_ratio_b.value)} "
        f"at batch {b:,}; "
        + (
            f"from batch {crossover:,} on the MoE step reads more weight bytes than the dense step."
            if crossover
            else "the MoE step never reads more weight bytes than the dense step."
        )
    )
    route = result.router.tokens[0]
    router = (
        f"toy router (seed {result.router.seed}, illustrative scores): {route.token.strip()!r} -> experts "
        + ", ".join(f"{e} ({g:.2f})" for e, g in zip(route.experts, route.gates))
    )
    terms = [f"[{s.model.name}] {t.plugged()}" for s in (result.dense, result.moe) for t in s.terms]
    text = "\n".join(
        [
            head,
            "",
            table(["", result.dense.model.name, result.moe.model.name], rows),
            "",
            summary,
            router,
            *(f"warning: {w}" for w in result.warnings),
            "",
            *terms,
        ]
    )
    return data, text
