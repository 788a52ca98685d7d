"""Dated, indicative prices: GPUs (purchase per GPU, on-demand rent per GPU-hour) and the figures that
turn a GPU into a running server (server price and power, electricity, PUE, colocation, depreciation).

Every figure carries where it comes from and when. They are list or street prices that move fast;
pages must show the date. Ranges keep low and high; `usd` is their midpoint. Figures we derived or
could not check against their original publication say so (`unverified`).
"""

from dataclasses import dataclass

from .errors import InputError, positive_float

_REF26 = "project price notes 2026 (shared/reference/prices-2026.md, gathered 2026-12-02)"
RATES = {
    "gpu_cloud": "GPU clouds (Lambda, Nebius, RunPod, CoreWeave ...)",
    "hyperscaler": "Hyperscalers (AWS, Azure, GCP)",
}
DEFAULT_RATES = "gpu_cloud"


@dataclass(frozen=True)
class Price:
    """One dated price point for one GPU."""

    gpu_id: str
    kind: str  # "purchase" (USD per GPU), "hourly" (USD per GPU-hour, on demand) or "system"
    low_usd: float
    high_usd: float
    what: str  # who charges it, for what
    source: str
    as_of: str  # year or month the figure applies to
    unverified: bool = False
    rates: str = ""  # hourly prices: "gpu_cloud" or "hyperscaler"

    @property
    def usd(self) -> float:
        """The midpoint of the range."""
        return (self.low_usd + self.high_usd) / 2


def _buy(gpu_id, low, high, what, source, as_of, unverified=True) -> Price:
    return Price(gpu_id, "purchase", low, high, what, f"{source}; via {_REF26}", as_of, unverified)


# Purchase prices are never published by NVIDIA or AMD: every one is an estimate (unverified) except MSRPs.
PURCHASE: tuple[Price, ...] = (
    _buy(
        "h100-sxm",
        30_000,
        30_000,
        "H100 GPU, street price mid-2026 (analysts put it at $25-30k in 2023)",
        "aiinframap.com, H100 vs H200 vs B200 TCO (rough, not audited; ±20-40%); Raymond James via Barron's (2023)",
        "2026",
    ),
    _buy("h200-sxm", 35_000, 35_000, "H200 GPU, street price mid-2026", "aiinframap.com (rough, ±20-40%)", "2026"),
    _buy(
        "b200",
        30_000,
        40_000,
        "B200 GPU, the range NVIDIA's CEO gave (street ~$40k in 2026)",
        "Jensen Huang to CNBC, reported 2024-10-03; aiinframap.com (2026)",
        "2024",
    ),
    _buy(
        "rtx-pro-6000",
        8_565,
        8_565,
        "RTX PRO 6000 Blackwell, MSRP (retail $8,000-9,200 in April 2026)",
        "newgearhub.com, GTC 2026 report (2026-04-06)",
        "2026",
        unverified=False,
    ),
    _buy("l40s", 7_500, 8_500, "L40S card, retail", "runlocalai.co; datastorage.com (2026, undated pages)", "2026"),
    _buy(
        "mi300x",
        10_000,
        15_000,
        "MI300X, average selling price estimate (lower for Microsoft, higher for others)",
        "Citigroup analyst estimate (C. Danely), as reported in the press, February 2024",
        "2024",
    ),
    _buy("mi355x", 23_000, 23_000, "MI355X, average selling price estimate", "HSBC (Frank Lee), ~2025", "2025"),
)
# Whole systems: the GPUs are only part of a server's price.
DGX_H100_SYSTEM = Price(
    "h100-sxm",
    "system",
    270_000,
    270_000,
    "DGX H100 (8 GPUs, CPUs, networking), sale price estimate",
    "SemiAnalysis via epoch-research/training-cost-trends (May 2023)",
    "2023",
    unverified=True,
)
HGX_H100_NODE = Price(
    "h100-sxm",
    "system",
    317_000,
    317_000,
    "HGX H100 8-GPU node with 8 x 400G InfiniBand cards, a reseller's quote (Thinkmate)",
    "web.archive.org copy of the quote, 2024-08-22, in a public cost spreadsheet; via " + _REF26,
    "2024",
)


def _rent(gpu_id, rates, low, high, what, source, as_of, unverified=False) -> Price:
    return Price(gpu_id, "hourly", low, high, what, f"{source}; via {_REF26}", as_of, unverified, rates)


