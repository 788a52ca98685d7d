"""One number, bit by bit: how FP32, BF16, FP16, FP8 and INT8/INT4 store a weight (NVFP4/MXFP4: fp4.py).

The user's decimal is first parsed as a float64 (Python's float). From there:

* FP32 is that float64 rounded to nearest, ties to even (what struct.pack('>f') does).
* BF16, FP16, FP8 E4M3 and FP8 E5M2 are rounded from the FP32 value, not from the float64, because
  that is what frameworks do (`x.to(torch.bfloat16)` on an FP32 tensor). The two can differ: 1 + 2^-8
  + 2^-30 becomes exactly 1 + 2^-8 in FP32, a BF16 tie, which goes to even (1.0); straight from the
  float64 it would round up.
* FP16 and BF16 follow IEEE: past the largest finite number they overflow to ±inf.
* FP8 E4M3 is the OCP "E4M3FN" variant (no infinities; S.1111.111 is NaN; max finite 448). FP8 E5M2
  is IEEE-like (has inf; max finite 57344). Both *saturate*: anything that rounds past the max finite
  number is stored as ±max, like the "satfinite" conversion inference kernels use after scaling
  (CUDA __NV_SATFINITE; vLLM/TransformerEngine clamp to ±448 before the cast). A plain cast (e.g.
  ml_dtypes) would give NaN for E4M3FN and inf for E5M2 instead.
* abs_error is always measured against the float64 input, so it includes the FP32 step.
* quantize() rejects values beyond the FP32 range (±3.4028235e38): every other format starts from
  FP32, and "inf everywhere" teaches less than saying where the range ends.

Every encoding is computed exactly (integers and fractions.Fraction), generically from (exponent bits, mantissa
bits, bias, has_inf, max finite), so the same code handles all five float formats.

INT8/INT4 quantize the value inside a small example group of weights, because an integer code only
means something relative to a scale shared by a group. The default group is the user's value
followed by EXAMPLE_WEIGHTS (-0.42, 0.07, 0.33, -0.15, 0.26, -0.05, 0.48): with |value| <= 0.48 the
scale is set by 0.48, and a larger value becomes the absmax itself and stretches the scale for every
weight. Every step is a Formula, so the page shows exactly this arithmetic with numbers plugged in.
"""

import math
from dataclasses import dataclass
from fractions import Fraction

from .errors import InputError
from .formula import Formula, Term

# -- float formats ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FloatFormat:
    """A binary floating-point format: sign bit, exponent field, mantissa field."""

    id: str
    label: str
    exponent_bits: int
    mantissa_bits: int
    bias: int
    has_inf: bool  # IEEE-style: exponent all ones is inf/NaN, not numbers
    max_finite: float
    saturates: bool  # values past max_finite become ±max_finite rather than inf/NaN
    note: str = ""

    @property
    def width(self) -> int:
        """Total bits: sign + exponent + mantissa."""
        return 1 + self.exponent_bits + self.mantissa_bits

    @property
    def min_subnormal(self) -> float:
        """The smallest positive value: mantissa 0...01 with exponent field 0."""
        return 2.0 ** (1 - self.bias - self.mantissa_bits)

    @property
    def min_normal(self) -> float:
        """The smallest positive value with full precision (exponent field 1)."""
        return 2.0 ** (1 - self.bias)


FORMATS = {
    f.id: f
    for f in (
        FloatFormat(
            "fp32",
            "FP32",
            8,
            23,
            127,
            True,
            (2 - 2**-23) * 2.0**127,
            False,
            "IEEE single precision; the master copy frameworks cast from",
        ),
        FloatFormat(
            "bf16",
            "BF16",
            8,
            7,
            127,
            True,
            (2 - 2**-7) * 2.0**127,
            False,
            "FP32's range with 7 mantissa bits; rounded from FP32",
        ),
        FloatFormat(
            "fp16", "FP16", 5, 10, 15, True, 65504.0, False, "IEEE half precision; overflows to inf past 65504"
        ),
        # E4M3FN reuses exponent 1111 for numbers; only S.1111.111 is NaN, so max is 1.75 × 2^8 = 448.
        FloatFormat(
            "fp8_e4m3",
            "FP8 E4M3",
            4,
            3,
            7,
            False,
            448.0,
            True,
            "OCP E4M3FN: no inf, NaN = S.1111.111, saturates at ±448",
        ),
        FloatFormat(
            "fp8_e5m2", "FP8 E5M2", 5, 2, 15, True, 57344.0, True, "IEEE-like with inf; saturates at ±57344 (satfinite)"
        ),
    )
}

