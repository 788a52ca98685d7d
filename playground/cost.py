"""Buy, reserve or rent: the GPUs a daily volume needs, what each path costs, and which to take.

The chain: throughput.serving sizes the deployment (roofline speed, GPUs for the volume, never below
the memory minimum); tco.tco prices it on every path; this module walks the decision tree and says why.

The tree, in order:
1. Compliance. Air-gapped or regulated data: buy, never rent. Data residency: buy or reserve
   in-region (on-demand capacity in one region is not guaranteed), whichever is cheaper.
2. How steady the volume is. Spiky: on-demand, which scales with the load (committed capacity must be
   sized for the peak and idles between peaks). Unknown: on-demand while you measure.
3. Steady: buying pays when utilization is at least the threshold (owning's monthly cost / on-demand
   at 100%) and the purchase pays back within the horizon; then buy, unless a reservation is cheaper.
   Otherwise reserve if that beats on-demand at your utilization, else on-demand.
A reservation longer than the horizon is not offered (it would be paid for unused years).
"""

import math
from dataclasses import dataclass

from .errors import InputError, positive_float, positive_int
from .performance import accuracy_text
from .prices import DEFAULT_RATES
from .slo import LatencySizing, target_s
from .slo import size as size_for_latency
from .tco import PATHS, TERM_YEARS, Tco, tco
from .throughput import Serving, serving
from .units import SECONDS_PER_DAY, format_int, format_percent, format_seconds, format_usd

COMPLIANCE = {"none": "None", "residency": "Data residency", "airgapped": "Air-gapped or regulated data"}
VOLUMES = {"steady": "Steady", "spiky": "Spiky", "unknown": "Unknown"}
NOUNS = {"reserved_1y": "a 1-year reservation", "reserved_3y": "a 3-year reservation"}
MAX_HORIZON_YEARS = 10
DEFAULTS = {
    "gpu": "h100-sxm",
    "input_tokens": 1000,  # a chat turn with its system prompt and history, or a RAG prompt with context
    "output_tokens": 300,  # a few paragraphs: answers are usually several times shorter than prompts
    "compliance": "none",
    "volume": "steady",
    "utilization_percent": 60,  # a steady service with a day/night cycle averages about this share of its peak
    "horizon_years": 5,  # the depreciation life: the whole life of the hardware
    "efficiency": "calibrated",  # fitted on measured engine runs (calibration.py); "ideal" = roofline bound
    "efficiency_percent": 60,  # used only with efficiency "custom": the share of every peak reached
    "ttft_target_ms": None,  # latency targets: none by default (size on throughput only)
    "tpot_target_ms": None,
    "latency_percentile": 50,  # the targets hold for the median request; 90 or 99 for a tail SLO
    "peak_factor": None,  # peak-hour rate / average: None = 1 / utilization (slo.py explains)
    "rates": DEFAULT_RATES,  # rental prices from GPU clouds, or from hyperscalers
}
EFFICIENCIES = {
    "calibrated": "Calibrated on measured engines",
    "ideal": "Ideal roofline (upper bound on speed)",
    "custom": "Custom share of the peaks",
}


@dataclass(frozen=True)
class TreeNode:
    """One node of the decision tree: a question, or a leaf naming a path."""

    id: str
    parent: str | None
    edge: str  # the answer that leads here from the parent
    text: str
    leaf: str | None = None  # the path a leaf recommends (reserved leaves name the best term)


