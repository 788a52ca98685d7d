"""What a number of GPUs costs per month on each path: buy, reserve for 1 or 3 years, rent on demand.

Buying is amortised: the purchase (GPUs plus their share of the server) spread over the depreciation
life, plus power (IT watts x PUE x price) and colocation/operations every month. Reserved GPUs are
paid for every hour of the term whether used or not. On-demand GPUs are paid only for the hours the
service needs them: we assume they are scaled down when idle, so the bill is utilization x hours.
That asymmetry is the whole decision: owned and reserved capacity costs the same at any load, rented
capacity costs in proportion to it. Hence the threshold utilization below which buying never pays.

Every price is an input; prices.resolve fills the ones left on "auto" with their dated defaults.
"""

import math
from dataclasses import dataclass

from .formula import Formula, Term
from .gpus import Gpu
from .prices import DEFAULT_RATES, GPUS_PER_SERVER, PriceUsed, check_rates, discount, is_auto, resolve
from .units import HOURS_PER_MONTH, format_count, format_usd

PATHS = ("buy", "reserved_1y", "reserved_3y", "on_demand")
RENTALS = PATHS[1:]
TERM_YEARS = {"reserved_1y": 1, "reserved_3y": 3}
LABELS = {"buy": "Buy", "reserved_1y": "Reserved, 1 year", "reserved_3y": "Reserved, 3 years", "on_demand": "On-demand"}
_SYMBOLS = {
    "capex_usd": ("C_buy", "usd", "purchase, all GPUs"),
    "gpus": ("G", "int", "GPUs"),
    "gpu_price_usd": ("P_gpu", "usd", "price per GPU"),
    "server_price_usd": ("P_srv", "usd", "server price without GPUs"),
    "gpus_per_server": ("g_srv", "int", "GPUs per server"),
    "watts_per_gpu": ("W_gpu", "int", "IT watts per GPU"),
    "tdp_watts": ("TDP", "int", "GPU power"),
    "server_watts_per_gpu": ("W_srv", "int", "server watts per GPU"),
    "power_usd_per_month": ("E", "usd", "electricity per month"),
    "pue": ("PUE", "number", "facility / IT power"),
    "hours_per_month": ("h_m", "number", "hours per month"),
    "usd_per_kwh": ("p_kWh", "number", "USD per kWh"),
    "colo_usd_per_month": ("L", "usd", "colocation per month"),
    "colo_usd_per_kw_month": ("p_kW", "usd", "colocation per kW-month"),
    "ops_usd_per_month": ("O_ops", "usd", "operations per month"),
    "ops_usd_per_gpu_month": ("p_ops", "usd", "operations per GPU-month"),
    "opex_usd_per_month": ("O", "usd", "running owned GPUs per month"),
    "depreciation_years": ("Y", "number", "depreciation years"),
    "utilization": ("u", "percent", "expected utilization"),
    "on_demand_usd_per_gpu_hour": ("p_od", "usd", "on-demand USD per GPU-hour"),
    "discount": ("d", "percent", "reservation discount"),
    "tokens_per_day": ("N_day", "count", "tokens per day"),
    "tokens_per_month": ("N_m", "count", "tokens per month"),
    "horizon_months": ("H", "int", "horizon in months"),
    "purchases": ("k", "int", "purchases within the horizon"),
}
for _p, _sym in (("buy", "buy"), ("reserved_1y", "1y"), ("reserved_3y", "3y"), ("on_demand", "od")):
    _SYMBOLS[f"{_p}_usd_per_month"] = (f"C_{_sym}" if _p != "buy" else "M_buy", "usd", f"{LABELS[_p]}, per month")
    _SYMBOLS[f"{_p}_usd_per_million_tokens"] = (f"c_{_sym}", "usd", f"{LABELS[_p]}, per million tokens")
    _SYMBOLS[f"{_p}_horizon_usd"] = (f"T_{_sym}", "usd", f"{LABELS[_p]}, over the horizon")
for _p, _sym in (("reserved_1y", "1y"), ("reserved_3y", "3y")):
    _SYMBOLS[f"{_p}_usd_per_gpu_hour"] = (f"p_{_sym}", "usd", f"{LABELS[_p]}, USD per GPU-hour")
    _SYMBOLS[f"{_p}_utilization"] = (f"u_{_sym}", "percent", f"utilization above which {LABELS[_p]} beats on-demand")