_SYMBOLS = {
    "value": ("v", "number", "the value the bits stand for"),
    "sign": ("s", "int", "+1 or −1, from the sign bit"),
    "exponent": ("E", "int", "the exponent field read as an unsigned integer"),
    "bias": ("bias", "int", "subtracted from E so small and large numbers share one field"),
    "mantissa": ("m", "int", "the mantissa field read as an unsigned integer"),
    "mantissa_bits": ("M", "int", "mantissa width in bits"),
}
NORMAL = Formula(
    "value = sign * 2 ** (exponent - bias) * (1 + mantissa / 2 ** mantissa_bits)",
    "a normal number has an implicit leading 1 before the mantissa",
    _SYMBOLS,
)
SUBNORMAL = Formula(
    "value = sign * 2 ** (1 - bias) * (mantissa / 2 ** mantissa_bits)",
    "exponent field 0: no implicit 1, so values fade evenly down to zero",
    _SYMBOLS,
)


@dataclass(frozen=True)
class Encoding:
    """One value stored in one float format, with the bit fields the page colours."""

    format: str
    value: float  # the input (float64)
    bits: str  # '0'/'1', exactly the format's width
    hex: str
    sign: str
    exponent: str
    mantissa: str
    decoded: float  # what the bits stand for
    abs_error: float  # |decoded - value|, computed exactly then rounded once
    saturated: bool  # rounded past max finite and clamped to ±max
    overflow: bool  # a finite input became ±inf
    underflow: bool  # a non-zero input became ±0
    subnormal: bool  # exponent field 0 with a non-zero mantissa
    rounded: bool  # decoded differs from the input
    terms: tuple[Term, ...] = ()  # how the fields make the value (empty for inf/NaN)

    def as_dict(self) -> dict:
        """JSON-ready; inf and NaN (which JSON lacks) become the strings 'inf', '-inf', 'nan'."""
        fmt = FORMATS[self.format]
        return {
            "format": self.format,
            "label": fmt.label,
            "width": fmt.width,
            "value": _json_float(self.value),
            "bits": self.bits,
            "hex": self.hex,
            "sign": self.sign,
            "exponent": self.exponent,
            "mantissa": self.mantissa,
            "decoded": _json_float(self.decoded),
            "abs_error": _json_float(self.abs_error),
            "saturated": self.saturated,
            "overflow": self.overflow,
            "underflow": self.underflow,
            "subnormal": self.subnormal,
            "rounded": self.rounded,
            "terms": [t.as_dict() for t in self.terms],
        }


def _json_float(x: float) -> float | str:
    return x if math.isfinite(x) else str(x)


def _float_format(format_id: str) -> FloatFormat:
    if format_id not in FORMATS:
        raise InputError(f"format must be one of {', '.join(FORMATS)}, got {format_id!r}", "format")
    return FORMATS[format_id]


def _nearest_fields(magnitude: Fraction, fmt: FloatFormat) -> tuple[int, int] | None:
    """(exponent field, mantissa field) nearest to magnitude >= 0, ties to even; None past max finite.

    Integer arithmetic on the fraction's numerator and denominator: as exact as Fraction's, without building
    a Fraction per step (the page encodes a dozen numbers per keystroke)."""
    if magnitude == 0:
        return 0, 0
    num, den = magnitude.numerator, magnitude.denominator
    exponent = num.bit_length() - den.bit_length()
    if (num < den << exponent) if exponent >= 0 else (num << -exponent < den):
        exponent -= 1  # now 2^exponent <= magnitude < 2^(exponent + 1)
    exponent = max(exponent, 1 - fmt.bias)  # below the normal range the spacing stays fixed: subnormals
    shift = fmt.mantissa_bits - exponent  # significand = magnitude x 2^shift, rounded half to even
    significand, rest = divmod(num << shift, den) if shift >= 0 else divmod(num, den << -shift)
    twice, whole = 2 * rest, den if shift >= 0 else den << -shift
    if twice > whole or (twice == whole and significand & 1):
        significand += 1
    if significand == 2 ** (fmt.mantissa_bits + 1):  # rounded up into the next power of two
        exponent, significand = exponent + 1, significand // 2
    top_num, top_den = fmt.max_finite.as_integer_ratio()
    step = exponent - fmt.mantissa_bits  # the value is significand x 2^step
    if (significand << step) * top_den > top_num if step >= 0 else significand * top_den > top_num << -step:
        return None
    if significand < 2**fmt.mantissa_bits:
        return 0, significand  # subnormal (or zero): exponent field 0, no implicit leading 1
    return exponent + fmt.bias, significand - 2**fmt.mantissa_bits


