"""Dated, indicative prices: GPUs (purchase per GPU, on-demand rent per GPU-hour) and the figures that
turn a GPU into a running server (server price and power, electricity, PUE, colocation, depreciation).

Every figure carries where it comes from and when. They are list or street prices that move fast;
pages must show the date. Ranges keep low and high; `usd` is their midpoint. Figures we derived or
could not check against their original publication say so (`unverified`).
"""

from dataclasses import dataclass

from .errors import InputError, positive_float

_REF = "project reference notes (shared/reference/README.md), indicative prices"


@dataclass(frozen=True)
class Price:
    """One dated price point for one GPU."""

    gpu_id: str
    kind: str  # "purchase" (USD per GPU) or "hourly" (USD per GPU-hour, on demand)
    low_usd: float
    high_usd: float
    what: str  # who charges it, for what
    source: str
    as_of: str  # year or month the figure applies to
    unverified: bool = False

    @property
    def usd(self) -> float:
        """The midpoint of the range."""
        return (self.low_usd + self.high_usd) / 2


PURCHASE: tuple[Price, ...] = (
    Price("h100-sxm", "purchase", 25_000, 30_000, "H100 GPU, street price", _REF, "2023"),
    Price("b200", "purchase", 30_000, 40_000, "B200 GPU, street price", _REF, "2024"),
    Price("rtx-pro-6000", "purchase", 8_565, 8_565, "RTX PRO 6000 Blackwell, MSRP", _REF, "2025"),
    Price(
        "mi300x",
        "purchase",
        10_000,
        15_000,
        "MI300X, average selling price estimate (lower for Microsoft, higher for others)",
        "Citigroup analyst estimate (C. Danely), as reported in the press, February 2024",
        "2024",
        unverified=True,  # an analyst's estimate, not a list price
    ),
)
# A whole system for comparison: the GPUs are only part of a server's price.
DGX_H100_SYSTEM = Price("h100-sxm", "system", 270_000, 270_000, "DGX H100 (8 GPUs, CPUs, networking)", _REF, "2023")

HOURLY: tuple[Price, ...] = (
    Price(
        "h100-sxm",
        "hourly",
        6.88,
        6.88,
        "AWS p5.48xlarge on demand, per GPU, after the June 2025 price cut",
        _REF,
        "2025",
    ),
    Price("h100-sxm", "hourly", 1.49, 2.99, "smaller GPU clouds, on demand", _REF, "2026"),
    Price("h200-sxm", "hourly", 2.25, 2.25, "smaller GPU clouds, on demand", _REF, "2026"),
    Price("b200", "hourly", 3.75, 5.60, "smaller GPU clouds, on demand", _REF, "2026"),
    Price("mi300x", "hourly", 1.80, 1.80, "smaller GPU clouds, on demand", _REF, "2026"),
    Price("l4", "hourly", 0.70, 0.80, "smaller GPU clouds, on demand", _REF, "2026"),
)
# 1-3 year reservations cost roughly this fraction less than on demand.
RESERVATION_DISCOUNT_LOW, RESERVATION_DISCOUNT_HIGH = 0.30, 0.60
RESERVATION_DISCOUNT_UNVERIFIED = True
# We read the range's low end as the 1-year discount and its high end as the 3-year one (longer
# commitments earn deeper discounts); both unverified, like the range itself.
RESERVATION_DISCOUNT_BY_YEARS = {1: RESERVATION_DISCOUNT_LOW, 3: RESERVATION_DISCOUNT_HIGH}
GPUS_PER_SERVER = 8  # an HGX/DGX-class server, the unit server prices and power are quoted for


@dataclass(frozen=True)
class Figure:
    """One dated, sourced number that is not a GPU's price: electricity, PUE, colocation, a server's share."""

    key: str
    value: float
    unit: str
    what: str
    source: str
    as_of: str
    unverified: bool = False


