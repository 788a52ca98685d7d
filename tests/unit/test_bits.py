"""playground.bits: float encodings bit by bit, INT8/INT4 group quantization, quantize() validation."""

import json
import math
import random
import struct
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from playground.bits import (
    EXAMPLE_WEIGHTS,
    FORMATS,
    INT_FORMATS,
    decode,
    encode,
    encoding_of_bits,
    quantize,
    quantize_int,
)
from playground.errors import InputError

FP8 = ("fp8_e4m3", "fp8_e5m2")
FP32_MAX = struct.unpack(">f", bytes.fromhex("7f7fffff"))[0]


def _fp32(x: float) -> float:
    return struct.unpack(">f", struct.pack(">f", x))[0]


def _is_nan_code(fmt_id: str, code: int) -> bool:
    return math.isnan(decode(fmt_id, f"{code:0{FORMATS[fmt_id].width}b}"))


# -- known bit patterns ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fmt, hex_",
    [("fp32", "0x3DCCCCCD"), ("bf16", "0x3DCD"), ("fp16", "0x2E66"), ("fp8_e4m3", "0x1D"), ("fp8_e5m2", "0x2E")],
)
def test_point_one(fmt, hex_):
    """0.1 has the well-known pattern in every float format."""
    assert encode(fmt, 0.1).hex == hex_


@pytest.mark.parametrize(
    "fmt, hex_",
    [("fp32", "0x3F800000"), ("bf16", "0x3F80"), ("fp16", "0x3C00"), ("fp8_e4m3", "0x38"), ("fp8_e5m2", "0x3C")],
)
def test_one_is_exact_everywhere(fmt, hex_):
    """1.0 is the bias in the exponent field and an all-zero mantissa, with no error."""
    enc = encode(fmt, 1.0)
    assert (enc.hex, enc.decoded, enc.abs_error, enc.rounded) == (hex_, 1.0, 0.0, False)
    assert enc.sign == "0" and set(enc.mantissa) == {"0"}


def test_fields_split_the_bits():
    """sign + exponent + mantissa concatenate to bits, which is exactly the format's width."""
    for fmt in FORMATS.values():
        enc = encode(fmt.id, -3.75)
        assert len(enc.bits) == fmt.width
        assert (len(enc.exponent), len(enc.mantissa)) == (fmt.exponent_bits, fmt.mantissa_bits)
        assert enc.sign + enc.exponent + enc.mantissa == enc.bits
        assert int(enc.bits, 2) == int(enc.hex, 16)


def test_e4m3_max_and_saturation():
    """E4M3FN: 448 is S.1111.110; 449 rounds to it; 465 and 500 round past it and saturate."""
    assert encode("fp8_e4m3", 448).hex == "0x7E"
    at_449 = encode("fp8_e4m3", 449)
    assert (at_449.decoded, at_449.saturated, at_449.rounded) == (448.0, False, True)
    for value in (465, 500, 1e6):
        enc = encode("fp8_e4m3", value)
        assert (enc.hex, enc.decoded, enc.saturated) == ("0x7E", 448.0, True)
    assert encode("fp8_e4m3", -500).hex == "0xFE"


def test_e4m3_subnormals():
    """E4M3FN's smallest subnormal is 2^-9 = 0x01; 2^-10 is a tie that goes to even (zero)."""
    smallest = encode("fp8_e4m3", 2**-9)
    assert (smallest.hex, smallest.subnormal, smallest.exponent) == ("0x01", True, "0000")
    assert FORMATS["fp8_e4m3"].min_subnormal == 2**-9
    half = encode("fp8_e4m3", 2**-10)
    assert (half.hex, half.underflow) == ("0x00", True)
    assert encode("fp8_e4m3", 1.5 * 2**-10).hex == "0x01"  # above the tie: rounds up
    assert encode("fp8_e4m3", 3 * 2**-10).hex == "0x02"  # 1.5 × 2^-9 is a tie between codes 1 and 2: even


def test_e5m2_max_and_subnormal():
    """E5M2: 57344 = 0x7B; 61440 rounds past it and saturates (no inf); 2^-16 is the smallest subnormal."""
    assert encode("fp8_e5m2", 57344).hex == "0x7B"
    assert encode("fp8_e5m2", 61439).saturated is False
    big = encode("fp8_e5m2", 61440)
    assert (big.hex, big.decoded, big.saturated, big.overflow) == ("0x7B", 57344.0, True, False)
    tiny = encode("fp8_e5m2", 2**-16)
    assert (tiny.hex, tiny.subnormal) == ("0x01", True)
    assert FORMATS["fp8_e5m2"].min_subnormal == 2**-16