_GPU_CLOUD_NOTE = "GPU-cloud prices rose during 2026 (Lambda H100 $3.78 in May, $4.29 in September)"
HOURLY: tuple[Price, ...] = (
    # hyperscalers: the provider's list price, per GPU (instance price / GPUs)
    _rent(
        "h100-sxm",
        "hyperscaler",
        6.88,
        6.88,
        "AWS p5.48xlarge on demand, us-east-1 ($55.04/h for 8; Azure ND H100 v5 $12.29, GCP a3-highgpu $11.06 per GPU)",
        "datareceipts/data-receipts hyperscalers.json (AWS list)",
        "2026-11",
    ),
    _rent(
        "h200-sxm",
        "hyperscaler",
        7.912,
        7.912,
        "AWS p5en.48xlarge on demand, us-east-1 ($63.30/h for 8; GCP a3-ultra $10.44)",
        "AWS price API via dstackai/dstack PR 4110",
        "2026-08",
    ),
    _rent(
        "b200",
        "hyperscaler",
        14.24,
        14.24,
        "AWS p6-b200.48xlarge on demand, us-east-1 ($113.93/h for 8)",
        "Cloud GPU price table citing instances.vantage.sh (secondary)",
        "2026-06",
        unverified=True,
    ),
    _rent(
        "a100-80gb",
        "hyperscaler",
        3.43,
        3.43,
        "AWS p4de.24xlarge on demand ($27.45/h for 8)",
        "datareceipts/data-receipts hyperscalers.json",
        "2026-11",
    ),
    _rent(
        "a100-40gb",
        "hyperscaler",
        2.74,
        2.74,
        "AWS p4d.24xlarge on demand ($21.96/h for 8)",
        "datareceipts/data-receipts hyperscalers.json",
        "2026-11",
    ),
    _rent(
        "l40s",
        "hyperscaler",
        1.861,
        1.861,
        "AWS g6e.xlarge on demand, us-east-1",
        "modal.com L40S price article (AWS list)",
        "2026-06",
    ),
    _rent(
        "l4",
        "hyperscaler",
        0.7068,
        0.7068,
        "GCP g2-standard-4 on demand, us-central1",
        "Cyclenerd/google-cloud-pricing-cost-calculator pricing.yml (GCP Billing Catalog API)",
        "2026-07",
    ),
    _rent(
        "mi300x",
        "hyperscaler",
        6.0,
        6.0,
        "Azure and Oracle MI300X on demand, about $6 per GPU",
        "cliffcenter.com, AMD inference economics (blog)",
        "2026-05",
        unverified=True,
    ),
    # GPU clouds: the range of named providers' list prices
    _rent(
        "h100-sxm",
        "gpu_cloud",
        3.20,
        3.99,
        "H100 SXM on demand: Hyperstack $3.20, Nebius $3.85, Lambda (8x) / "
        "Together / RunPod secure $3.99 (CoreWeave $6.16). " + _GPU_CLOUD_NOTE,
        "provider price pages as transcribed by api-evangelist plans files, silybench-data, datareceipts",
        "2026-09",
    ),
    _rent(
        "h200-sxm",
        "gpu_cloud",
        3.59,
        4.59,
        "H200 on demand: RunPod $3.59-4.59, Hyperstack $3.99, Nebius $4.50 (CoreWeave $6.31, Together $5.99)",
        "silybench-data gpu_prices.csv; api-evangelist plans files",
        "2026-09",
    ),
    _rent(
        "b200",
        "gpu_cloud",
        5.98,
        7.15,
        "B200 on demand: RunPod $5.98-6.79, Hyperstack $6.00, Lambda (8x) $6.69, Nebius $7.15 (CoreWeave $8.60)",
        "silybench-data gpu_prices.csv; api-evangelist plans files",
        "2026-09",
    ),
    _rent(
        "a100-80gb",
        "gpu_cloud",
        1.39,
        2.79,
        "A100 80GB on demand: RunPod $1.39-1.59, Vast.ai median $1.70, CoreWeave $2.70, Lambda $2.79",
        "silybench-data; lantern-works/gpu-cloud-prices; api-evangelist plans files",
        "2026-09",
    ),
    _rent(
        "a100-40gb",
        "gpu_cloud",
        1.99,
        1.99,
        "Lambda 8x A100 40GB on demand",
        "api-evangelist/lambda-labs plans file (lambda.ai/instances)",
        "2026-09",
    ),
    _rent(
        "l40s",
        "gpu_cloud",
        0.79,
        1.55,
        "L40S on demand: RunPod $0.79-1.09, Nebius $1.55 (CoreWeave $2.25)",
        "silybench-data gpu_prices.csv",
        "2026-09",
    ),
    _rent(
        "l4",
        "gpu_cloud",
        0.7992,
        0.7992,
        "Modal L4, per GPU-hour",
        "techbytes.app serverless GPU pricing matrix (quoting Modal's list)",
        "2026-05",
        unverified=True,
    ),
    _rent(
        "rtx-4090", "gpu_cloud", 0.34, 0.74, "RunPod RTX 4090, community to secure cloud", "silybench-data", "2026-09"
    ),
    _rent(
        "rtx-pro-6000",
        "gpu_cloud",
        2.50,
        2.50,
        "CoreWeave RTX PRO 6000 (8x) on demand",
        "api-evangelist/coreweave plans file (coreweave.com/pricing)",
        "2026-09",
    ),
    _rent(
        "mi300x",
        "gpu_cloud",
        1.50,
        2.59,
        "MI300X on demand: TensorWave $1.50, Vultr $1.85, DigitalOcean $2.59",
        "cliffcenter.com (blog, 2026-05); tokenwatt/gpu-cloud-prices (DigitalOcean API, 2026-10)",
        "2026-10",
        unverified=True,
    ),
    _rent(
        "mi325x",
        "gpu_cloud",
        1.95,
        1.95,
        "TensorWave MI325X on demand",
        "cliffcenter.com (blog)",
        "2026-05",
        unverified=True,
    ),
)