def _code(fmt: FloatFormat, x: float) -> tuple[int, bool]:
    """The bit pattern (as an int) for x, and whether it saturated."""
    top_exponent = 2**fmt.exponent_bits - 1
    if math.isnan(x):  # the canonical quiet NaN: top mantissa bit set (all ones for E4M3FN)
        mantissa = 1 << (fmt.mantissa_bits - 1) if fmt.has_inf else 2**fmt.mantissa_bits - 1
        return (top_exponent << fmt.mantissa_bits) | mantissa, False
    sign = 1 if math.copysign(1.0, x) < 0 else 0
    fields = None if math.isinf(x) else _nearest_fields(Fraction(abs(x)), fmt)
    saturated = False
    if fields is None:
        if fmt.saturates:
            fields, saturated = _nearest_fields(Fraction(fmt.max_finite), fmt), True
        elif fmt.has_inf:
            fields = (top_exponent, 0)
        else:  # no inf and no saturation: a plain cast gives NaN
            return _code(fmt, math.nan)[0] | (sign << (fmt.width - 1)), False
    exponent, mantissa = fields
    return (sign << (fmt.width - 1)) | (exponent << fmt.mantissa_bits) | mantissa, saturated


def _decode_code(fmt: FloatFormat, code: int) -> tuple[float, Term | None]:
    """The value of a bit pattern, and the Term that computes it from the fields (None for inf/NaN)."""
    sign = -1 if code >> (fmt.width - 1) else 1
    exponent = (code >> fmt.mantissa_bits) & (2**fmt.exponent_bits - 1)
    mantissa = code & (2**fmt.mantissa_bits - 1)
    if fmt.has_inf and exponent == 2**fmt.exponent_bits - 1:
        return (math.copysign(math.inf, sign) if mantissa == 0 else math.nan), None
    if exponent == 0:
        term = SUBNORMAL(sign=sign, bias=fmt.bias, mantissa=mantissa, mantissa_bits=fmt.mantissa_bits)
    else:
        term = NORMAL(sign=sign, exponent=exponent, bias=fmt.bias, mantissa=mantissa, mantissa_bits=fmt.mantissa_bits)
    if abs(term.value) > fmt.max_finite:  # E4M3FN: S.1111.111 is NaN, not 480
        return math.nan, None
    return float(term.value), term  # exact: powers of two and small integers only


def _exact_abs_error(decoded: float, value: float) -> float:
    if math.isnan(decoded) or math.isnan(value):
        return math.nan
    if decoded == value:
        return 0.0
    if math.isinf(decoded) or math.isinf(value):
        return math.inf
    return float(abs(Fraction(decoded) - Fraction(value)))


def _parse_bits(fmt: FloatFormat, bits: str) -> int:
    """A bit string ('0 1111 110', separators ' ', '.', '_', '|' allowed) or hex ('0x7E') as an int."""
    text = str(bits).strip()
    if text.lower().startswith("0x"):
        digits = text[2:]
        if len(digits) != (fmt.width + 3) // 4 or any(c not in "0123456789abcdefABCDEF" for c in digits):
            raise InputError(f"bits for {fmt.label} must be {(fmt.width + 3) // 4} hex digits, got {bits!r}", "bits")
        code = int(digits, 16)
        if code >> fmt.width:
            raise InputError(f"bits for {fmt.label} must fit in {fmt.width} bits, got {bits!r}", "bits")
        return code
    digits = "".join(c for c in text if c not in " ._|")
    if len(digits) != fmt.width or set(digits) - {"0", "1"}:
        raise InputError(f"bits for {fmt.label} must be {fmt.width} zeros and ones, got {bits!r}", "bits")
    return int(digits, 2)