def test_fp16_overflows_to_inf():
    """FP16 is IEEE: past 65504 (+ half a step) it becomes inf, flagged as overflow, not saturation."""
    assert encode("fp16", 65504).hex == "0x7BFF"
    assert encode("fp16", 65519).decoded == 65504.0
    enc = encode("fp16", 1e5)
    assert (enc.hex, enc.decoded, enc.overflow, enc.saturated, enc.abs_error) == (
        "0x7C00",
        math.inf,
        True,
        False,
        math.inf,
    )
    assert enc.terms == ()


@pytest.mark.parametrize(
    "fmt, below, above, below_hex, above_hex",
    [
        ("fp32", 1 + 2**-24, 1 + 3 * 2**-24, "0x3F800000", "0x3F800002"),
        ("bf16", 1 + 2**-8, 1 + 3 * 2**-8, "0x3F80", "0x3F82"),
        ("fp16", 1 + 2**-11, 1 + 3 * 2**-11, "0x3C00", "0x3C02"),
        ("fp8_e4m3", 1 + 2**-4, 1 + 3 * 2**-4, "0x38", "0x3A"),
        ("fp8_e5m2", 1 + 2**-3, 1 + 3 * 2**-3, "0x3C", "0x3E"),
    ],
)
def test_ties_go_to_even(fmt, below, above, below_hex, above_hex):
    """A value exactly halfway between two neighbours goes to the one with an even mantissa."""
    assert encode(fmt, below).hex == below_hex  # 1 + half a step: down to 1.0 (mantissa ...0)
    assert encode(fmt, above).hex == above_hex  # 1 + 1.5 steps: up to 1 + 2 steps (mantissa ...10)


def test_negative_zero_keeps_its_sign():
    """-0.0 is the sign bit alone in every float format, and decodes back to -0.0."""
    for fmt in FORMATS.values():
        enc = encode(fmt.id, -0.0)
        assert enc.bits == "1" + "0" * (fmt.width - 1)
        assert enc.decoded == 0 and math.copysign(1, enc.decoded) == -1
        assert (enc.rounded, enc.underflow, enc.subnormal) == (False, False, False)


def test_narrow_formats_round_from_fp32():
    """BF16 rounds the FP32 value, not the float64: 1 + 2^-8 + 2^-30 is an FP32 tie, so BF16 gives 1.0."""
    value = 1 + 2**-8 + 2**-30
    assert encode("fp32", value).decoded == 1 + 2**-8
    enc = encode("bf16", value)
    assert (enc.hex, enc.decoded) == ("0x3F80", 1.0)
    assert enc.abs_error == 2**-8 + 2**-30  # measured against the float64 input


def test_abs_error_is_exact():
    """abs_error is |decoded - input| computed exactly, then rounded once."""
    enc = encode("fp32", 0.1)
    assert enc.abs_error == abs(0.10000000149011612 - 0.1)
    assert enc.abs_error > 0


def test_underflow_flag():
    """A non-zero value too small for a format becomes ±0 and says so."""
    enc = encode("fp8_e4m3", -1e-5)
    assert (enc.hex, enc.underflow) == ("0x80", True)
    assert encode("fp32", 1e-50).underflow is True


def test_nan_and_inf_inputs():
    """encode() itself accepts NaN and ±inf: canonical NaN codes, inf for IEEE formats, ±max for saturating FP8."""
    assert [encode(f, math.nan).hex for f in FORMATS] == ["0x7FC00000", "0x7FC0", "0x7E00", "0x7F", "0x7E"]
    assert encode("fp16", -math.inf).hex == "0xFC00"
    assert encode("fp8_e5m2", math.inf).hex == "0x7B"
    assert encode("fp8_e4m3", -math.inf).hex == "0xFE"


# -- decode -------------------------------------------------------------------------------------------------


def test_decode_specials():
    """E4M3FN has NaN at S.1111.111 and no inf; E5M2 has IEEE inf and NaN."""
    assert decode("fp8_e4m3", "0 1111 110") == 448.0
    assert math.isnan(decode("fp8_e4m3", "01111111"))
    assert math.isnan(decode("fp8_e4m3", "0xFF"))
    assert decode("fp8_e5m2", "01111100") == math.inf
    assert decode("fp8_e5m2", "11111100") == -math.inf
    assert math.isnan(decode("fp8_e5m2", "0.11111.01"))
    assert decode("fp32", "0x3DCCCCCD") == _fp32(0.1)
    assert decode("bf16", "0011111110000000") == 1.0