@dataclass(frozen=True)
class Discount:
    """What a 1- or 3-year commitment takes off the on-demand price, for one kind of provider."""

    rates: str
    years: int
    fraction: float
    what: str
    source: str
    as_of: str
    unverified: bool


DISCOUNTS: tuple[Discount, ...] = (
    Discount(
        "hyperscaler",
        1,
        0.306,
        "GCP committed-use discount, a3-highgpu-8g (H100), 1 year: $61.38/h vs $88.49",
        "Cyclenerd pricing.yml (GCP Billing Catalog API); via " + _REF26,
        "2026-07",
        False,
    ),
    Discount(
        "hyperscaler",
        3,
        0.561,
        "GCP committed-use discount, a3-highgpu-8g (H100), 3 years: $38.86/h vs $88.49",
        "Cyclenerd pricing.yml (GCP Billing Catalog API); via " + _REF26,
        "2026-07",
        False,
    ),
    Discount(
        "gpu_cloud",
        1,
        0.306,
        "GPU clouds do not publish 1-year rates: GCP's published 1-year H100 discount as a stand-in",
        "Cyclenerd pricing.yml (GCP); via " + _REF26,
        "2026-07",
        True,
    ),
    Discount(
        "gpu_cloud",
        3,
        0.60,
        'CoreWeave committed usage, "up to 60%" off on demand (term not stated)',
        "api-evangelist/coreweave plans file (coreweave.com/pricing); via " + _REF26,
        "2026-09",
        True,
    ),
)
GPUS_PER_SERVER = 8  # an HGX/DGX-class server, the unit server prices and power are quoted for


def discount(rates: str, years: int) -> Discount:
    """The commitment discount for a kind of provider and a term."""
    return next(d for d in DISCOUNTS if d.rates == rates and d.years == years)


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
    "U.S. Energy Information Administration, Electric Power Monthly: average price of electricity to ultimate "
    "customers, industrial sector, U.S. total, monthly 2025 (via YCharts, updated 2026-04-27)"
)
FIGURES: tuple[Figure, ...] = (
    Figure(
        "server_price_usd",
        HGX_H100_NODE.usd - GPUS_PER_SERVER * PURCHASE[0].usd,  # less eight H100s at their 2026 street price
        "USD per 8-GPU server",
        "Server without its GPUs (chassis, CPUs, memory, NICs, NVSwitch, InfiniBand cards): a $317k HGX H100 node "
        "quote (2024) minus 8 H100s at $30k",
        "Thinkmate quote (2024-08-22) and aiinframap.com (2026); derived",
        "2024",
        unverified=True,  # the difference of a 2024 quote and a 2026 street estimate
    ),
    Figure(
        "server_watts_per_gpu",
        (_DGX_WATTS - GPUS_PER_SERVER * 700) / GPUS_PER_SERVER,
        "W per GPU",
        "Server power besides the GPUs: DGX H100 maximum 10.2 kW minus 8 x 700 W GPU TDP, per GPU (a maximum)",
        "NVIDIA DGX H100 user guide, hardware specifications (https://docs.nvidia.com/dgx/dgxh100-user-guide/)",
        "2023",
    ),
    Figure(
        "usd_per_kwh",
        0.0861,
        "USD/kWh",
        "US industrial electricity, 2025: the simple mean of the twelve monthly averages (8.21-9.33 ¢/kWh; EIA's "
        "sales-weighted annual figure not yet read)",
        _EIA + "; derived",
        "2025",
        unverified=True,  # unweighted mean of monthly figures, read through a third party
    ),
    Figure(
        "pue",
        1.54,
        "ratio",
        "Industry weighted-average PUE reported by data center operators (1.56 in 2024)",
        "Uptime Institute, Global Data Center Survey 2025 (July 2025)",
        "2025",
    ),
    Figure(
        "colo_usd_per_kw_month",
        194.95,
        "USD per kW per month",
        "Wholesale colocation asking rate, 250-500 kW requirement, North American primary markets, year-end 2025 "
        "(+6.5% on a year; power billed separately)",
        "CBRE, North America Data Center Trends H2 2025 (read through a repost; H2 2024: $184.06)",
        "2025-H2",
        unverified=True,  # the figure comes from a repost of CBRE's report, not the report itself
    ),
    Figure(
        "depreciation_years",
        5,
        "years",
        "Useful life Amazon applies to (a subset of) its servers since January 2025, cut from six years for the pace "
        "of AI hardware (Meta: 5.5 years; Microsoft and Alphabet: 6)",
        "Amazon.com 2024 Form 10-K (filed 2025-02-07)",
        "2025",
    ),
)
_FIGURES = {f.key: f for f in FIGURES}