@dataclass(frozen=True)
class CostEstimate:
    """The sizing, the costs, the recommendation, its reasons and the tree path taken."""

    model: str | None  # catalog id (None for an Architecture passed directly)
    serving: Serving
    latency: LatencySizing | None  # the sizing for the latency targets, when any were given
    tco: Tco
    compliance: str
    volume: str
    horizon_years: int
    recommendation: str
    reasons: tuple[str, ...]
    notes: tuple[str, ...]  # caveats about the inputs, not the decision
    tree: tuple[TreeNode, ...]
    taken: tuple[str, ...]  # node ids from the root to the leaf

    @property
    def gpus(self) -> int:
        """The GPUs priced: the latency sizing's when targets were given, else the throughput sizing's."""
        return self.latency.gpus if self.latency else self.serving.gpus

    def as_dict(self) -> dict:
        """The CLI's JSON document (no NaN or infinity: undefined numbers are null)."""
        s, t, c, lat = self.serving, self.tco, self.serving.chosen, self.latency
        return {
            "model": self.model,
            "gpu": s.gpu.id,
            "precision": s.precision,
            "kv_precision": s.kv_precision,
            "requests_per_day": s.requests_per_day,
            "input_tokens": s.input_tokens,
            "output_tokens": s.output_tokens,
            "utilization": s.utilization,
            "efficiency": s.efficiency,
            "rates": t.rates,
            "compliance": self.compliance,
            "volume": self.volume,
            "horizon_years": self.horizon_years,
            "recommendation": self.recommendation,
            "gpus_needed": self.gpus,
            "memory_min_gpus": s.memory_min_gpus,
            "gpus_per_replica": lat.chosen.gpus_per_replica if lat else c.gpus_per_replica,
            "replicas": lat.replicas if lat else c.replicas,
            "throughput_gpus": s.gpus,
            "ttft_s": lat.ttft_s if lat else None,
            "tpot_s": lat.tpot_s if lat else None,
            "ttft_target_s": lat.ttft_target_s if lat else None,
            "tpot_target_s": lat.tpot_target_s if lat else None,
            "latency_percentile": lat.percentile if lat else None,
            "peak_factor": lat.peak_factor if lat else None,
            "peak_request_rate": lat.peak_request_rate if lat else None,
            "latency_options": [o.as_dict() for o in lat.options] if lat else [],
            "batch": c.batch,
            "max_num_seqs": s.max_num_seqs,
            "decode_tokens_per_s": c.decode_tokens_per_s,
            "prefill_tokens_per_s": c.prefill_tokens_per_s,
            "ideal_replica_tokens_per_s": c.ideal_tokens_per_s,
            "step_time_s": c.step_time_s,
            "replica_tokens_per_s": c.tokens_per_s,
            "tokens_per_s_per_gpu": c.tokens_per_s_per_gpu,
            "tokens_per_day": s.tokens_per_day,
            "tokens_per_month": t.tokens_per_month,
            "capex_usd": t.capex_usd,
            "opex_usd_per_month": t.opex_usd_per_month,
            "power_usd_per_month": t.power_usd_per_month,
            "colo_usd_per_month": t.colo_usd_per_month,
            "ops_usd_per_month": t.ops_usd_per_month,
            "monthly_usd": {p: t.paths[p].monthly_usd for p in PATHS},
            "usd_per_million_tokens": {p: t.paths[p].usd_per_million_tokens for p in PATHS},
            "horizon_usd": {p: t.paths[p].horizon_usd for p in PATHS},
            "breakeven_months": t.paths["on_demand"].breakeven_months,
            "breakeven_months_vs": {p: t.paths[p].breakeven_months for p in PATHS if p != "buy"},
            "breakeven_utilization": t.breakeven_utilization,
            "reserved_utilization": dict(t.reserved_utilization),
            "eligible": {p: t.paths[p].eligible for p in PATHS},
            "reasons": list(self.reasons),
            "notes": list(self.notes),
            "decision_path": list(self.taken),
            "prices": {k: v.as_dict() for k, v in t.prices.items()},
            "replica_options": [o.as_dict() for o in s.options],
            "terms": [
                x.as_dict()
                for x in (*s.terms, *(lat.terms if lat else ()), *(y for group in t.terms.values() for y in group))
            ],
        }


def _choice(value, choices: dict, field: str) -> str:
    key = str(value).strip().lower()
    if key not in choices:
        raise InputError(f"unknown {field} {value!r}; choose one of: {', '.join(choices)}", field)
    return key


