"""`python -m playground cost`: GPUs for a daily volume, what buying, reserving and renting cost, which to take."""

from ..cost import COMPLIANCE, DEFAULTS, VOLUMES, estimate
from ..prices import SPECS
from ..tco import LABELS, PATHS, format_usd_per_million_tokens
from ..units import format_count, format_percent, format_usd
from .common import add_model_arguments, add_precision_arguments, resolve_model
from .table import pairs, table

HELP = "buy vs rent: GPUs for a daily request volume, monthly cost of each path, breakeven, recommendation"


def add_arguments(parser) -> None:
    add_model_arguments(parser)
    add_precision_arguments(parser)
    parser.add_argument("--requests-per-day", required=True, metavar="N", help="requests per day")
    parser.add_argument("--gpu", metavar="ID", help=f"GPU type (default {DEFAULTS['gpu']})")
    parser.add_argument("--compliance", metavar="C", help=f"{' | '.join(COMPLIANCE)} (default none)")
    parser.add_argument(
        "--volume", metavar="V", help=f"how steady the volume is: {' | '.join(VOLUMES)} (default steady)"
    )
    parser.add_argument(
        "--input-tokens", metavar="N", help=f"input tokens per request (default {DEFAULTS['input_tokens']})"
    )
    parser.add_argument(
        "--output-tokens", metavar="N", help=f"output tokens per request (default {DEFAULTS['output_tokens']})"
    )
    parser.add_argument(
        "--utilization-percent",
        metavar="U",
        help=f"expected average load, %% of the capacity provisioned (default {DEFAULTS['utilization_percent']})",
    )
    parser.add_argument("--horizon-years", metavar="Y", help=f"planning horizon (default {DEFAULTS['horizon_years']})")
    parser.add_argument(
        "--efficiency",
        metavar="E",
        help="calibrated (default: fitted on measured engine runs), ideal (the roofline, an upper bound), "
        "or custom (with --efficiency-percent)",
    )
    parser.add_argument(
        "--efficiency-percent",
        metavar="E",
        help="share of every peak the engine reaches; implies --efficiency custom",
    )
    parser.add_argument(
        "--rates",
        metavar="R",
        help="rental prices from gpu-cloud (default: Lambda, Nebius ...) or hyperscaler (AWS ...)",
    )
    parser.add_argument(
        "--ttft-target-ms", metavar="MS", help="time-to-first-token target: size to meet it at the peak"
    )
    parser.add_argument("--tpot-target-ms", metavar="MS", help="time-per-output-token target: size to meet it")
    parser.add_argument(
        "--latency-percentile", metavar="P", help="the targets hold for this percentile: 50 (default), 90 or 99"
    )
    parser.add_argument(
        "--peak-factor",
        metavar="F",
        help="peak-hour request rate / daily average (default 1 / utilization: a service averaging 60%% of its peak)",
    )
    for spec in SPECS:
        flag = "--" + spec.key.replace("_", "-")
        parser.add_argument(flag, metavar="X", help=f"{spec.label}, {spec.unit} (default auto: the dated figure)")


def run(args):
    choice = resolve_model(args)
    given = {spec.key: getattr(args, spec.key) for spec in SPECS}
    inputs = {key: getattr(args, key, None) for key in ("gpu", "compliance", "volume", "input_tokens", "output_tokens")}
    inputs.update(
        utilization_percent=args.utilization_percent,
        horizon_years=args.horizon_years,
        efficiency=args.efficiency or ("custom" if args.efficiency_percent is not None else None),
        efficiency_percent=args.efficiency_percent,
        ttft_target_ms=args.ttft_target_ms,
        tpot_target_ms=args.tpot_target_ms,
        latency_percentile=args.latency_percentile,
        peak_factor=args.peak_factor,
        rates=args.rates,
    )
    result = estimate(
        choice.model or choice.arch, args.precision, args.requests_per_day, args.kv_precision, given, **inputs
    )
    data = result.as_dict()
    data["model"] = choice.id
    t, s = result.tco, result.serving
    rows = [
        [
            LABELS[p] + (" ◀" if p == result.recommendation else ""),
            format_usd(t.paths[p].monthly_usd),
            format_usd_per_million_tokens(t.paths[p].usd_per_million_tokens),
            format_usd(t.paths[p].horizon_usd),
            "—" if t.paths[p].breakeven_months is None else f"{t.paths[p].breakeven_months:.1f}",
        ]
        for p in PATHS
    ]
    head = pairs(
        [
            ("model", f"{choice.name}, {s.precision} on {s.gpu.name}"),
            ("volume", f"{s.requests_per_day:,} requests/day, {format_count(s.tokens_per_day)} tokens/day"),
            ("GPUs needed", f"{data['gpus_needed']:,} ({data['replicas']:,} x {data['gpus_per_replica']}-GPU replica)"),
            ("recommendation", LABELS[result.recommendation]),
            (
                "buying pays above",
                "never" if t.breakeven_utilization is None else format_percent(t.breakeven_utilization),
            ),
        ]
    )
    body = table(
        ["path", "per month", "per 1M tokens", f"{result.horizon_years}-year total", "breakeven (months)"], rows
    )
    why = "\n".join(f"- {r}" for r in (*result.reasons, *result.notes))
    return data, f"{head}\n\n{body}\n\n{why}"