def _encoding(fmt: FloatFormat, value: float, code: int, saturated: bool) -> Encoding:
    decoded, term = _decode_code(fmt, code)
    bits = format(code, f"0{fmt.width}b")
    exponent_field = bits[1 : 1 + fmt.exponent_bits]
    mantissa_field = bits[1 + fmt.exponent_bits :]
    return Encoding(
        format=fmt.id,
        value=value,
        bits=bits,
        hex=f"0x{code:0{(fmt.width + 3) // 4}X}",
        sign=bits[0],
        exponent=exponent_field,
        mantissa=mantissa_field,
        decoded=decoded,
        abs_error=_exact_abs_error(decoded, value),
        saturated=saturated,
        overflow=math.isinf(decoded) and math.isfinite(value),
        underflow=decoded == 0 and value != 0,
        subnormal="1" not in exponent_field and "1" in mantissa_field,
        rounded=not math.isnan(value) and decoded != value,
        terms=(term,) if term else (),
    )


def encode(format: str, value: float) -> Encoding:
    """Store value (a float64) in a float format: FP32 rounds it directly, narrower formats round
    the FP32 value. Ties go to even; NaN and ±inf are accepted here (quantize() rejects them)."""
    return _encode(_float_format(format), float(value))


def _encode(fmt: FloatFormat, value: float, fp32: float | None = None) -> Encoding:
    """encode(); fp32, when known, is value's FP32 decoding (the page encodes one value in every format)."""
    source = value if fmt.id == "fp32" else _encode(FORMATS["fp32"], value).decoded if fp32 is None else fp32
    code, saturated = _code(fmt, source)
    return _encoding(fmt, value, code, saturated)


def decode(format: str, bits: str) -> float:
    """The value a bit pattern stands for: bits as '0'/'1' of exactly the format's width, or '0x..' hex."""
    fmt = _float_format(format)
    return _decode_code(fmt, _parse_bits(fmt, bits))[0]


def encoding_of_bits(format: str, bits: str) -> Encoding:
    """The Encoding of a bit pattern itself (value = decoded), e.g. for a page that flips bits."""
    fmt = _float_format(format)
    code = _parse_bits(fmt, bits)
    return _encoding(fmt, _decode_code(fmt, code)[0], code, False)


# -- integer formats ----------------------------------------------------------------------------------

EXAMPLE_WEIGHTS = (-0.42, 0.07, 0.33, -0.15, 0.26, -0.05, 0.48)  # joins the user's value in one group
SCHEMES = ("absmax", "zeropoint")


@dataclass(frozen=True)
class IntFormat:
    """A b-bit integer format and its symmetric (absmax) code range."""

    id: str
    label: str
    width: int
    qmin: int  # symmetric code range; the zero-point scheme uses 0 .. 2^b - 1
    qmax: int


# INT8 uses the restricted range [-127, 127] so +x and -x get mirrored codes (LLM.int8(), SmoothQuant);
# INT4 clamps to the full two's-complement [-8, 7], but with scale = absmax / 7 the code -8 is never reached.
INT_FORMATS = {f.id: f for f in (IntFormat("int8", "INT8", 8, -127, 127), IntFormat("int4", "INT4", 4, -8, 7))}

