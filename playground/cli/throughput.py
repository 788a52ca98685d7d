"""`python -m playground throughput`: tokens/s, TPOT and TTFT of a deployment, calibrated on real engines."""

import argparse

from ..calibration import HELD_OUT
from ..errors import positive_float
from ..performance import ENGINES, performance
from ..serving import MAX_REQUEST_RATE, step_model
from ..units import format_percent, format_seconds
from .common import add_model_arguments, add_precision_arguments, resolve_model
from .serving import add_load_arguments, load_result
from .table import pairs

HELP = "throughput and latency at the offline maximum or a concurrency (calibrated on measured engines)"


def add_arguments(parser) -> None:
    add_model_arguments(parser)
    parser.add_argument("--gpu", required=True, metavar="ID", help="GPU type")
    parser.add_argument("--gpus", required=True, metavar="N", help="GPUs in all (more than TP x PP adds replicas)")
    parser.add_argument("--tp", metavar="T", help="tensor-parallel GPUs per replica (default: a node's worth)")
    parser.add_argument("--pp", default="1", metavar="P", help="pipeline stages per replica (default 1)")
    parser.add_argument("--ep", default="1", metavar="E", help="expert-parallel GPUs for MoE layers (default 1)")
    add_precision_arguments(parser)
    parser.add_argument("--input-tokens", required=True, metavar="I", help="prompt tokens per request")
    parser.add_argument("--output-tokens", required=True, metavar="O", help="answer tokens per request")
    parser.add_argument("--concurrency", metavar="C", help="requests in flight (default: as many as fit)")
    parser.add_argument(
        "--efficiency",
        default="calibrated",
        metavar="E",
        help="calibrated (fitted on measured runs, default), ideal (the roofline), or a percent of every peak",
    )
    parser.add_argument(
        "--engine", default="trtllm", choices=ENGINES, help="whose KV pool and batch cap (default trtllm)"
    )
    add_load_arguments(parser)


def _under_load(args, choice, p) -> dict:
    """Simulate the requests arriving at --request-rate, spread over the replicas (serving.py, vLLM-style
    continuous batching on the same step times); the simulated figures replace the flat-out ones."""
    model = step_model(choice.arch, p.gpu, p.tp * p.pp, p.precision, p.kv_precision, args.efficiency)
    model.check_lengths(p.input_tokens, p.output_tokens)
    rate = positive_float(args.request_rate, "request rate", "request_rate", MAX_REQUEST_RATE)
    per_replica = argparse.Namespace(**{**vars(args), "request_rate": rate / p.replicas, "concurrency": None})
    load = load_result(
        per_replica, model.step_time_s, model.kv_capacity_tokens, model.max_batch, model.max_batched_tokens
    )
    load["request_rate"] = rate
    for key in ("output_tokens_per_s", "total_tokens_per_s", "requests_per_s"):
        load[key] *= p.replicas
    load["per_user_output_tokens_per_s"] = 1 / load["tpot_s"] if load["tpot_s"] else None
    load["input_tokens_per_s"] = load["output_tokens_per_s"] * p.input_tokens / p.output_tokens
    return {"max_output_tokens_per_s": p.output_tokens_per_s, **load}


def run(args):
    choice = resolve_model(args)
    p = performance(
        choice.arch,
        args.gpu,
        args.gpus,
        args.precision,
        args.input_tokens,
        args.output_tokens,
        efficiency=args.efficiency,
        kv_precision=args.kv_precision,
        tp=args.tp,
        pp=args.pp,
        ep=args.ep,
        concurrency=args.concurrency,
        engine=args.engine,
    )
    data = {"model": choice.id, **p.as_dict()}
    if args.request_rate is not None:
        data.update(_under_load(args, choice, p))
    band = (
        f"{p.error_band[0]:,.0f} - {p.error_band[1]:,.0f} tokens/s (measured/predicted p10-p90 over "
        f"{HELD_OUT['n']} held-out runs; {format_percent(HELD_OUT['within_25_percent'])} within +-25%)"
        if p.efficiency == "calibrated"
        else "none (not the calibrated model)"
    )
    rows = [
        (
            "deployment",
            f"{p.gpus} x {p.gpu.name}: {p.replicas} replica(s) of TP={p.tp} PP={p.pp} EP={p.ep}, "
            f"{p.precision} weights, {p.kv_precision} KV, {p.engine} batching",
        ),
        ("batch", f"{p.batch:,} sequences per replica (KV pool holds {p.max_seqs:,})"),
        (
            "output tokens/s",
            f"{p.output_tokens_per_s:,.0f} ({p.efficiency}; ideal roofline {p.ideal_output_tokens_per_s:,.0f})",
        ),
        ("input tokens/s", f"{p.input_tokens_per_s:,.0f}"),
        ("error band", band),
        ("per user", f"{p.per_user_output_tokens_per_s:,.1f} tokens/s (TPOT {format_seconds(p.tpot_s)})"),
        ("TTFT", f"{format_seconds(p.ttft_s)} (prefill inside the running batch, no queueing)"),
    ]
    return data, pairs(rows) + "\n\n" + "\n".join(t.plugged() for t in p.terms)
