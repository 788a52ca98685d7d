"""`python -m playground quantize VALUE`: one number in FP32, BF16, FP16, FP8 E4M3/E5M2, INT8 and INT4.

The float formats round VALUE to FP32 and then to each narrower format (see playground.bits). INT8 and
INT4 need a scale shared by a group of weights, so VALUE is quantized inside the default example group
VALUE, -0.42, 0.07, 0.33, -0.15, 0.26, -0.05, 0.48 (bits.EXAMPLE_WEIGHTS): a VALUE larger in magnitude
than 0.48 sets the scale for the whole group. NVFP4 and MXFP4 (playground.fp4) store VALUE as a 4-bit E2M1
code times a block scale (FP8 E4M3 per 16, or an E8M0 power of two per 32) computed from the same group.
--json prints one object keyed fp32, bf16, fp16, fp8_e4m3, fp8_e5m2, int8, int4, nvfp4, mxfp4 (the FP4
entries: bits, hex, element, scale, scale_bits, scale_hex, decoded, error); inf/NaN results (FP16
overflow) appear as the strings "inf", "-inf", "nan".
"""

import re

from ..bits import EXAMPLE_WEIGHTS, FORMATS, INT_FORMATS, SCHEMES, quantize
from ..fp4 import BLOCK_FORMATS
from .table import table

_GROUP_TEXT = ", ".join(f"{w:g}" for w in EXAMPLE_WEIGHTS)
HELP = (
    f"Show one number's bits in FP32, BF16, FP16, FP8 E4M3/E5M2, INT8, INT4, NVFP4 and MXFP4; the INT and "
    f"FP4 formats quantize it in the example group VALUE, {_GROUP_TEXT}."
)


def add_arguments(parser) -> None:
    """VALUE and --scheme."""
    # argparse only treats '-0.5' / '-5' as values, not options; also accept '-1e-3', '-.5' and '-inf'.
    parser._negative_number_matcher = re.compile(r"(?i)^-(\d|\.\d|inf)")
    parser.add_argument(
        "value", metavar="VALUE", help="the number to encode, e.g. 0.1, -0.5 or 3e-5 (finite, within ±3.4e38)"
    )
    parser.add_argument(
        "--scheme",
        choices=SCHEMES,
        default="absmax",
        help="INT8/INT4: absmax = symmetric, scale = max|w| / qmax (default); "
        "zeropoint = asymmetric, scale = (max - min) / (2^b - 1) plus a zero point",
    )


def _notes(enc) -> str:
    flags = ("saturated", "overflow", "underflow", "subnormal", "rounded")
    return ", ".join(f for f in flags if getattr(enc, f)) or "exact"


def run(args):
    """(JSON data, readable text) for one value."""
    result = quantize(args.value, args.scheme)
    data = {key: item.as_dict() for key, item in result.items()}
    rows = []
    for key in FORMATS:
        enc = result[key]
        rows.append(
            [
                FORMATS[key].label,
                f"{enc.sign} {enc.exponent} {enc.mantissa}",
                enc.hex,
                repr(enc.decoded),
                f"{enc.abs_error:.3g}",
                _notes(enc),
            ]
        )
    for key in INT_FORMATS:
        q = result[key]
        zero = "" if q.zero_point is None else f", zero point {q.zero_point}"
        rows.append(
            [
                INT_FORMATS[key].label,
                q.bits,
                q.hex,
                repr(q.decoded),
                f"{q.abs_error:.3g}",
                f"code {q.code}{zero}" + (", clamped" if q.clamped else ""),
            ]
        )
    for key in BLOCK_FORMATS:
        q = result[key]
        rows.append(
            [
                BLOCK_FORMATS[key].label,
                f"{q.sign} {q.exponent} {q.mantissa}",
                q.hex,
                repr(q.decoded),
                f"{q.error:.3g}",
                f"E2M1 {q.element:g} x scale {q.scale:g} ({q.scale_format} {q.scale_bits})"
                + (", clamped" if q.clamped else ""),
            ]
        )
    value = result["fp32"].value
    lines = [
        f"value {value!r} (parsed as float64; floats round to FP32 first, then to the narrower format)",
        "",
        table(["format", "bits (sign exponent mantissa)", "hex", "decoded", "abs error", "notes"], rows),
        "",
        f"INT group ({args.scheme}): " + ", ".join(f"{w:g}" for w in result["int8"].group),
    ]
    for key in INT_FORMATS:
        lines.append(f"  {INT_FORMATS[key].label}:")
        lines.extend(f"    {term.plugged()}" for term in result[key].terms)
    for key in BLOCK_FORMATS:
        lines.append(
            f"  {BLOCK_FORMATS[key].label} (block of {BLOCK_FORMATS[key].block_size}, {BLOCK_FORMATS[key].note}):"
        )
        lines.extend(f"    {term.plugged()}" for term in result[key].terms)
    return data, "\n".join(lines)