_INT_SYMBOLS = {
    "absmax": ("absmax", "number", "the largest |w| in the group"),
    "w_min": ("min(w)", "number", "the smallest weight in the group"),
    "w_max": ("max(w)", "number", "the largest weight in the group"),
    "lo": ("lo", "number", "bottom of the quantized range"),
    "hi": ("hi", "number", "top of the quantized range"),
    "scale": ("s", "number", "the step between neighbouring codes, shared by the group"),
    "qmin": ("q_min", "int", "the lowest code"),
    "qmax": ("q_max", "int", "the highest code"),
    "bits": ("b", "int", "bits per code"),
    "x": ("x", "number", "the value being quantized"),
    "code": ("q", "int", "the stored integer"),
    "zero_point": ("z", "int", "the code that stands for 0.0"),
    "x_hat": ("x̂", "number", "the value the code stands for after dequantization"),
    "error": ("error", "number", "the absolute quantization error"),
}
ABSMAX = Formula("absmax = max(abs(w_min), abs(w_max))", "symmetric: the range is ±(largest magnitude)", _INT_SYMBOLS)
SCALE_SYMMETRIC = Formula("scale = absmax / qmax", "the largest magnitude maps to the top code", _INT_SYMBOLS)
CODE_SYMMETRIC = Formula(
    "code = min(max(round(x / scale), qmin), qmax)", "round half to even, then clamp to the code range", _INT_SYMBOLS
)
DEQUANT_SYMMETRIC = Formula("x_hat = code * scale", "zero is code 0, so one multiply restores the value", _INT_SYMBOLS)
RANGE_LO = Formula("lo = min(w_min, 0)", "the range always includes 0, so 0.0 is stored exactly", _INT_SYMBOLS)
RANGE_HI = Formula("hi = max(w_max, 0)", "the range always includes 0, so 0.0 is stored exactly", _INT_SYMBOLS)
SCALE_ZEROPOINT = Formula("scale = (hi - lo) / (2 ** bits - 1)", "spread the range over all 2^b codes", _INT_SYMBOLS)
ZERO_POINT = Formula(
    "zero_point = round(abs(lo) / scale)", "the code for 0.0: the steps from lo (<= 0) up to 0", _INT_SYMBOLS
)
CODE_ZEROPOINT = Formula(
    "code = min(max(round(x / scale) + zero_point, 0), 2 ** bits - 1)",
    "shift by the zero point, then clamp to the unsigned code range",
    _INT_SYMBOLS,
)
DEQUANT_ZEROPOINT = Formula("x_hat = (code - zero_point) * scale", "undo the shift, then the scale", _INT_SYMBOLS)
ERROR = Formula("error = abs(x_hat - x)", "what quantizing cost this value", _INT_SYMBOLS)


@dataclass(frozen=True)
class IntQuantization:
    """One value quantized to a b-bit integer code with a scale shared by its group."""

    format: str
    scheme: str  # 'absmax' (symmetric) or 'zeropoint' (asymmetric)
    width: int
    value: float
    group: tuple[float, ...]  # the value first, then the other weights sharing the scale
    scale: float
    zero_point: int | None  # None for the symmetric scheme
    qmin: int
    qmax: int
    code: int
    bits: str  # two's complement (absmax) or unsigned (zeropoint), exactly `width` long
    hex: str
    decoded: float  # the dequantized value
    abs_error: float
    clamped: bool  # round(x / scale) fell outside the code range
    terms: tuple[Term, ...] = ()

    def as_dict(self) -> dict:
        """JSON-ready."""
        return {
            "format": self.format,
            "label": INT_FORMATS[self.format].label,
            "scheme": self.scheme,
            "width": self.width,
            "value": self.value,
            "group": list(self.group),
            "scale": self.scale,
            "zero_point": self.zero_point,
            "qmin": self.qmin,
            "qmax": self.qmax,
            "code": self.code,
            "bits": self.bits,
            "hex": self.hex,
            "decoded": self.decoded,
            "abs_error": self.abs_error,
            "clamped": self.clamped,
            "terms": [t.as_dict() for t in self.terms],
        }