@pytest.mark.parametrize(
    "fmt, bits",
    [("fp8_e4m3", "0101"), ("fp8_e4m3", "012345678"), ("fp16", "0x7C0"), ("fp32", "0xZZZZZZZZ"), ("nope", "0")],
)
def test_decode_rejects_bad_bits(fmt, bits):
    """Wrong width, non-binary digits or an unknown format raise InputError."""
    with pytest.raises(InputError):
        decode(fmt, bits)


@pytest.mark.parametrize("fmt", FP8)
def test_every_fp8_code_round_trips(fmt):
    """encode(decode(bits)) == bits for all 256 codes except NaN (and E5M2's ±inf, which saturate by design)."""
    checked = 0
    for code in range(256):
        bits = f"{code:08b}"
        value = decode(fmt, bits)
        if math.isnan(value):
            continue
        enc = encode(fmt, value)
        if math.isinf(value):
            assert enc.saturated and abs(enc.decoded) == FORMATS[fmt].max_finite
            continue
        assert enc.bits == bits and not enc.rounded
        checked += 1
    assert checked == (254 if fmt == "fp8_e4m3" else 248)  # E5M2: 6 NaN codes and 2 infinities


@pytest.mark.parametrize("fmt", FP8)
def test_decode_term_computes_the_value(fmt):
    """The Term shown on the page evaluates to exactly the decoded value."""
    for code in range(256):
        enc = encoding_of_bits(fmt, f"{code:08b}")
        if enc.terms:
            assert enc.terms[0].value == enc.decoded
            assert math.copysign(1, enc.terms[0].value) == math.copysign(1, enc.decoded)


def test_max_finite_matches_the_bits():
    """Each format's max_finite is the largest value its codes decode to."""
    for fmt in FORMATS.values():
        top = encode(fmt.id, fmt.max_finite)
        assert top.decoded == fmt.max_finite and not top.rounded
    assert FORMATS["fp32"].max_finite == FP32_MAX


# -- properties -------------------------------------------------------------------------------------------


def _fp8_values(fmt):
    """All finite (value, code) pairs of an FP8 format."""
    return [(decode(fmt, f"{c:08b}"), c) for c in range(256) if math.isfinite(decode(fmt, f"{c:08b}"))]


@pytest.mark.parametrize("fmt", FP8)
@given(x=st.floats(width=32, allow_nan=False, allow_infinity=False))
def test_fp8_is_the_nearest_value(fmt, x):
    """decode(encode(x)) is the nearest FP8 value (even code on a tie), or ±max past the range."""
    enc = encode(fmt, x)
    fmt_max = FORMATS[fmt].max_finite
    if abs(x) > fmt_max:
        assert abs(enc.decoded) == fmt_max and math.copysign(1, enc.decoded) == math.copysign(1, x)
        return
    best = min(abs(v - x) for v, _ in _fp8_values(fmt))
    assert abs(enc.decoded - x) == best
    ties = {c & 0x7F for v, c in _fp8_values(fmt) if abs(v - x) == best}
    if len(ties) > 1:
        assert int(enc.bits, 2) % 2 == 0


@given(x=st.floats(allow_nan=False, allow_infinity=False))
def test_fp32_matches_struct(x):
    """FP32 agrees with struct.pack('>f'), which rounds to nearest even; struct's overflow is ours."""
    enc = encode("fp32", x)
    try:
        packed = struct.pack(">f", x)
    except OverflowError:
        assert enc.overflow and enc.decoded == math.copysign(math.inf, x)
        return
    assert enc.hex == "0x" + packed.hex().upper()
    assert enc.decoded == _fp32(x)


# -- against ml_dtypes (an independent implementation) ------------------------------------------------------


def _ml_dtypes():
    np = pytest.importorskip("numpy")
    ml_dtypes = pytest.importorskip("ml_dtypes")
    return np, {
        "bf16": ml_dtypes.bfloat16,
        "fp16": np.float16,
        "fp8_e4m3": ml_dtypes.float8_e4m3fn,
        "fp8_e5m2": ml_dtypes.float8_e5m2,
    }