for _p, _sym in (("on_demand", "od"), ("reserved_1y", "1y"), ("reserved_3y", "3y")):
    _SYMBOLS[f"breakeven_{_p}_months"] = (f"m_{_sym}", "number", f"months until buying beats {LABELS[_p]}")
_SYMBOLS["breakeven_utilization"] = ("u_buy", "percent", "utilization below which buying never pays")


def _f(source: str, why: str) -> Formula:
    return Formula(source, why=why, symbols=_SYMBOLS)


CAPEX = _f(
    "capex_usd = gpus * (gpu_price_usd + server_price_usd / gpus_per_server)",
    "each GPU plus its share of a server (chassis, CPUs, NICs)",
)
WATTS = _f("watts_per_gpu = tdp_watts + server_watts_per_gpu", "the GPU at full power plus its share of the server")
POWER = _f(
    "power_usd_per_month = gpus * watts_per_gpu / 1000 * pue * hours_per_month * usd_per_kwh",
    "kW of IT load, times PUE for cooling and losses, every hour",
)
COLO = _f(
    "colo_usd_per_month = gpus * watts_per_gpu / 1000 * colo_usd_per_kw_month",
    "colocation is priced per kW of IT load",
)
OPS = _f("ops_usd_per_month = gpus * ops_usd_per_gpu_month", "staff, support contracts, spares")
OPEX = _f(
    "opex_usd_per_month = power_usd_per_month + colo_usd_per_month + ops_usd_per_month",
    "what owned GPUs cost to run each month",
)
BUY = _f(
    "buy_usd_per_month = capex_usd / (depreciation_years * 12) + opex_usd_per_month",
    "the purchase spread over its depreciation life, plus running costs",
)
RESERVED_RATE = {
    p: _f(f"{p}_usd_per_gpu_hour = on_demand_usd_per_gpu_hour * (1 - discount)", "the reservation discount")
    for p in TERM_YEARS
}
RENT = {
    p: _f(f"{p}_usd_per_month = gpus * hours_per_month * {p}_usd_per_gpu_hour", "paid every hour of the term")
    for p in TERM_YEARS
}
RENT["on_demand"] = _f(
    "on_demand_usd_per_month = gpus * hours_per_month * utilization * on_demand_usd_per_gpu_hour",
    "paid only for the hours in use: on-demand GPUs are released when idle",
)
TOKENS_PER_MONTH = _f("tokens_per_month = tokens_per_day * hours_per_month / 24", "the volume over an average month")
PER_MILLION = {
    p: _f(f"{p}_usd_per_million_tokens = {p}_usd_per_month / tokens_per_month * 1000000", "the monthly bill per token")
    for p in PATHS
}
HORIZON = {
    p: _f(f"{p}_horizon_usd = {p}_usd_per_month * horizon_months", "the monthly bill over the horizon") for p in RENTALS
}
HORIZON["buy"] = _f(
    "buy_horizon_usd = capex_usd * purchases + opex_usd_per_month * horizon_months",
    "cash: each purchase up front (again when the hardware is written off), then running costs",
)
BREAKEVEN = {
    p: _f(
        f"breakeven_{p}_months = capex_usd / ({p}_usd_per_month - opex_usd_per_month)",
        "the purchase, paid back by what owning saves each month",
    )
    for p in RENTALS
}
BREAKEVEN_OD = BREAKEVEN["on_demand"]  # the one the page explains in symbols
BUY_THRESHOLD = _f(
    "breakeven_utilization = buy_usd_per_month / (gpus * hours_per_month * on_demand_usd_per_gpu_hour)",
    "below this share of hours in use, on-demand costs less than owning, over the hardware's whole life",
)
RESERVED_THRESHOLD = {
    p: _f(
        f"{p}_utilization = {p}_usd_per_gpu_hour / on_demand_usd_per_gpu_hour",
        "above this share of hours in use, reserving costs less than on-demand",
    )
    for p in TERM_YEARS
}


@dataclass(frozen=True)
class PathCost:
    """One way to get the GPUs: its monthly bill, cost per token, total over the horizon."""

    path: str
    label: str
    monthly_usd: float
    usd_per_million_tokens: float
    upfront_usd: float
    horizon_usd: float  # cash over the horizon (buy: purchases up front, refreshed after each life)
    breakeven_months: float | None  # buy vs this path; None for buy itself, or when owning never catches up
    eligible: bool  # a reservation longer than the horizon would be paid for unused years
    terms: tuple[Term, ...]


