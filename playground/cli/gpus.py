"""`python -m playground gpus`: the accelerator table."""

from ..gpus import GPUS
from ..units import format_bytes, format_flops
from .table import table

HELP = "list GPUs: memory, bandwidth, dense BF16/FP8 FLOP/s, interconnect"


def add_arguments(parser) -> None:
    """No options beyond --json."""


def run(args):
    data = [g.as_dict() for g in GPUS]
    rows = [
        [
            g.id,
            format_bytes(g.memory_bytes, "GiB"),
            f"{format_bytes(g.bandwidth_bytes_per_s)}/s",
            format_flops(g.bf16_flops),
            format_flops(g.fp8_flops) if g.fp8_flops else "-",
            str(g.gpus_per_node),
            g.interconnect + (" *" if g.unverified else ""),
        ]
        for g in GPUS
    ]
    text = table(["gpu", "memory", "bandwidth", "BF16 dense", "FP8 dense", "per node", "interconnect"], rows)
    return data, text + "\n* some figures unverified (see --json: unverified_fields)"