def _percent(value, name: str, field: str) -> float:
    return positive_float(value, name, field, maximum=100) / 100


def _efficiency(v: dict):
    """calibrated / ideal, or the custom percentage as a share (the speed model's efficiency argument)."""
    mode = _choice(v["efficiency"], EFFICIENCIES, "efficiency")
    share = _percent(v["efficiency_percent"], "efficiency (%)", "efficiency_percent")  # checked even when unused
    return share if mode == "custom" else mode


def estimate(model, precision, requests_per_day, kv_precision=None, prices=None, **inputs) -> CostEstimate:
    """Size, price and decide. `inputs` override DEFAULTS; `prices` maps price fields to numbers or 'auto'."""
    v = {**DEFAULTS, **{k: x for k, x in inputs.items() if x is not None}}
    unknown = set(v) - set(DEFAULTS)
    if unknown:
        raise TypeError(f"unknown inputs: {', '.join(sorted(unknown))}")
    compliance = _choice(v["compliance"], COMPLIANCE, "compliance")
    volume = _choice(v["volume"], VOLUMES, "volume")
    horizon = positive_int(v["horizon_years"], "horizon", "horizon_years", MAX_HORIZON_YEARS)
    s = serving(
        model,
        precision,
        v["gpu"],
        requests_per_day,
        v["input_tokens"],
        v["output_tokens"],
        _percent(v["utilization_percent"], "utilization (%)", "utilization_percent"),
        kv_precision,
        _efficiency(v),
    )
    ttft = target_s(v["ttft_target_ms"], "TTFT target (ms)", "ttft_target_ms")
    tpot = target_s(v["tpot_target_ms"], "TPOT target (ms)", "tpot_target_ms")
    latency = None
    # checked even without targets, so a typo is flagged where it was typed
    peak = None if _auto(v["peak_factor"]) else positive_float(v["peak_factor"], "peak factor", "peak_factor", 1000)
    if ttft is not None or tpot is not None:
        latency = size_for_latency(s, model, ttft, tpot, v["latency_percentile"], peak)
    gpus = latency.gpus if latency else s.gpus
    t = tco(s.gpu, gpus, s.tokens_per_day, s.utilization, horizon, prices, v["rates"])
    path, taken, reasons = _decide(s, t, compliance, volume, horizon)
    if latency:
        reasons.insert(1, _latency_reason(latency))
    return CostEstimate(
        model=getattr(model, "id", model) if not hasattr(model, "num_hidden_layers") else None,
        serving=s,
        latency=latency,
        tco=t,
        compliance=compliance,
        volume=volume,
        horizon_years=horizon,
        recommendation=path,
        reasons=tuple(reasons),
        notes=_notes(t),
        tree=_tree(t, horizon),
        taken=taken,
    )


def _auto(raw) -> bool:
    return raw is None or str(raw).strip().lower() in ("", "auto")


def _latency_reason(lat: LatencySizing) -> str:
    """What the targets cost: the replicas kept and the latency they achieve at the peak."""
    targets = " and ".join(
        f"{lat.percentile} {name} ≤ {format_seconds(x)}"
        for name, x in (("TTFT", lat.ttft_target_s), ("TPOT", lat.tpot_target_s))
        if x is not None
    )
    c = lat.chosen
    return (
        f"To keep {targets} at the peak hour ({lat.peak_request_rate:.3g} requests/s, {lat.peak_factor:.3g}x the "
        f"average), {lat.replicas:,} replica{'s' * (lat.replicas > 1)} of {c.gpus_per_replica} GPUs "
        f"(each sustains {c.replica_request_rate:.3g} requests/s within them): {lat.gpus:,} GPUs, the count priced "
        f"here. At that load: {lat.percentile} TTFT {format_seconds(lat.ttft_s)}, {lat.percentile} TPOT "
        f"{format_seconds(lat.tpot_s)}."
    )