@dataclass(frozen=True)
class Tco:
    """The monthly cost of every path for `gpus` GPUs, the breakeven and the cumulative-cost series."""

    gpus: int
    rates: str  # whose rental prices: "gpu_cloud" or "hyperscaler"
    prices: dict[str, PriceUsed]
    capex_usd: float
    watts_per_gpu: float
    power_usd_per_month: float
    colo_usd_per_month: float
    ops_usd_per_month: float
    opex_usd_per_month: float
    tokens_per_month: float
    horizon_months: int
    depreciation_months: float
    paths: dict[str, PathCost]
    breakeven_utilization: float | None  # None when on-demand is free: buying never pays
    reserved_utilization: dict[str, float | None]
    series: dict[str, tuple[tuple[float, float], ...]]  # (month, cumulative USD) corners of each line
    breakeven_point: tuple[float, float] | None  # buy meets on-demand, when within the horizon and the life
    x_ticks_months: tuple[int, ...]
    y_ticks_usd: tuple[float, ...]
    terms: dict[str, tuple[Term, ...]]  # "own", "rent", "per_token", "breakeven"


def format_usd_per_million_tokens(value_usd: float) -> str:
    """Cost per million tokens: three significant digits below $100 ($0.0925), where cents would hide the
    difference between paths; whole dollars above, like units.format_usd."""
    return format_usd(value_usd) if value_usd >= 100 else "$" + format_count(value_usd)


def nice_ticks(high: float, count: int = 5) -> tuple[float, ...]:
    """0 and round steps (1, 2 or 5 x 10^k) up to at least `high`: an axis people can read."""
    if high <= 0:
        return (0.0, 1.0)
    raw = high / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return tuple(step * i for i in range(math.ceil(high / step - 1e-9) + 1))


def _kept(term: Term, terms: list) -> float | None:
    """A ratio's value, kept with its formula; None when a near-zero divisor pushed it past any float."""
    if not math.isfinite(term.value):
        return None
    terms.append(term)
    return term.value


def _purchases(horizon_months: int, life_months: float) -> int:
    """How many times the hardware is bought within the horizon: at month 0, then at each end of life."""
    return 1 + sum(1 for k in range(1, horizon_months + 1) if k * life_months < horizon_months)


def _buy_series(capex: float, opex: float, horizon: int, life: float) -> tuple[tuple[float, float], ...]:
    points, bought, t = [(0.0, capex)], 1, life
    while t < horizon:
        points.append((t, bought * capex + opex * t))
        bought += 1
        points.append((t, bought * capex + opex * t))
        t += life
    points.append((float(horizon), bought * capex + opex * horizon))
    return tuple(points)


