"""The byte-level part of the quantization widget: one weight as FP32, BF16, FP16, FP8 and INT8/INT4 bits."""

import functools

from playground.bits import FORMATS, INT_FORMATS, quantize

from .html import esc, formula_block, value

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


@functools.lru_cache(maxsize=64)  # typing in the other fields re-renders the page; the bits only change with these two
def bits_section(text: str, scheme: str) -> str:
    """The value in every float format, then INT8 and INT4 inside the example group (InputError on bad text)."""
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
    )
