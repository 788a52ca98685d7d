"""`python -m playground serve-sim`: TTFT and per-token latency at a request rate (continuous batching).

`add_load_arguments` and `load_result` are the load half of `throughput --request-rate`: any step-time
model plugs in (the roofline here; the calibrated one in `throughput`). `serve-sim` runs them on the
roofline adapter, with the knee (the saturation rate and latency against rate) added.
"""

from ..errors import InputError, positive_float, positive_int
from ..performance import efficiency_from
from ..serving import ARRIVALS, MAX_REQUESTS, saturation_rate, simulate, step_model, sweep
from ..units import format_count, format_seconds
from ..vram import MAX_CONTEXT_TOKENS
from .common import add_model_arguments, add_precision_arguments, resolve_model
from .table import pairs, table

HELP = "serving under load: TTFT, ITL/TPOT percentiles and throughput at a request rate (simulated)"
DEFAULT_NUM_REQUESTS = 500


def add_load_arguments(parser) -> None:
    """--request-rate QPS [--num-requests N] [--seed S] [--arrival poisson|fixed]."""
    parser.add_argument("--request-rate", metavar="QPS", help="requests per second arriving (simulates the load)")
    parser.add_argument(
        "--num-requests",
        metavar="N",
        default=DEFAULT_NUM_REQUESTS,
        help=f"requests to simulate (default {DEFAULT_NUM_REQUESTS}, at most {MAX_REQUESTS:,})",
    )
    parser.add_argument("--seed", metavar="S", default=0, help="seed of the Poisson arrivals (default 0)")
    parser.add_argument(
        "--arrival", metavar="A", default="poisson", help="arrival process: poisson (default) or fixed (even spacing)"
    )


def load_result(args, step_time_s, kv_capacity_tokens: int, max_batch: int, max_batched_tokens: int = 8192) -> dict:
    """The load fields of the JSON: ttft_s, itl_s, tpot_s (means), percentiles, output_tokens_per_s, series.

    With --request-rate the requests arrive open-loop at that rate; without it, a --concurrency C (if
    the parser has one) runs C clients in a closed loop, like vLLM's benchmark with --max-concurrency.
    """
    arrival = str(getattr(args, "arrival", "poisson") or "poisson").strip().lower()
    if arrival not in ARRIVALS[:2]:
        raise InputError(f"unknown arrival {args.arrival!r}; choose poisson or fixed", "arrival")
    concurrency = getattr(args, "concurrency", None)
    if args.request_rate is None:
        if concurrency is None:
            raise InputError("give --request-rate QPS (or --concurrency C) to simulate a load", "request_rate")
        arrival = "concurrency"
    seed = positive_float(args.seed, "seed", "seed", allow_zero=True)
    if seed != int(seed):
        raise InputError(f"seed must be a whole number, got {args.seed!r}", "seed")
    result = simulate(
        step_time_s,
        kv_capacity_tokens,
        max_batch,
        args.input_tokens,
        args.output_tokens,
        request_rate=args.request_rate,
        num_requests=args.num_requests,
        seed=int(seed),
        arrival=arrival,
        concurrency=concurrency,
        max_batched_tokens=max_batched_tokens,
    )
    return result.as_dict()


def add_arguments(parser) -> None:
    add_model_arguments(parser)
    add_precision_arguments(parser)
    parser.add_argument("--gpu", required=True, metavar="ID", help="GPU type")
    parser.add_argument("--gpus", required=True, metavar="N", help="GPUs in the replica (tensor parallel)")
    parser.add_argument("--input-tokens", required=True, metavar="I", help="prompt tokens per request")
    parser.add_argument("--output-tokens", required=True, metavar="O", help="answer tokens per request")
    parser.add_argument("--concurrency", metavar="C", help="closed loop: C clients instead of a request rate")
    parser.add_argument(
        "--efficiency",
        metavar="E",
        default="calibrated",
        help="calibrated (default: fitted on measured engines), ideal (the roofline) or a percentage of every peak",
    )
    parser.add_argument("--sweep", action="store_true", help="add TTFT and TPOT at rates up to the knee (slower)")
    add_load_arguments(parser)


def _efficiency(raw) -> str:
    """calibrated, ideal or a percentage, checked here so a bad value is one line (performance.efficiency_from)."""
    return efficiency_from(raw).name if str(raw).strip().lower() in ("calibrated", "ideal") else _percent(raw)


def _percent(raw) -> str:
    efficiency_from(raw)  # raises the one-line InputError for anything else
    return str(raw).strip()


def run(args):
    choice = resolve_model(args)
    if args.request_rate is not None and args.concurrency is not None:
        raise InputError("give --request-rate or --concurrency, not both", "concurrency")
    efficiency = _efficiency(args.efficiency)
    model = step_model(choice.model or choice.arch, args.gpu, args.gpus, args.precision, args.kv_precision, efficiency)
    for field, name in (("input_tokens", "input tokens"), ("output_tokens", "output tokens")):
        positive_int(getattr(args, field), name, field, MAX_CONTEXT_TOKENS)
    model.check_lengths(args.input_tokens, args.output_tokens)
    load = load_result(args, model.step_time_s, model.kv_capacity_tokens, model.max_batch, model.max_batched_tokens)
    shape = (model.step_time_s, model.kv_capacity_tokens, model.max_batch, load["input_tokens"], load["output_tokens"])
    knee = saturation_rate(*shape, model.max_batched_tokens)
    data = {
        "model": choice.id,
        "gpu": args.gpu,
        "gpus": int(args.gpus),
        "precision": args.precision,
        "kv_precision": model.kv_precision,
        "efficiency": efficiency,
        "step_model": model.source,
        "input_tokens": load.pop("input_tokens"),
        "output_tokens": load.pop("output_tokens"),
        **load,
        "saturation_request_rate": knee,
        "past_knee": load["request_rate"] is not None and load["request_rate"] > knee,
    }
    if args.sweep:
        data["sweep"] = [p.as_dict() for p in sweep(*shape, knee, model.max_batched_tokens)]
    p = data["percentiles"]
    head = pairs(
        [
            ("model", f"{choice.name}, {args.precision} on {data['gpus']} x {args.gpu} ({model.source})"),
            (
                "load",
                f"{data['request_rate']:g} requests/s, {data['arrival']}"
                if data["request_rate"] is not None
                else f"{data['concurrency']} concurrent clients",
            ),
            ("knee", f"{knee:.3g} requests/s" + ("  (past it when sustained)" if data["past_knee"] else "")),
            ("output", f"{format_count(data['output_tokens_per_s'])} tokens/s, mean batch {data['mean_batch']:.1f}"),
        ]
    )
    rows = [
        [name, *(format_seconds(p[key][s]) for s in ("mean", "p50", "p90", "p99"))]
        for name, key in (("TTFT", "ttft_s"), ("ITL", "itl_s"), ("TPOT", "tpot_s"), ("end to end", "e2e_s"))
    ]
    return data, f"{head}\n\n{table(['latency', 'mean', 'p50', 'p90', 'p99'], rows)}"