def purchase_price(gpu_id: str) -> Price | None:
    """The purchase price of one GPU, if we have one."""
    return next((p for p in PURCHASE if p.gpu_id == gpu_id), None)


def hourly_prices(gpu_id: str) -> tuple[Price, ...]:
    """All on-demand prices we have for a GPU (hyperscaler and GPU clouds)."""
    return tuple(p for p in HOURLY if p.gpu_id == gpu_id)


def hourly_price(gpu_id: str, rates: str = DEFAULT_RATES) -> Price | None:
    """The on-demand price for a GPU from that kind of provider, if we have one."""
    return next((p for p in HOURLY if p.gpu_id == gpu_id and p.rates == rates), None)


def check_rates(raw) -> str:
    """A rates choice ("gpu_cloud" or "hyperscaler"), or an InputError naming the field."""
    key = DEFAULT_RATES if raw is None else str(raw).strip().lower().replace("-", "_")
    if key not in RATES:
        raise InputError(f"unknown rates {raw!r}; choose one of: {', '.join(RATES)}", "rates")
    return key


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


def resolve(gpu, given: dict | None = None, rates: str = DEFAULT_RATES) -> dict[str, PriceUsed]:
    """Every price for this GPU: the user's where given (field name -> number or text), else the default
    (rental prices from GPU clouds or hyperscalers, as `rates` says)."""
    given = given or {}
    rates = check_rates(rates)
    used: dict[str, PriceUsed] = {}
    for spec in SPECS:
        raw = given.get(spec.key)
        if is_auto(raw):
            used[spec.key] = _default(spec, gpu, used, rates)
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


def _default(spec: PriceSpec, gpu, used: dict, rates: str) -> PriceUsed:
    """The dated default of one price, or an InputError saying we have none for this GPU."""
    key = spec.key
    if key in ("gpu_price_usd", "on_demand_usd_per_gpu_hour"):
        price = purchase_price(gpu.id) if key == "gpu_price_usd" else hourly_price(gpu.id, rates)
        if price is None:
            where = "" if key == "gpu_price_usd" else f" from {RATES[rates].split(' (')[0].lower()}"
            raise InputError(f"no dated {spec.label}{where} on file for {gpu.name}: enter one ({spec.unit})", key)
        what = price.what
        if price.low_usd != price.high_usd:
            digits = 0 if price.low_usd >= 100 else 2
            what += f" (midpoint of ${price.low_usd:,.{digits}f}-{price.high_usd:,.{digits}f})"
        return PriceUsed(key, spec.label, spec.unit, price.usd, True, what, price.source, price.as_of, price.unverified)
    if key in RESERVED_YEARS:
        d = discount(rates, RESERVED_YEARS[key])
        what = f"on-demand price less {d.fraction:.1%}: {d.what}"
        value = used["on_demand_usd_per_gpu_hour"].value * (1 - d.fraction)
        return PriceUsed(key, spec.label, spec.unit, value, True, what, d.source, d.as_of, d.unverified)
    if key == "ops_usd_per_gpu_month":  # no public benchmark: leave it out visibly rather than guess
        what = "not included: no public benchmark; enter your staff, support and spares cost"
        return PriceUsed(key, spec.label, spec.unit, 0.0, True, what, "", "", False)
    f = figure(key)
    return PriceUsed(key, spec.label, spec.unit, float(f.value), True, f.what, f.source, f.as_of, f.unverified)