def _best_reserved(t: Tco) -> str | None:
    """The cheaper reservation whose term fits the horizon, or None."""
    fit = [p for p in TERM_YEARS if t.paths[p].eligible]
    return min(fit, key=lambda p: t.paths[p].monthly_usd) if fit else None


def _owning_beats(t: Tco, rival: str | None, horizon_months: int) -> bool:
    """Buying costs less per month than `rival` and pays back against it within the horizon."""
    if rival is None:
        return True
    even = t.paths[rival].breakeven_months
    return t.paths["buy"].monthly_usd < t.paths[rival].monthly_usd and even is not None and even <= horizon_months


def _decide(s: Serving, t: Tco, compliance: str, volume: str, horizon: int):
    """(path, node ids taken, reasons) by the module docstring's tree."""
    c, paths, months = s.chosen, t.paths, 12 * horizon
    usd = {p: format_usd(paths[p].monthly_usd) for p in PATHS}
    reasons = [
        f"{s.requests_per_day:,} requests/day x {s.input_tokens + s.output_tokens:,} tokens at "
        f"{format_percent(s.utilization)} utilization need {c.replicas:,} replica{'s' * (c.replicas > 1)} of "
        f"{c.gpus_per_replica} x {s.gpu.name} ({format_int(c.tokens_per_s)} tokens/s each, batch {c.batch:,}): "
        f"{s.gpus:,} GPU{'s' * (s.gpus > 1)}.",
        f"Per month: buy {usd['buy']} (amortised over {t.depreciation_months / 12:g} years), reserved "
        f"{usd['reserved_1y']} (1 year) or {usd['reserved_3y']} (3 years), on-demand {usd['on_demand']}.",
    ]
    if s.efficiency == "calibrated":
        ideal_replicas = math.ceil(s.tokens_per_day / (c.ideal_tokens_per_s * SECONDS_PER_DAY * s.utilization))
        reasons.append(
            f"Speeds are calibrated on measured engine runs ({accuracy_text()}); the ideal roofline, an upper "
            f"bound no engine reaches, would claim {format_int(c.ideal_tokens_per_s)} tokens/s per replica "
            f"and {format_int(max(1, ideal_replicas) * c.gpus_per_replica)} GPUs."
        )
    best = _best_reserved(t)
    for p in TERM_YEARS:
        if not paths[p].eligible:
            reasons.append(f"{NOUNS[p].capitalize()} is left out: its term is longer than your horizon.")
    if compliance == "airgapped":
        even = paths["on_demand"].breakeven_months
        cheaper = min(PATHS, key=lambda p: paths[p].monthly_usd)
        reasons.append(
            "Air-gapped or regulated data: no cloud path qualifies, so buy"
            + (f"; it pays back against on-demand in {even:.1f} months." if even is not None else ".")
            + ("" if cheaper == "buy" else f" Renting would cost less ({usd[cheaper]} a month), but is not an option.")
        )
        return "buy", ("compliance", "airgapped"), reasons
    if compliance == "residency":
        own = _owning_beats(t, best, months)
        reasons.append(
            "Data residency: buy, or reserve in-region (on-demand capacity in one region is not guaranteed); "
            + ("owning is the cheaper of the two." if own else f"{NOUNS[best]} is the cheaper of the two.")
        )
        if own:
            return "buy", ("compliance", "residency", "residency-buy"), reasons
        return best, ("compliance", "residency", "residency-reserved"), reasons
    if volume != "steady":
        why = {
            "spiky": "Spiky volume: on-demand follows the load, while owned or reserved GPUs must be sized for the "
            "peak and sit idle in between (commit only to a steady base load, if there is one).",
            "unknown": "Unknown volume: start on-demand, measure utilization for a few weeks, then run this again.",
        }
        reasons.append(why[volume])
        return "on_demand", ("compliance", "volume", volume), reasons
    u, u_buy, even = s.utilization, t.breakeven_utilization, paths["on_demand"].breakeven_months
    pays = u_buy is not None and u >= u_buy and even is not None and even <= months
    if u_buy is None:
        reasons.append("On-demand is free at the price entered: buying never pays.")
    elif even is None:
        reasons.append("Running owned GPUs costs more per month than renting them on demand: buying never pays back.")
    elif u_buy > 1:
        reasons.append(
            f"Buying never pays: even fully busy, on-demand costs less than owning (it would take "
            f"{format_percent(u_buy)} utilization)."
        )
    else:
        reasons.append(
            f"Buying pays only above {format_percent(u_buy)} utilization (yours: {format_percent(u)}); against "
            f"on-demand it pays back in {even:.1f} months ({'within' if even <= months else 'beyond'} your "
            f"{months}-month horizon)."
        )
    if pays:
        if _owning_beats(t, best, months):
            reasons.append("Owning also costs less than any reservation that fits the horizon: buy.")
            return "buy", ("compliance", "volume", "steady", "own", "own-buy"), reasons
        reasons.append(f"But {NOUNS[best]} costs less than owning ({usd[best]} vs {usd['buy']} a month): reserve.")
        return best, ("compliance", "volume", "steady", "own", "own-reserved"), reasons
    if best is not None and paths[best].monthly_usd < paths["on_demand"].monthly_usd:
        reasons.append(
            f"{NOUNS[best].capitalize()} beats on-demand above {format_percent(t.reserved_utilization[best])} "
            "utilization: reserve."
        )
        return best, ("compliance", "volume", "steady", "rent", "rent-reserved"), reasons
    reasons.append("No reservation beats paying on demand at this utilization: rent on demand.")
    return "on_demand", ("compliance", "volume", "steady", "rent", "rent-on-demand"), reasons


