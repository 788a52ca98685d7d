"""The byte-level part of the quantization widget: one weight as FP32, BF16, FP16, FP8, INT8/INT4 and FP4 bits."""

import functools

from playground.bits import FORMATS, INT_FORMATS, quantize
from playground.fp4 import BLOCK_FORMATS

from .html import esc, formula_block, is_deferring, value

_KIND = {"s": "sign", "e": "exponent", "m": "mantissa", "i": "integer code"}


def _cells(bits: str, kinds: str, label: str) -> str:
    """One cell per bit, coloured by field; kinds gives each bit's field letter (s, e, m or i)."""
    cells = "".join(
        f'<span class="pg-q-bit pg-q-{k}{" pg-q-start" if i and kinds[i - 1] != k else ""}">{b}</span>'
        for i, (b, k) in enumerate(zip(bits, kinds, strict=True))
    )
    return (
        f'<div class="pg-q-bits" style="--w:{len(bits)}" role="img" aria-label="{esc(label)}">'
        f'<span class="pg-q-cells" aria-hidden="true">{cells}</span></div>'
    )


def _number(x: float) -> str:
    """A decoded value with enough digits to see the rounding (12 significant)."""
    return f"{x:.12g}"


def _flags(enc) -> str:
    flags = [f for f in ("saturated", "overflow", "underflow", "subnormal") if getattr(enc, f)]
    flags.append("rounded" if enc.rounded else "exact")
    return "".join(f'<span class="pg-q-flag pg-q-flag-{f}">{f}</span>' for f in flags)


def _float(key: str, enc) -> str:
    fmt = FORMATS[key]
    kinds = "s" + "e" * fmt.exponent_bits + "m" * fmt.mantissa_bits
    label = f"{fmt.label} bits: sign {enc.sign}, exponent {enc.exponent}, mantissa {enc.mantissa}"
    term = enc.terms[0] if enc.terms else None
    data = enc.as_dict()  # inf and NaN as the strings the CLI prints
    formula = (
        f'<span class="pg-formula" title="{esc(term.plugged())}">{term.mathml()}</span>'
        if term
        else '<span class="pg-why">not a finite number: no formula</span>'
    )
    return (
        f'<div class="pg-q-enc" data-format="{esc(key)}"><div class="pg-q-enc-head">'
        f"<strong>{esc(fmt.label)}</strong> {value(f'bits.{key}.hex', enc.hex, enc.hex)}"
        f"<span hidden>{value(f'bits.{key}.bits', enc.bits, enc.bits)}</span>"
        f" → {value(f'bits.{key}.decoded', data['decoded'], _number(enc.decoded))}"
        f' <span class="pg-why">error {value(f"bits.{key}.abs_error", data["abs_error"], f"{enc.abs_error:.3g}")}'
        f"</span> {_flags(enc)}</div>"
        f"{_cells(enc.bits, kinds, label)}{formula}"
        f'<p class="pg-why">{esc(fmt.note)}</p></div>'
    )


def _int(key: str, q) -> str:
    fmt = INT_FORMATS[key]
    label = f"{fmt.label} code {q.code}: bits {q.bits}"
    zero = (
        ""
        if q.zero_point is None
        else f", zero point {value(f'bits.{key}.zero_point', q.zero_point, str(q.zero_point))}"
    )
    clamped = ' <span class="pg-q-flag pg-q-flag-saturated">clamped</span>' if q.clamped else ""
    return (
        f'<div class="pg-q-enc" data-format="{esc(key)}"><div class="pg-q-enc-head">'
        f"<strong>{esc(fmt.label)}</strong> code {value(f'bits.{key}.code', q.code, str(q.code))} "
        f"({value(f'bits.{key}.hex', q.hex, q.hex)}), scale {value(f'bits.{key}.scale', q.scale, f'{q.scale:.6g}')}"
        f"{zero} → {value(f'bits.{key}.decoded', q.decoded, _number(q.decoded))}"
        f' <span class="pg-why">error {value(f"bits.{key}.abs_error", q.abs_error, f"{q.abs_error:.3g}")}</span>'
        f"{clamped}</div>{_cells(q.bits, 'i' * q.width, label)}{formula_block(q.terms)}</div>"
    )


_SCALE_KINDS = {"fp8_e4m3": "s" + "e" * 4 + "m" * 3, "e8m0": "e" * 8}
_SCALE_LABELS = {"fp8_e4m3": "FP8 E4M3", "e8m0": "E8M0"}