def _oracle_hex(np, dtype, fmt, values32):
    """Cast float32 values with numpy/ml_dtypes, clamping first for the saturating FP8 formats."""
    if FORMATS[fmt].saturates:
        values32 = np.clip(values32, -FORMATS[fmt].max_finite, FORMATS[fmt].max_finite)
    with np.errstate(over="ignore"):
        cast = values32.astype(dtype)
    width = FORMATS[fmt].width
    codes = cast.view(np.uint8 if width == 8 else np.uint16)
    return [f"0x{int(c):0{width // 4}X}" for c in codes]


def _tie_probes(np, fmt, dtype, codes):
    """For each code: its value, the midpoint to the next code, and the float32 just either side of it."""
    width = FORMATS[fmt].width
    raw = np.array(codes, dtype=np.uint8 if width == 8 else np.uint16).view(dtype).astype(np.float32)
    nxt = np.array([c + 1 for c in codes], dtype=np.uint8 if width == 8 else np.uint16).view(dtype).astype(np.float32)
    ok = np.isfinite(raw) & np.isfinite(nxt)
    mid = ((raw[ok].astype(np.float64) + nxt[ok].astype(np.float64)) / 2).astype(np.float32)  # exact in float32
    return np.concatenate([raw[ok], mid, np.nextafter(mid, np.float32(np.inf)), np.nextafter(mid, np.float32(-np.inf))])


@pytest.mark.parametrize("fmt", ["bf16", "fp16", "fp8_e4m3", "fp8_e5m2"])
def test_matches_ml_dtypes(fmt):
    """Random float32 values and every tie (±1 FP32 ulp) agree with numpy/ml_dtypes casts (clamped for FP8)."""
    np, dtypes = _ml_dtypes()
    rng = np.random.default_rng(20240601)
    width = FORMATS[fmt].width
    codes = list(range(2**width - 1)) if width == 8 else rng.integers(0, 2**width - 1, 1500).tolist()
    values = np.concatenate(
        [
            _tie_probes(np, fmt, dtypes[fmt], codes),
            rng.integers(0, 2**32, 1500, dtype=np.uint64).astype(np.uint32).view(np.float32),
            rng.normal(0, 1, 500).astype(np.float32),
        ]
    )
    values = values[np.isfinite(values)]
    expected = _oracle_hex(np, dtypes[fmt], fmt, values)
    ours = [encode(fmt, float(v)).hex for v in values]
    mismatches = [
        (float(v), o, e)
        for v, o, e in zip(values, ours, expected, strict=True)
        if o != e and not (_is_nan_code(fmt, int(o, 16)) and _is_nan_code(fmt, int(e, 16)))
    ]
    assert mismatches == []


# -- INT8 / INT4 --------------------------------------------------------------------------------------------


def test_int_absmax_hand_checked():
    """0.1 in the default group: absmax 0.48 sets the scale; codes 26 (INT8) and 1 (INT4)."""
    # INT8: scale = 0.48 / 127 = 0.0037795; 0.1 / scale = 12.7 / 0.48 = 26.458 -> 26;
    #       x̂ = 26 × 0.48 / 127 = 0.0982677; error = 0.1 - 0.0982677 = 0.0017323.
    q8 = quantize_int(0.1, "int8")
    assert q8.group == (0.1, *EXAMPLE_WEIGHTS)
    assert q8.scale == pytest.approx(0.48 / 127)
    assert (q8.code, q8.bits, q8.hex, q8.zero_point) == (26, "00011010", "0x1A", None)
    assert q8.decoded == pytest.approx(0.0982677, abs=1e-7)
    assert q8.abs_error == pytest.approx(0.0017323, abs=1e-7)
    # INT4: scale = 0.48 / 7 = 0.0685714; 0.1 / scale = 0.7 / 0.48 = 1.458 -> 1; x̂ = 0.0685714.
    q4 = quantize_int(0.1, "int4")
    assert (q4.code, q4.bits, q4.hex) == (1, "0001", "0x1")
    assert q4.decoded == pytest.approx(0.0685714, abs=1e-7)


def test_int_absmax_negative_is_twos_complement():
    """-0.3: INT8 code -79 (0.3 × 127 / 0.48 = 79.375) is 10110001; INT4 code -4 (4.375) is 1100."""
    q8, q4 = quantize_int(-0.3, "int8"), quantize_int(-0.3, "int4")
    assert (q8.code, q8.bits, q8.hex) == (-79, "10110001", "0xB1")
    assert (q4.code, q4.bits, q4.hex) == (-4, "1100", "0xC")