def quantize_int(
    value: float, format: str = "int8", scheme: str = "absmax", weights=EXAMPLE_WEIGHTS
) -> IntQuantization:
    """Quantize value within the group (value, *weights) to INT8/INT4 with one shared scale."""
    if format not in INT_FORMATS:
        raise InputError(f"format must be one of {', '.join(INT_FORMATS)}, got {format!r}", "format")
    if scheme not in SCHEMES:
        raise InputError(f"scheme must be 'absmax' or 'zeropoint', got {scheme!r}", "scheme")
    fmt = INT_FORMATS[format]
    value = _finite(value, "value")
    group = (value, *(_finite(w, "weights") for w in weights))
    w_min, w_max = min(group), max(group)
    if scheme == "absmax":
        absmax = ABSMAX(w_min=w_min, w_max=w_max)
        if absmax.value == 0:
            raise InputError("weights must not all be zero: the scale would be 0", "weights")
        qmin, qmax, zero_point = fmt.qmin, fmt.qmax, None
        scale = SCALE_SYMMETRIC(absmax=absmax.value, qmax=qmax)
        code = CODE_SYMMETRIC(x=value, scale=scale.value, qmin=qmin, qmax=qmax)
        x_hat = DEQUANT_SYMMETRIC(code=code.value, scale=scale.value)
        steps = (absmax, scale, code, x_hat)
        unclamped = round(value / scale.value)
    else:
        lo, hi = RANGE_LO(w_min=w_min), RANGE_HI(w_max=w_max)
        if hi.value == lo.value:
            raise InputError("weights must not all be zero: the scale would be 0", "weights")
        qmin, qmax = 0, 2**fmt.width - 1
        scale = SCALE_ZEROPOINT(hi=hi.value, lo=lo.value, bits=fmt.width)
        zp = ZERO_POINT(lo=lo.value, scale=scale.value)
        zero_point = zp.value
        code = CODE_ZEROPOINT(x=value, scale=scale.value, zero_point=zero_point, bits=fmt.width)
        x_hat = DEQUANT_ZEROPOINT(code=code.value, zero_point=zero_point, scale=scale.value)
        steps = (lo, hi, scale, zp, code, x_hat)
        unclamped = round(value / scale.value) + zero_point
    error = ERROR(x_hat=x_hat.value, x=value)
    return IntQuantization(
        format=fmt.id,
        scheme=scheme,
        width=fmt.width,
        value=value,
        group=group,
        scale=scale.value,
        zero_point=zero_point,
        qmin=qmin,
        qmax=qmax,
        code=code.value,
        bits=format_bits(code.value, fmt.width),
        hex=f"0x{code.value & (2**fmt.width - 1):0{(fmt.width + 3) // 4}X}",
        decoded=x_hat.value,
        abs_error=error.value,
        clamped=not qmin <= unclamped <= qmax,
        terms=(*steps, error),
    )


def format_bits(code: int, width: int) -> str:
    """An integer code as exactly `width` bits; negative codes in two's complement."""
    return format(code & (2**width - 1), f"0{width}b")


# -- everything at once -------------------------------------------------------------------------------

FP32_MAX = FORMATS["fp32"].max_finite


def _finite(value, name: str) -> float:
    """value as a finite float64, or an InputError that says what to type."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise InputError(f"{name} must be a number such as 0.1 or -2.5e-3, got {value!r}", name) from None
    if math.isnan(number):
        raise InputError(f"{name} must be a number such as 0.1 or -2.5e-3, not NaN", name)
    if math.isinf(number):
        raise InputError(f"{name} {value!r} is beyond the FP32 range ±{FP32_MAX:.8g}; type a smaller number", name)
    return number


def quantize(value, scheme: str = "absmax", weights=EXAMPLE_WEIGHTS) -> dict:
    """value in every format: keys fp32, bf16, fp16, fp8_e4m3, fp8_e5m2 (Encoding), int8, int4 (IntQuantization),
    nvfp4, mxfp4 (fp4.Fp4Quantization: E2M1 code and block scale, in the same example group).

    value may be a number or the text the user typed. Values FP32 cannot hold (|x| that rounds past
    ±3.4028235e38) raise InputError rather than showing inf everywhere.
    """
    number = _finite(value, "value")
    fp32 = encode("fp32", number)
    if fp32.overflow:
        raise InputError(f"value {value!r} is beyond the FP32 range ±{FP32_MAX:.8g}; type a smaller number", "value")
    result = {f: fp32 if f == "fp32" else _encode(FORMATS[f], number, fp32.decoded) for f in FORMATS}
    result.update({f: quantize_int(number, f, scheme, weights) for f in INT_FORMATS})
    from .fp4 import BLOCK_FORMATS, quantize_fp4  # fp4 builds on this module's float machinery

    result.update({f: quantize_fp4(number, f, weights) for f in BLOCK_FORMATS})
    return result
