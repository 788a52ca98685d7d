"""`python -m playground quantization`: every weight format for one model on one GPU type.

Per format: effective bits, weight memory, the GPUs it needs, ideal decode and prefill tokens/s (roofline),
and the quality rating with the published measurement behind it. --json prints one document:
{"model", "gpu", "batch", "context_tokens", "kv_precision", ..., "precisions": [...], "caveats": [...]}.
"""

from ..gpus import GPUS
from ..precision import KV_PRECISION_IDS
from ..quantization import DEFAULT_GPU, FORMAT_IDS, explore, get_format
from ..units import format_bytes, format_count, format_rate
from .common import add_model_arguments, resolve_model
from .table import table

HELP = "compare weight formats (FP32 ... INT4, llama.cpp Q8_0 ... Q2_K): memory, GPUs, speed and quality"


def add_arguments(parser) -> None:
    """--model | --config, --gpu, --gpus, --batch, --context, --kv-precision, --precision (formulas to print)."""
    add_model_arguments(parser)
    parser.add_argument("--gpu", default=DEFAULT_GPU, metavar="ID", help=f"GPU type: {', '.join(g.id for g in GPUS)}")
    parser.add_argument(
        "--gpus",
        default="auto",
        metavar="N",
        help="GPUs to compare on (default auto: each format on the fewest that hold it)",
    )
    parser.add_argument("--batch", default="1", metavar="N", help="sequences decoded together (default 1)")
    parser.add_argument("--context", default="4096", metavar="TOKENS", help="tokens per sequence (default 4096)")
    parser.add_argument(
        "--kv-precision", default="bf16", metavar="P", help=f"KV-cache precision: {', '.join(KV_PRECISION_IDS)}"
    )
    parser.add_argument("--precision", metavar="P", help=f"also print this format's formulas: {', '.join(FORMAT_IDS)}")


def _speed(rate: float) -> str:
    return format_rate(rate, "tokens")


def run(args):
    """(JSON data, readable text)."""
    choice = resolve_model(args)
    shown = get_format(args.precision) if args.precision is not None else None
    e = explore(choice.arch, args.gpu, args.batch, args.context, args.kv_precision, args.gpus)
    data = {
        "model": choice.id,
        "gpu": e.gpu.id,
        "gpus": e.gpus,
        "batch": e.batch,
        "context_tokens": e.context_tokens,
        "kv_precision": e.kv_precision,
        "params_total": e.params_total,
        "params_active": e.params_active,
        "kv_bytes_per_token": e.kv_bytes_per_token,
        "kv_cache_bytes": e.kv_cache_bytes,
        "kv_quality": e.kv_rating.as_dict(),
        "precisions": [r.as_dict() for r in e.rows],
        "caveats": [c.as_dict() for c in e.caveats],
        "warnings": list(e.warnings),
        "terms": [t.as_dict() for t in e.terms],
    }
    rows = [
        [
            r.format.label,
            f"{r.format.effective_bits:.3g}",
            format_bytes(r.weights_bytes),
            f"{r.gpus}" if r.fits else f"{r.gpus} (needs {r.gpus_needed or 'more'})",
            _speed(r.decode.tokens_per_s) + (" (compute)" if r.decode.bound == "compute" else ""),
            _speed(r.prefill.tokens_per_s),
            r.rating.label,
        ]
        for r in e.rows
    ]
    head = (
        f"{choice.name}: {format_count(e.params_total)} parameters on {e.gpu.name}; batch {e.batch:,}, "
        f"{e.context_tokens:,} tokens each, {e.kv_precision.upper()} KV cache = {format_bytes(e.kv_cache_bytes)} "
        f"({e.kv_rating.label})"
    )
    lines = [
        head,
        "",
        table(["format", "bits/weight", "weights", "GPUs", "decode", "prefill", "quality"], rows),
        "",
        "Speeds are ideal roofline bounds on the GPUs shown (tensor parallel); real engines reach roughly 50-80%.",
        *(f"warning: {w}" for w in e.warnings),
        "",
        "Quality evidence:",
        *(f"  {r.format.label}: {r.rating.label}. {r.rating.reason}" for r in e.rows),
        "",
        *(f"caveat: {c.text}" for c in e.caveats),
    ]
    if shown is not None:
        lines += ["", f"{shown.label}, step by step:"]
        lines += [f"  {t.plugged()}" for t in (*e.terms, *e.row(shown.id).terms)]
    return data, "\n".join(lines)