_DGX_WATTS = 10_200  # DGX H100 maximum system power
_EIA = (
    "U.S. Energy Information Administration, Electric Power Monthly / Electric Power Annual: average price of "
    "electricity to ultimate customers, industrial sector, U.S. total (https://www.eia.gov/electricity/)"
)
FIGURES: tuple[Figure, ...] = (
    Figure(
        "server_price_usd",
        DGX_H100_SYSTEM.usd - GPUS_PER_SERVER * PURCHASE[0].usd,  # less eight H100s at their street-price midpoint
        "USD per 8-GPU server",
        "Server without its GPUs (chassis, CPUs, memory, NICs, NVSwitch): DGX H100 ~$270k minus 8 H100s at $27.5k",
        _REF + "; derived",
        "2023",
        unverified=True,  # the difference of two indicative prices
    ),
    Figure(
        "server_watts_per_gpu",
        (_DGX_WATTS - GPUS_PER_SERVER * 700) / GPUS_PER_SERVER,
        "W per GPU",
        "Server power besides the GPUs: DGX H100 maximum 10.2 kW minus 8 x 700 W GPU TDP, per GPU (a maximum)",
        "NVIDIA DGX H100 user guide, hardware specifications (https://docs.nvidia.com/dgx/dgxh100-user-guide/)",
        "2023",
    ),
    Figure("usd_per_kwh", 0.0806, "USD/kWh", "US average industrial electricity price (8.06 ¢/kWh)", _EIA, "2023"),
    Figure(
        "pue",
        1.56,
        "ratio",
        "Average annual PUE operators reported for their largest data center",
        "Uptime Institute, Global Data Center Survey 2024",
        "2024",
    ),
    Figure(
        "colo_usd_per_kw_month",
        184.06,
        "USD per kW per month",
        "Wholesale colocation asking rate, 250-500 kW requirement, North American primary markets (power billed "
        "separately)",
        "CBRE, North America Data Center Trends H2 2024 (February 2025)",
        "2024-H2",
    ),
    Figure(
        "depreciation_years",
        5,
        "years",
        "Useful life Amazon applies to (a subset of) its servers since January 2025, cut from six years for the pace "
        "of AI hardware",
        "Amazon.com Q4 2024 earnings call and 2024 Form 10-K (February 2025)",
        "2025",
    ),
)
_FIGURES = {f.key: f for f in FIGURES}


def purchase_price(gpu_id: str) -> Price | None:
    """The purchase price of one GPU, if we have one."""
    return next((p for p in PURCHASE if p.gpu_id == gpu_id), None)


def hourly_prices(gpu_id: str) -> tuple[Price, ...]:
    """All on-demand prices we have for a GPU (hyperscaler and smaller clouds)."""
    return tuple(p for p in HOURLY if p.gpu_id == gpu_id)


def hourly_price(gpu_id: str) -> Price | None:
    """The most recent on-demand price for a GPU (smaller clouds, 2026, where we have them)."""
    prices = hourly_prices(gpu_id)
    return max(prices, key=lambda p: p.as_of) if prices else None


def figure(key: str) -> Figure:
    """A non-GPU figure by key (KeyError for an unknown key: a programming error, not user input)."""
    return _FIGURES[key]


# --- prices as inputs: each is a field the user may set, or leave on "auto" for the dated default ------

AUTO = "auto"
RESERVED_YEARS = {"reserved_1y_usd_per_gpu_hour": 1, "reserved_3y_usd_per_gpu_hour": 3}


@dataclass(frozen=True)
class PriceSpec:
    """One price input: its field name, label, unit and bounds."""

    key: str
    label: str
    unit: str
    maximum: float
    minimum: float = 0.0


SPECS: tuple[PriceSpec, ...] = (
    PriceSpec("gpu_price_usd", "GPU purchase price", "USD per GPU", 10_000_000),
    PriceSpec("server_price_usd", "Server price without GPUs", f"USD per {GPUS_PER_SERVER}-GPU server", 1e8),
    PriceSpec("server_watts_per_gpu", "Server power per GPU", "W per GPU, besides the GPU", 100_000),
    PriceSpec("usd_per_kwh", "Electricity price", "USD per kWh", 10),
    PriceSpec("pue", "PUE", "facility power / IT power", 5, minimum=1.0),
    PriceSpec("colo_usd_per_kw_month", "Colocation", "USD per kW of IT load per month", 100_000),
    PriceSpec("ops_usd_per_gpu_month", "Operations", "USD per GPU per month", 1_000_000),
    PriceSpec("depreciation_years", "Depreciation", "years", 20),
    PriceSpec("on_demand_usd_per_gpu_hour", "On-demand price", "USD per GPU-hour", 1_000),
    PriceSpec("reserved_1y_usd_per_gpu_hour", "1-year reserved price", "USD per GPU-hour", 1_000),
    PriceSpec("reserved_3y_usd_per_gpu_hour", "3-year reserved price", "USD per GPU-hour", 1_000),
)