def test_int_largest_value_sets_the_scale():
    """A value bigger than every example weight becomes absmax and gets the top code exactly."""
    for fmt, qmax in (("int8", 127), ("int4", 7)):
        q = quantize_int(-2.0, fmt)
        assert q.scale == pytest.approx(2.0 / qmax)
        assert q.code == -qmax and q.decoded == pytest.approx(-2.0)


def test_int_round_half_to_even():
    """With scale exactly 1, 0.5 -> 0, 1.5 -> 2 and 2.5 -> 2 (Python's round, half to even)."""
    assert [quantize_int(x, "int4", weights=(7.0,)).code for x in (0.5, 1.5, 2.5, -2.5)] == [0, 2, 2, -2]


def test_int_zeropoint_hand_checked():
    """0.1 with a zero point: INT8 code 147 (zp 119), INT4 code 9 (zp 7)."""
    # INT8: lo = -0.42, hi = 0.48, scale = 0.9 / 255 = 0.0035294; zp = round(0.42 / scale) = round(119.0) = 119;
    #       code = round(0.1 / scale) + 119 = round(28.33) + 119 = 147; x̂ = (147 - 119) × scale = 0.0988235.
    q8 = quantize_int(0.1, "int8", "zeropoint")
    assert q8.scale == pytest.approx(0.9 / 255)
    assert (q8.zero_point, q8.code, q8.bits, q8.hex, q8.qmin, q8.qmax) == (119, 147, "10010011", "0x93", 0, 255)
    assert q8.decoded == pytest.approx(0.0988235, abs=1e-7)
    # INT4: scale = 0.9 / 15 = 0.06; zp = round(7.0) = 7; code = round(1.667) + 7 = 9; x̂ = 2 × 0.06 = 0.12.
    q4 = quantize_int(0.1, "int4", "zeropoint")
    assert (q4.zero_point, q4.code, q4.bits) == (7, 9, "1001")
    assert q4.decoded == pytest.approx(0.12)


def test_int_zeropoint_clamps():
    """Two roundings can push the top value one code past 2^b - 1; the clamp catches it."""
    # group (1.6875, -0.1875): scale = 1.875 / 15 = 0.125; zp = round(1.5) = 2;
    # code = round(13.5) + 2 = 14 + 2 = 16 -> clamped to 15; x̂ = (15 - 2) × 0.125 = 1.625.
    q = quantize_int(1.6875, "int4", "zeropoint", weights=(-0.1875,))
    assert (q.scale, q.zero_point, q.code, q.clamped, q.decoded) == (0.125, 2, 15, True, 1.625)


def test_int_terms_are_the_arithmetic():
    """Each step is a Term whose value is the field it produced, ending with the error."""
    q = quantize_int(0.1, "int8", "zeropoint")
    by_name = {t.name: t.value for t in q.terms}
    assert by_name["scale"] == q.scale and by_name["zero_point"] == q.zero_point
    assert by_name["code"] == q.code and by_name["x_hat"] == q.decoded and by_name["error"] == q.abs_error
    assert q.terms[-2].plugged().startswith("x̂ = (147 − 119) × ")
    sym = quantize_int(0.1, "int8")
    assert [t.text() for t in sym.terms][:3] == [
        "absmax = max(abs(min(w)), abs(max(w)))",
        "s = absmax / q_max",
        "q = min(max(round(x / s), q_min), q_max)",
    ]


def test_int4_symmetric_codes_stay_within_7():
    """With scale = absmax / 7 the code -8 is never produced, even for the group's extremes."""
    for x in (-0.48, 0.48, -5.0, 5.0, -1e-9):
        assert -7 <= quantize_int(x, "int4").code <= 7


def test_int_rejects_bad_arguments():
    """Unknown format or scheme, or an all-zero group, raise InputError naming the field."""
    for kwargs, field in (
        ({"format": "int3"}, "format"),
        ({"scheme": "minmax"}, "scheme"),
        ({"weights": (0.0,)}, "weights"),
    ):
        with pytest.raises(InputError) as err:
            quantize_int(0.0, **kwargs)
        assert err.value.field == field
    with pytest.raises(InputError):
        quantize_int(0.0, "int8", "zeropoint", weights=())


# -- quantize() ---------------------------------------------------------------------------------------------


