"""Unit constants and the one place numbers are formatted for people.

Everything is computed in base units (bytes, seconds, FLOPs, USD). Decimal GB (1e9) is what
we print; GiB (2**30) appears only where a source (a vLLM log, PyTorch) reports binary units,
and is then labelled GiB.
"""

import math

KB = 1e3
MB = 1e6
GB = 1e9
TB = 1e12
KiB = 2**10
MiB = 2**20
GiB = 2**30
TFLOPS = 1e12  # FLOP/s
HOURS_PER_MONTH = 730.0  # 8760 h / 12, the cloud-billing convention
HOURS_PER_YEAR = 8760.0
SECONDS_PER_DAY = 86400.0


_SPECS = {digits: f".{digits}g" for digits in range(1, 18)}  # built once: pages format hundreds of numbers
_BYTE_UNITS = {"B": 1, "KB": KB, "MB": MB, "GB": GB, "TB": TB, "KiB": KiB, "MiB": MiB, "GiB": GiB}


def _trim(number: float, digits: int) -> str:
    """Format with `digits` significant digits, no trailing zeros or exponent."""
    if number == 0:
        return "0"
    text = format(number, _SPECS.get(digits) or f".{digits}g")
    if "e" in text:  # large values: fall back to grouped fixed point
        text = f"{number:,.0f}"
    return text


def format_bytes(value_bytes: float, unit: str = "auto", digits: int = 3) -> str:
    """Bytes as decimal GB/TB/MB ('auto'), or in a named unit such as 'GiB'."""
    units = _BYTE_UNITS
    if unit == "auto":
        unit = (
            "TB"
            if value_bytes >= TB
            else "GB"
            if value_bytes >= GB
            else "MB"
            if value_bytes >= MB
            else "KB"
            if value_bytes >= KB
            else "B"
        )
    return f"{_trim(value_bytes / units[unit], digits)} {unit}"


def format_count(value: float, digits: int = 3) -> str:
    """A large count the way model cards write it: 70.6B, 405B, 1.2T, 128k."""
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= scale:
            return f"{_trim(value / scale, digits)}{suffix}"
    return _trim(value, digits)


def format_int(value: float) -> str:
    """An integer with thousands separators."""
    return f"{round(value):,}"


def format_usd(value_usd: float) -> str:
    """Dollars: three significant digits below $1 ($0.0925), cents below $100, whole dollars above."""
    if 0 < abs(value_usd) < 1:
        decimals = max(2, 2 - math.floor(math.log10(abs(value_usd))))
        return f"${value_usd:,.{decimals}f}"
    if abs(value_usd) < 100:
        return f"${value_usd:,.2f}"
    return f"${value_usd:,.0f}"


def format_seconds(value_s: float) -> str:
    """A duration in the unit that reads best: µs, ms, s, min, h."""
    if value_s < 1e-3:
        return f"{_trim(value_s * 1e6, 3)} µs"
    if value_s < 1:
        return f"{_trim(value_s * 1e3, 3)} ms"
    if value_s < 120:
        return f"{_trim(value_s, 3)} s"
    if value_s < 7200:
        return f"{_trim(value_s / 60, 3)} min"
    return f"{_trim(value_s / 3600, 3)} h"


def format_rate(value_per_s: float, unit: str) -> str:
    """A rate such as tokens/s, with three significant digits."""
    return f"{format_count(value_per_s)} {unit}/s"


def format_flops(value_flops: float) -> str:
    """FLOPs (or FLOP/s without the '/s') in the largest sensible SI unit."""
    for scale, prefix in ((1e18, "E"), (1e15, "P"), (1e12, "T"), (1e9, "G")):
        if value_flops >= scale:
            return f"{_trim(value_flops / scale, 3)} {prefix}FLOP"
    return f"{_trim(value_flops, 3)} FLOP"


def format_percent(fraction: float, digits: int = 3) -> str:
    """A fraction (0.25) as a percentage (25%)."""
    return f"{_trim(fraction * 100, digits)}%"


def format_value(value: float, kind: str) -> str:
    """Format a value by its kind; the single dispatch used by formulas, CLI tables and widgets."""
    if kind == "bytes":
        return format_bytes(value)
    if kind == "gib":
        return format_bytes(value, "GiB")
    if kind == "bytes_per_s":
        return f"{format_bytes(value)}/s"
    if kind == "count":
        return format_count(value)
    if kind == "int":
        return format_int(value)
    if kind == "usd":
        return format_usd(value)
    if kind == "s":
        return format_seconds(value)
    if kind == "flops":
        return format_flops(value)
    if kind == "flops_per_s":
        return format_flops(value) + "/s"
    if kind == "percent":
        return format_percent(value)
    if kind == "tokens_per_s":
        return format_rate(value, "tokens")
    return _trim(value, 4)
