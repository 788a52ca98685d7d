"""One weight in the block-scaled FP4 formats, bit by bit: NVFP4 and MXFP4.

Both store each weight as a 4-bit E2M1 float (1 sign, 2 exponent, 1 mantissa bit, bias 1), which can
only be 0, 0.5, 1, 1.5, 2, 3, 4 or 6 (and their negatives): no inf, no NaN. What makes that usable is a
scale shared by a block of weights; decoded value = E2M1 value x scale. The formats differ in the scale:

* NVFP4 (NVIDIA): one FP8 E4M3 scale per 16 weights, chosen so the block's largest |w| lands on 6:
  scale = E4M3(absmax / 6), rounded to nearest. A second, per-tensor FP32 scale (ModelOpt sets it to
  amax_tensor / (6 x 448)) keeps block scales inside E4M3's range; we show the block on its own, i.e.
  with the tensor scale at 1, which changes nothing unless a scale would leave E4M3's range.
* MXFP4 (OCP Microscaling spec v1.0): one E8M0 scale per 32 weights, a bare power of two. The spec's
  rule: shared exponent = floor(log2(absmax)) - 2 (2 = E2M1's largest exponent), so the scale can sit
  up to 2x below absmax / 6 and the block's largest weights saturate at ±6: the power-of-two error
  that NVFP4's finer scale avoids.

Element conversion is round to nearest, ties to even, saturating at ±6 (what the hardware conversions
do). The example block is the user's value plus bits.EXAMPLE_WEIGHTS; the rest of a 16- or 32-weight
block would not change the scale unless it held a larger |w|. The value is quantized as typed (float64),
like the INT formats; every step is exact (fractions.Fraction).
"""

import math
from dataclasses import dataclass
from fractions import Fraction

from .bits import ABSMAX, ERROR, FORMATS, FloatFormat, _decode_code, _finite, _nearest_fields
from .errors import InputError
from .formula import Formula, Term

E2M1 = FloatFormat("fp4_e2m1", "FP4 E2M1", 2, 1, 1, False, 6.0, True, "OCP E2M1: ±{0, 0.5, 1, 1.5, 2, 3, 4, 6}")
E2M1_VALUES = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0)
E2M1_EMAX = 2  # the exponent of E2M1's largest value, 6 = 1.5 x 2^2
E8M0_BIAS = 127

_SYMBOLS = {
    "absmax": ("absmax", "number", "the largest |w| in the block"),
    "element_max": ("6", "number", "E2M1's largest value"),
    "target_scale": ("s*", "number", "the scale that maps absmax onto 6"),
    "exponent_of_absmax": ("e_a", "int", "the power of two at or below absmax"),
    "element_emax": ("e_max", "int", "exponent of E2M1's largest value (6 = 1.5 × 2^2)"),
    "shared_exponent": ("e_s", "int", "the block's shared exponent"),
    "scale_field": ("E", "int", "the E8M0 byte read as an unsigned integer"),
    "bias": ("bias", "int", "E8M0 bias"),
    "scale": ("s", "number", "the block scale, as stored"),
    "x": ("x", "number", "the value being quantized"),
    "ratio": ("x / s", "number", "the value in units of the scale"),
    "element": ("q", "number", "the E2M1 value stored"),
    "x_hat": ("x̂", "number", "decoded: E2M1 value × scale"),
}
TARGET_SCALE = Formula(
    "target_scale = absmax / element_max", "the block's largest weight should land on E2M1's largest value", _SYMBOLS
)
SHARED_EXPONENT = Formula(
    "shared_exponent = exponent_of_absmax - element_emax",
    "OCP MX: a power of two that puts absmax in E2M1's top binade (so it may saturate at 6)",
    _SYMBOLS,
)
E8M0 = Formula("scale = 2 ** (scale_field - bias)", "E8M0 is an exponent only: every scale is a power of two", _SYMBOLS)
RATIO = Formula("ratio = x / scale", "the element stores the value divided by its block's scale", _SYMBOLS)
DECODE = Formula("x_hat = element * scale", "decoded value = E2M1 value × block scale", _SYMBOLS)


@dataclass(frozen=True)
class BlockFormat:
    """A block-scaled FP4 format: E2M1 elements, a scale per block_size weights."""

    id: str
    label: str
    block_size: int
    scale_format: str  # "fp8_e4m3" or "e8m0"
    bits_per_weight: float  # 4 + scale bits / block size
    note: str


BLOCK_FORMATS = {
    f.id: f
    for f in (
        BlockFormat("nvfp4", "NVFP4", 16, "fp8_e4m3", 4 + 8 / 16, "E2M1 × FP8 E4M3 scale per 16 (× FP32 per tensor)"),
        BlockFormat("mxfp4", "MXFP4", 32, "e8m0", 4 + 8 / 32, "E2M1 × E8M0 power-of-two scale per 32 (OCP MX)"),
    )
}