def test_quantize_keys_and_types():
    """quantize() returns every format, floats, then ints, then block-scaled FP4, each JSON-ready."""
    result = quantize("0.1")
    assert list(result) == ["fp32", "bf16", "fp16", "fp8_e4m3", "fp8_e5m2", "int8", "int4", "nvfp4", "mxfp4"]
    assert all(result[k].value == 0.1 for k in result)
    for key, item in result.items():
        data = item.as_dict()
        width = FORMATS[key].width if key in FORMATS else INT_FORMATS[key].width if key in INT_FORMATS else 4
        assert len(data["bits"]) == width and set(data["bits"]) <= {"0", "1"}
        assert {"hex", "decoded", "abs_error"} <= set(data)


@pytest.mark.parametrize("text", ["abc", "", "nan", "NaN", "inf", "-inf", "1e39", "-3.5e38", "1e400", None, "0x10"])
def test_quantize_rejects_what_fp32_cannot_hold(text):
    """Non-numbers, NaN, ±inf and values past ±3.4028235e38 raise a one-line InputError on field 'value'."""
    with pytest.raises(InputError) as err:
        quantize(text)
    assert err.value.field == "value" and "\n" not in str(err.value)


def test_quantize_accepts_the_fp32_edge():
    """3.4028235e38 rounds to FP32's max (not inf), so it is accepted; BF16 then overflows."""
    result = quantize("3.4028235e38")
    assert result["fp32"].decoded == FP32_MAX and not result["fp32"].overflow
    assert result["bf16"].overflow and result["bf16"].as_dict()["decoded"] == "inf"
    assert result["fp8_e4m3"].saturated


def test_quantize_zeropoint_scheme():
    """scheme='zeropoint' switches both integer formats to the asymmetric scheme."""
    result = quantize(0.1, scheme="zeropoint")
    assert (result["int8"].scheme, result["int4"].scheme) == ("zeropoint", "zeropoint")
    assert result["int8"].zero_point == 119


@given(x=st.floats(min_value=-FP32_MAX, max_value=FP32_MAX), scheme=st.sampled_from(["absmax", "zeropoint"]))
def test_quantize_any_fp32_value_is_json_ready(x, scheme):
    """Every value FP32 can hold quantizes without error into strict JSON (no bare inf/NaN)."""
    result = quantize(x, scheme)
    text = json.dumps({k: v.as_dict() for k, v in result.items()}, allow_nan=False)
    assert json.loads(text)["fp32"]["bits"] == result["fp32"].bits
    assert result["int8"].qmin <= result["int8"].code <= result["int8"].qmax


def _nearest_by_fractions(magnitude, fmt):
    """The rounding spelled out in Fraction arithmetic (the reference for bits._nearest_fields)."""
    if magnitude == 0:
        return 0, 0
    exponent = magnitude.numerator.bit_length() - magnitude.denominator.bit_length()
    if magnitude < Fraction(2) ** exponent:
        exponent -= 1
    exponent = max(exponent, 1 - fmt.bias)
    significand = round(magnitude / Fraction(2) ** (exponent - fmt.mantissa_bits))  # half to even
    if significand == 2 ** (fmt.mantissa_bits + 1):
        exponent, significand = exponent + 1, significand // 2
    if significand * Fraction(2) ** (exponent - fmt.mantissa_bits) > Fraction(fmt.max_finite):
        return None
    if significand < 2**fmt.mantissa_bits:
        return 0, significand
    return exponent + fmt.bias, significand - 2**fmt.mantissa_bits


def test_nearest_fields_in_integers_match_fraction_arithmetic():
    """The integer rounding gives the Fraction reference's fields, for floats, exact ties and FP4 scale targets."""
    from playground.bits import _nearest_fields

    rng = random.Random(5)
    cases = [Fraction(x) for x in (0.0, 1.0, 0.1, 448.0, 464.0, 57344.0, 61440.0, 65520.0, 2.0**-149, 3.4e38)]
    cases += [Fraction(rng.random() * 2.0 ** rng.uniform(-150, 130)) for _ in range(3000)]
    cases += [Fraction(2 * rng.randrange(1, 2**12) + 1, 2 ** rng.randrange(0, 40)) for _ in range(2000)]  # ties
    cases += [
        Fraction(rng.randrange(1, 10**9), rng.choice([3, 6, 7, 1000])) * Fraction(2) ** rng.randrange(-30, 10)
        for _ in range(2000)
    ]
    for magnitude in cases:
        for fmt in FORMATS.values():
            assert _nearest_fields(magnitude, fmt) == _nearest_by_fractions(magnitude, fmt)