def _fp4(key: str, q) -> str:
    """The E2M1 code and the block scale's own bits, then decoded = E2M1 value × scale."""
    fmt = BLOCK_FORMATS[key]
    scale_name = _SCALE_LABELS[q.scale_format]
    label = f"{fmt.label} E2M1 code: sign {q.sign}, exponent {q.exponent}, mantissa {q.mantissa}"
    scale_label = f"{fmt.label} block scale, {scale_name} bits {q.scale_bits}"
    clamped = ' <span class="pg-q-flag pg-q-flag-saturated">saturated at 6</span>' if q.clamped else ""
    return (
        f'<div class="pg-q-enc" data-format="{esc(key)}"><div class="pg-q-enc-head">'
        f"<strong>{esc(fmt.label)}</strong> {value(f'bits.{key}.hex', q.hex, q.hex)}"
        f"<span hidden>{value(f'bits.{key}.bits', q.bits, q.bits)}</span>"
        f" = E2M1 {value(f'bits.{key}.element', q.element, f'{q.element:g}')}"
        f" × scale {value(f'bits.{key}.scale', q.scale, _number(q.scale))}"
        f" → {value(f'bits.{key}.decoded', q.decoded, _number(q.decoded))}"
        f' <span class="pg-why">error {value(f"bits.{key}.abs_error", q.error, f"{q.error:.3g}")}</span>'
        f"{clamped}</div>{_cells(q.bits, 'seem', label)}"
        f'<p class="pg-why">block scale ({esc(scale_name)}, one per {fmt.block_size} weights): '
        f"{value(f'bits.{key}.scale_hex', q.scale_hex, q.scale_hex)}</p>"
        f"{_cells(q.scale_bits, _SCALE_KINDS[q.scale_format], scale_label)}"
        f'{formula_block(q.terms)}<p class="pg-why">{esc(fmt.note)}; {fmt.bits_per_weight:g} bits per weight.</p></div>'
    )


def bits_section(text: str, scheme: str) -> str:
    """The value in every float format, then INT8 and INT4 inside the example group (InputError on bad text)."""
    return _bits_section(text, scheme, is_deferring())


@functools.lru_cache(maxsize=64)  # typing in the other fields re-renders the page; the bits only change with these two
def _bits_section(text: str, scheme: str, deferring: bool) -> str:
    """bits_section, kept apart with and without deferred blocks (the browser's full redraw needs the latter)."""
    result = quantize(text, scheme)
    group = result["int8"].group
    members = ", ".join(f"<strong>{esc(f'{w:g}')}</strong>" if i == 0 else esc(f"{w:g}") for i, w in enumerate(group))
    how = (
        "symmetric: scale = largest |w| / q_max, zero is code 0"
        if scheme == "absmax"
        else "asymmetric: the range min..max spread over all 2^b codes, plus a zero point"
    )
    legend = "".join(f'<li><span class="pg-swatch pg-q-{k}"></span>{esc(name)}</li>' for k, name in _KIND.items())
    floats = "".join(_float(k, result[k]) for k in FORMATS)
    ints = "".join(_int(k, result[k]) for k in INT_FORMATS)
    fp4s = "".join(_fp4(k, result[k]) for k in BLOCK_FORMATS)
    typed = result["fp32"].value
    return (
        f"<h4>One weight, bit by bit: {value('bits.value', typed, f'{typed:g}')}</h4>"
        f'<ul class="pg-legend pg-q-legend">{legend}</ul>'
        '<p class="pg-why">Floats round the number to FP32 first, then to each narrower format (ties to even); '
        "the error is against the number you typed.</p>"
        f'<div class="pg-q-encs">{floats}</div>'
        f'<p class="pg-why">Integers need a scale shared by a group of weights. The example group is {members} '
        f"(your value first); {esc(how)}.</p>"
        f'<div class="pg-q-encs pg-q-ints">{ints}</div>'
        '<p class="pg-why">FP4 stores a 4-bit E2M1 float (only 0, 0.5, 1, 1.5, 2, 3, 4, 6 and their negatives) '
        "times a scale shared by its block, computed from the same example group: NVFP4 picks the FP8 scale that "
        "maps the largest |w| to 6; MXFP4's scale is a power of two, so the largest weights can saturate.</p>"
        f'<div class="pg-q-encs pg-q-ints">{fp4s}</div>'
    )