@dataclass(frozen=True)
class PriceUsed:
    """A price as used: its value, and whether it is the dated default (with its source) or the user's."""

    key: str
    label: str
    unit: str
    value: float
    default: bool
    what: str
    source: str
    as_of: str
    unverified: bool

    @property
    def text(self) -> str:
        """The value as entered or published (up to six significant digits), with its unit."""
        return f"{self.value:,.6g} {self.unit}"

    def as_dict(self) -> dict:
        keys = ("value", "unit", "default", "what", "source", "as_of", "unverified")
        return {k: getattr(self, k) for k in keys}


def is_auto(raw) -> bool:
    """True when a price input asks for the dated default: not given (None), or 'auto'."""
    return raw is None or str(raw).strip().lower() == AUTO


def resolve(gpu, given: dict | None = None) -> dict[str, PriceUsed]:
    """Every price for this GPU: the user's where given (field name -> number or text), else the default."""
    given = given or {}
    used: dict[str, PriceUsed] = {}
    for spec in SPECS:
        raw = given.get(spec.key)
        if is_auto(raw):
            used[spec.key] = _default(spec, gpu, used)
            continue
        if not str(raw).strip():  # a cleared field: say how to get the default back
            raise InputError(f"{spec.label}: enter a number, or 'auto' for the dated default", spec.key)
        value = positive_float(raw, spec.label, spec.key, maximum=spec.maximum, allow_zero=True)
        if value < spec.minimum:
            raise InputError(f"{spec.label} must be at least {spec.minimum:g}, got {raw!r}", spec.key)
        used[spec.key] = PriceUsed(spec.key, spec.label, spec.unit, value, False, "your input", "", "", False)
    if used["depreciation_years"].value <= 0:
        raise InputError("depreciation must be greater than 0 years", "depreciation_years")
    return used


def _default(spec: PriceSpec, gpu, used: dict) -> PriceUsed:
    """The dated default of one price, or an InputError saying we have none for this GPU."""
    key = spec.key
    if key in ("gpu_price_usd", "on_demand_usd_per_gpu_hour"):
        price = purchase_price(gpu.id) if key == "gpu_price_usd" else hourly_price(gpu.id)
        if price is None:
            raise InputError(f"no dated {spec.label} on file for {gpu.name}: enter one ({spec.unit})", key)
        what = price.what
        if price.low_usd != price.high_usd:
            digits = 0 if price.low_usd >= 100 else 2
            what += f" (midpoint of ${price.low_usd:,.{digits}f}-{price.high_usd:,.{digits}f})"
        return PriceUsed(key, spec.label, spec.unit, price.usd, True, what, price.source, price.as_of, price.unverified)
    if key in RESERVED_YEARS:
        years = RESERVED_YEARS[key]
        discount = RESERVATION_DISCOUNT_BY_YEARS[years]
        end = "low" if years == 1 else "high"
        what = f"on-demand price less {discount:.0%}, the {end} end of the 30-60% range for 1-3 year terms"
        value = used["on_demand_usd_per_gpu_hour"].value * (1 - discount)
        return PriceUsed(key, spec.label, spec.unit, value, True, what, _REF, "2026", RESERVATION_DISCOUNT_UNVERIFIED)
    if key == "ops_usd_per_gpu_month":  # no public benchmark: leave it out visibly rather than guess
        what = "not included: no public benchmark; enter your staff, support and spares cost"
        return PriceUsed(key, spec.label, spec.unit, 0.0, True, what, "", "", False)
    f = figure(key)
    return PriceUsed(key, spec.label, spec.unit, float(f.value), True, f.what, f.source, f.as_of, f.unverified)