def tco(
    gpu: Gpu, gpus: int, tokens_per_day: float, utilization: float, horizon_years: int, given=None, rates=DEFAULT_RATES
) -> Tco:
    """Monthly cost of buy / reserved / on-demand for `gpus` GPUs, with every price resolved (rental defaults
    from GPU clouds or hyperscalers, as `rates` says)."""
    rates = check_rates(rates)
    used = resolve(gpu, given, rates)
    p = {k: v.value for k, v in used.items()}
    hours = HOURS_PER_MONTH
    capex = CAPEX(
        gpus=gpus,
        gpu_price_usd=p["gpu_price_usd"],
        server_price_usd=p["server_price_usd"],
        gpus_per_server=GPUS_PER_SERVER,
    )
    watts = WATTS(tdp_watts=gpu.tdp_watts, server_watts_per_gpu=p["server_watts_per_gpu"])
    power = POWER(
        gpus=gpus, watts_per_gpu=watts.value, pue=p["pue"], hours_per_month=hours, usd_per_kwh=p["usd_per_kwh"]
    )
    colo = COLO(gpus=gpus, watts_per_gpu=watts.value, colo_usd_per_kw_month=p["colo_usd_per_kw_month"])
    ops = OPS(gpus=gpus, ops_usd_per_gpu_month=p["ops_usd_per_gpu_month"])
    opex = OPEX(power_usd_per_month=power.value, colo_usd_per_month=colo.value, ops_usd_per_month=ops.value)
    buy = BUY(capex_usd=capex.value, depreciation_years=p["depreciation_years"], opex_usd_per_month=opex.value)
    own_terms = (capex, watts, power, colo, ops, opex, buy)

    rent_terms, monthly = [], {"buy": buy.value}
    for path in TERM_YEARS:
        rate_key = f"{path}_usd_per_gpu_hour"
        if is_auto((given or {}).get(rate_key)):
            cut = discount(rates, TERM_YEARS[path]).fraction
            rent_terms.append(
                RESERVED_RATE[path](on_demand_usd_per_gpu_hour=p["on_demand_usd_per_gpu_hour"], discount=cut)
            )
        term = RENT[path](gpus=gpus, hours_per_month=hours, **{rate_key: p[rate_key]})
        rent_terms.append(term)
        monthly[path] = term.value
    od = RENT["on_demand"](
        gpus=gpus,
        hours_per_month=hours,
        utilization=utilization,
        on_demand_usd_per_gpu_hour=p["on_demand_usd_per_gpu_hour"],
    )
    rent_terms.append(od)
    monthly["on_demand"] = od.value

    per_month = TOKENS_PER_MONTH(tokens_per_day=tokens_per_day, hours_per_month=hours)
    horizon = 12 * horizon_years
    life = 12 * p["depreciation_years"]
    buys = _purchases(horizon, life)
    paths, token_terms, even_terms = {}, [per_month], []
    for path in PATHS:
        per_m = PER_MILLION[path](**{f"{path}_usd_per_month": monthly[path]}, tokens_per_month=per_month.value)
        token_terms.append(per_m)
        if path == "buy":
            total = HORIZON[path](
                capex_usd=capex.value, purchases=buys, opex_usd_per_month=opex.value, horizon_months=horizon
            )
        else:
            total = HORIZON[path](**{f"{path}_usd_per_month": monthly[path]}, horizon_months=horizon)
        token_terms.append(total)
        even = None
        if path != "buy" and monthly[path] > opex.value:
            term = BREAKEVEN[path](
                capex_usd=capex.value, **{f"{path}_usd_per_month": monthly[path]}, opex_usd_per_month=opex.value
            )
            even = _kept(term, even_terms)
        eligible = TERM_YEARS.get(path, 0) <= horizon_years
        upfront = capex.value if path == "buy" else 0.0
        paths[path] = PathCost(
            path, LABELS[path], monthly[path], per_m.value, upfront, total.value, even, eligible, (per_m, total)
        )

    full_od = gpus * hours * p["on_demand_usd_per_gpu_hour"]
    threshold, reserved_u = None, {}
    if full_od > 0:
        t = BUY_THRESHOLD(
            buy_usd_per_month=buy.value,
            gpus=gpus,
            hours_per_month=hours,
            on_demand_usd_per_gpu_hour=p["on_demand_usd_per_gpu_hour"],
        )
        threshold = _kept(t, even_terms)
    for path in TERM_YEARS:
        reserved_u[path] = None
        if p["on_demand_usd_per_gpu_hour"] > 0:
            rate_key = f"{path}_usd_per_gpu_hour"
            t = RESERVED_THRESHOLD[path](
                **{rate_key: p[rate_key]}, on_demand_usd_per_gpu_hour=p["on_demand_usd_per_gpu_hour"]
            )
            reserved_u[path] = _kept(t, even_terms)

    series = {"buy": _buy_series(capex.value, opex.value, horizon, life)}
    series.update({path: ((0.0, 0.0), (float(horizon), monthly[path] * horizon)) for path in RENTALS})
    even_od = paths["on_demand"].breakeven_months
    point = None
    if even_od is not None and even_od <= min(horizon, life):
        point = (even_od, monthly["on_demand"] * even_od)
    top = max(usd for line in series.values() for _, usd in line)
    step = 12 if horizon <= 72 else 24
    return Tco(
        gpus=gpus,
        rates=rates,
        prices=used,
        capex_usd=capex.value,
        watts_per_gpu=watts.value,
        power_usd_per_month=power.value,
        colo_usd_per_month=colo.value,
        ops_usd_per_month=ops.value,
        opex_usd_per_month=opex.value,
        tokens_per_month=per_month.value,
        horizon_months=horizon,
        depreciation_months=life,
        paths=paths,
        breakeven_utilization=threshold,
        reserved_utilization=reserved_u,
        series=series,
        breakeven_point=point,
        x_ticks_months=tuple(range(0, horizon + 1, step)),
        y_ticks_usd=nice_ticks(top),
        terms={
            "own": own_terms,
            "rent": tuple(rent_terms),
            "per_token": tuple(token_terms),
            "breakeven": tuple(even_terms),
        },
    )