@dataclass(frozen=True)
class Fp4Quantization:
    """One value in a block-scaled FP4 format: its E2M1 code, the block scale's own bits, the decoded value."""

    format: str
    value: float
    group: tuple[float, ...]  # the value first, then the other weights of the example block
    block_size: int
    bits: str  # the E2M1 code, 4 bits: sign, 2 exponent, 1 mantissa
    hex: str
    sign: str
    exponent: str
    mantissa: str
    element: float  # the E2M1 value the code stands for
    scale: float  # the block scale as stored (and decoded)
    scale_format: str
    scale_bits: str  # the scale's own 8 bits
    scale_hex: str
    tensor_scale: float | None  # NVFP4's per-tensor FP32 scale (1 here); None for MXFP4
    decoded: float  # element x scale
    error: float  # |decoded - value|
    clamped: bool  # |value / scale| exceeded 6 and saturated
    underflow: bool  # a non-zero value became 0
    terms: tuple[Term, ...] = ()

    def as_dict(self) -> dict:
        """JSON-ready (the quantize --json entries nvfp4 and mxfp4)."""
        fmt = BLOCK_FORMATS[self.format]
        return {
            "format": self.format,
            "label": fmt.label,
            "width": 4,
            "value": self.value,
            "group": list(self.group),
            "block_size": self.block_size,
            "bits_per_weight": fmt.bits_per_weight,
            "bits": self.bits,
            "hex": self.hex,
            "sign": self.sign,
            "exponent": self.exponent,
            "mantissa": self.mantissa,
            "element": self.element,
            "scale": self.scale,
            "scale_format": self.scale_format,
            "scale_bits": self.scale_bits,
            "scale_hex": self.scale_hex,
            "tensor_scale": self.tensor_scale,
            "decoded": self.decoded,
            "error": self.error,
            "abs_error": self.error,
            "clamped": self.clamped,
            "underflow": self.underflow,
            "terms": [t.as_dict() for t in self.terms],
        }


def e2m1_code(ratio: Fraction) -> tuple[int, bool]:
    """The 4-bit E2M1 code nearest to `ratio` (ties to even), saturating at ±6; and whether it saturated."""
    sign = 1 if ratio < 0 else 0
    fields = _nearest_fields(abs(ratio), E2M1)
    clamped = fields is None
    if clamped:
        fields = (2**E2M1.exponent_bits - 1, 1)  # 1.5 x 2^2 = 6
    exponent, mantissa = fields
    return (sign << 3) | (exponent << 1) | mantissa, clamped


def _e4m3_scale(target: Fraction) -> tuple[int, Term | None, float]:
    """E4M3 code nearest to the target scale (saturating at 448), its decoding term and value."""
    fmt = FORMATS["fp8_e4m3"]
    fields = _nearest_fields(target, fmt) or _nearest_fields(Fraction(fmt.max_finite), fmt)
    code = (fields[0] << fmt.mantissa_bits) | fields[1]
    value, term = _decode_code(fmt, code)
    return code, term, value


def _mx_scale(absmax: float) -> tuple[int, list[Term], float]:
    """E8M0 code for the OCP MX shared exponent of a block whose largest |w| is absmax (clamped to E8M0's range)."""
    exp_absmax = math.frexp(absmax)[1] - 1  # 2^e <= absmax < 2^(e+1), exact for any finite float
    shared = SHARED_EXPONENT(exponent_of_absmax=exp_absmax, element_emax=E2M1_EMAX)
    field = min(max(int(shared.value) + E8M0_BIAS, 0), 2 * E8M0_BIAS)  # 255 is NaN
    scale = E8M0(scale_field=field, bias=E8M0_BIAS)
    return field, [shared, scale], scale.value


def quantize_fp4(value, format: str = "nvfp4", weights=None) -> Fp4Quantization:
    """Quantize value inside the block (value, *weights) to NVFP4 or MXFP4, exactly."""
    from .bits import EXAMPLE_WEIGHTS  # the same example block as INT8/INT4

    if format not in BLOCK_FORMATS:
        raise InputError(f"format must be one of {', '.join(BLOCK_FORMATS)}, got {format!r}", "format")
    fmt = BLOCK_FORMATS[format]
    value = _finite(value, "value")
    group = (value, *(_finite(w, "weights") for w in (EXAMPLE_WEIGHTS if weights is None else weights)))
    absmax = ABSMAX(w_min=min(group), w_max=max(group))
    if absmax.value == 0:
        raise InputError("weights must not all be zero: the scale would be 0", "weights")
    terms: list[Term] = [absmax]
    if fmt.scale_format == "fp8_e4m3":
        target = TARGET_SCALE(absmax=absmax.value, element_max=6)
        scale_code, scale_term, scale = _e4m3_scale(Fraction(absmax.value) / 6)
        terms += [target, *((scale_term,) if scale_term else ())]
        tensor_scale = 1.0
    else:
        scale_code, scale_terms, scale = _mx_scale(absmax.value)
        terms += scale_terms
        tensor_scale = None
    scale_bits = f"{scale_code:08b}"
    if scale == 0:  # the block is below E4M3's smallest scale: every element is 0
        code, clamped, element, element_term = 0, False, 0.0, None
    else:
        ratio = RATIO(x=value, scale=scale)
        code, clamped = e2m1_code(Fraction(value) / Fraction(scale))
        element, element_term = _decode_code(E2M1, code)
        terms += [ratio, *((element_term,) if element_term else ())]
    decoded = DECODE(element=element, scale=scale)
    error = ERROR(x_hat=decoded.value, x=value)
    exact_error = float(abs(Fraction(element) * Fraction(scale) - Fraction(value)))
    bits = f"{code:04b}"
    return Fp4Quantization(
        format=fmt.id,
        value=value,
        group=group,
        block_size=fmt.block_size,
        bits=bits,
        hex=f"0x{code:X}",
        sign=bits[0],
        exponent=bits[1:3],
        mantissa=bits[3],
        element=element,
        scale=scale,
        scale_format=fmt.scale_format,
        scale_bits=scale_bits,
        scale_hex=f"0x{scale_code:02X}",
        tensor_scale=tensor_scale,
        decoded=float(Fraction(element) * Fraction(scale)),  # exact: both are dyadic
        error=exact_error,
        clamped=clamped,
        underflow=decoded.value == 0 and value != 0,
        terms=(*terms, decoded, error),
    )
