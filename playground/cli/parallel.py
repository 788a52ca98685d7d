"""`python -m playground parallel`: how to split a model over N GPUs (TP, PP, DP, EP), with the reasons."""

from ..parallel import plan
from ..splits import DEFAULT_CONTEXT_TOKENS, DEFAULT_GPU, DEFAULT_MICRO_BATCHES, DEFAULT_USERS
from ..units import format_bytes, format_percent, format_seconds
from .common import add_model_arguments, resolve_model
from .table import pairs, table

HELP = "recommend tensor / pipeline / data / expert parallelism for N GPUs, with memory and traffic per GPU"


def add_arguments(parser) -> None:
    add_model_arguments(parser)
    parser.add_argument("--gpus", required=True, metavar="N", help="GPUs to use (1 to 1,024)")
    parser.add_argument("--gpu", default=DEFAULT_GPU, metavar="ID", help=f"GPU type (default {DEFAULT_GPU})")
    parser.add_argument("--precision", default="bf16", metavar="P", help="weight precision (default bf16)")
    parser.add_argument("--users", default=str(DEFAULT_USERS), metavar="N", help="concurrent users, all replicas")
    parser.add_argument("--context", default=str(DEFAULT_CONTEXT_TOKENS), metavar="TOKENS", help="tokens per user")
    parser.add_argument(
        "--micro-batches", default=str(DEFAULT_MICRO_BATCHES), metavar="M", help="micro-batches per pipeline batch"
    )


def _cell(split, attr: str, fmt) -> str:
    return fmt(getattr(split, attr)) if split.valid else "—"


def run(args):
    choice = resolve_model(args)
    p = plan(choice.arch, args.gpus, args.gpu, args.precision, args.micro_batches, args.users, args.context)
    data = p.as_dict()
    data["model"] = choice.id  # a --config path when no catalog id
    r, s = p.recommended, p.setup
    rows = [
        ("model", choice.name),
        ("GPUs", f"{s.gpus} x {s.gpu.name} ({p.nodes} node(s) of {s.node})"),
        ("split", f"TP {r.tp} x PP {r.pp} x DP {r.dp}" + (f", EP {p.ep} as an option" if p.ep > 1 else "")),
        (
            "per GPU",
            f"{format_bytes(r.per_gpu_bytes)} of {format_bytes(s.budget.value)} "
            f"({'fits' if r.fits else 'does NOT fit'})",
        ),
        (
            "traffic per step",
            f"{format_bytes(r.comm_bytes_per_step)} per GPU, {format_seconds(r.comm_time_s)} on the links",
        ),
        ("pipeline bubble", format_percent(r.bubble_fraction)),
    ]
    comparison = table(
        ["split", "per GPU", "fits", "sent per GPU per step", "link time", "bubble", "note"],
        [
            [
                x.label,
                _cell(x, "per_gpu_bytes", format_bytes),
                ("yes" if x.fits else "no") if x.valid else "—",
                _cell(x, "comm_bytes_per_step", format_bytes),
                _cell(x, "comm_time_s", format_seconds),
                _cell(x, "bubble_fraction", format_percent),
                x.note,
            ]
            for x in p.strategies
        ],
    )
    reasons = "\n".join(f"- {line}" for line in p.reasons)
    formulas = "\n".join(t.plugged() for t in p.terms)
    return data, f"{pairs(rows)}\n\n{reasons}\n\n{comparison}\n\n{formulas}"