def _tree(t: Tco, horizon: int) -> tuple[TreeNode, ...]:
    """The decision tree with this estimate's thresholds in its questions (depth-first order)."""
    best = _best_reserved(t)
    u_buy = "never" if t.breakeven_utilization is None else format_percent(t.breakeven_utilization)
    u_res = t.reserved_utilization.get(best) if best else None
    u_res = "—" if u_res is None else format_percent(u_res)
    reserve = f"Reserve ({TERM_YEARS[best]} y)" if best else "Reserve"
    return (
        TreeNode("compliance", None, "", "Compliance requirement?"),
        TreeNode("airgapped", "compliance", "air-gapped / regulated", "Buy: never rent", "buy"),
        TreeNode("residency", "compliance", "data residency", "Owning cheaper than reserving?"),
        TreeNode("residency-buy", "residency", "yes", "Buy", "buy"),
        TreeNode("residency-reserved", "residency", "no", reserve + " in-region", best),
        TreeNode("volume", "compliance", "none", "How steady is the volume?"),
        TreeNode("spiky", "volume", "spiky", "On-demand: follow the load", "on_demand"),
        TreeNode("unknown", "volume", "unknown", "On-demand: measure first", "on_demand"),
        TreeNode("steady", "volume", "steady", f"u ≥ {u_buy}, payback ≤ {12 * horizon} months?"),
        TreeNode("own", "steady", "yes", "Owning cheaper than reserving?"),
        TreeNode("own-buy", "own", "yes", "Buy", "buy"),
        TreeNode("own-reserved", "own", "no", reserve, best),
        TreeNode("rent", "steady", "no", f"u ≥ {u_res}: reserving beats on-demand?"),
        TreeNode("rent-reserved", "rent", "yes", reserve, best),
        TreeNode("rent-on-demand", "rent", "no", "On-demand", "on_demand"),
    )


def _notes(t: Tco) -> tuple[str, ...]:
    """Caveats about the prices used: defaults we could not verify, costs left out."""
    notes = []
    if t.prices["ops_usd_per_gpu_month"].default:
        notes.append("Operations (staff, support contracts, spares) are not included: enter your own per GPU-month.")
    shaky = [p.label for p in t.prices.values() if p.default and p.unverified]
    if shaky:
        notes.append(f"Unverified defaults: {', '.join(shaky)}; check them against a real quote.")
    return tuple(notes)
