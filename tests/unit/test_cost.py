"""Buy vs rent: breakeven arithmetic by hand, compliance rules, monotonic volume, the CLI contract, the widget."""

import json
import math
import subprocess
import sys
import timeit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.cost import estimate
from playground.errors import InputError
from playground.gpus import get_gpu
from playground.prices import FIGURES, SPECS, resolve
from playground.tco import PATHS, nice_ticks, tco
from playground.throughput import serving
from site_py import cost as cost_widget
from site_py import widget
from tests.conftest import ROOT

H100 = get_gpu("h100-sxm")
# A hand-checkable owner: 1 kW per GPU (700 W TDP + 300 W server), $28,000 per GPU with its server share.
HAND = {
    "gpu_price_usd": 27_000,
    "server_price_usd": 8_000,  # / 8 GPUs per server = $1,000 per GPU
    "server_watts_per_gpu": 300,
    "usd_per_kwh": 0.10,
    "pue": 1.5,
    "colo_usd_per_kw_month": 100,
    "ops_usd_per_gpu_month": 40.5,
    "depreciation_years": 4,
    "on_demand_usd_per_gpu_hour": 2.0,
    "reserved_1y_usd_per_gpu_hour": 1.5,
    "reserved_3y_usd_per_gpu_hour": 1.0,
}
PRICE_FIELDS = [s.key for s in SPECS]


def _json(result) -> str:
    return json.dumps(result.as_dict(), allow_nan=False)


def test_breakeven_by_hand():
    """Owning one GPU: capex, opex, monthly cost, breakeven and thresholds match arithmetic done by hand."""
    t = tco(H100, 1, 1e9, 0.5, 5, HAND)
    # capex = 27,000 + 8,000 / 8 = 28,000
    assert t.capex_usd == pytest.approx(28_000)
    # power = 1 kW x 1.5 PUE x 730 h x $0.10 = $109.50; colo = 1 kW x $100 = $100; ops = $40.50; opex = $250
    assert t.power_usd_per_month == pytest.approx(109.5)
    assert t.opex_usd_per_month == pytest.approx(250)
    # buy = 28,000 / (4 x 12) + 250 = 583.33 + 250 = 833.33 a month
    assert t.paths["buy"].monthly_usd == pytest.approx(833.3333333)
    # on-demand at 50%: 730 h x 0.5 x $2 = $730; breakeven = 28,000 / (730 - 250) = 58.33 months
    assert t.paths["on_demand"].monthly_usd == pytest.approx(730)
    assert t.paths["on_demand"].breakeven_months == pytest.approx(58.333333)
    # 1-year reserved: 730 x $1.50 = $1,095; breakeven = 28,000 / (1,095 - 250) = 33.14 months
    assert t.paths["reserved_1y"].breakeven_months == pytest.approx(33.136095)
    # buying pays above 833.33 / (730 x $2) = 57.08%; 1-year reserving beats on-demand above 1.5 / 2 = 75%
    assert t.breakeven_utilization == pytest.approx(0.570776)
    assert t.reserved_utilization["reserved_1y"] == pytest.approx(0.75)
    # 50% is below the 57% threshold: 58.33 months is beyond the 48-month life, so the chart marks nothing
    assert t.breakeven_point is None
    busy = tco(H100, 1, 1e9, 0.8, 5, HAND)
    # at 80%: 730 x 0.8 x $2 = $1,168; 28,000 / (1,168 - 250) = 30.50 months, where both lines reach $35,625
    assert busy.breakeven_point == pytest.approx((30.501089, 35_625.272))


def test_breakeven_is_null_when_renting_costs_less_than_running():
    """On-demand below the owner's running cost never breaks even: null, not infinity or a negative."""
    t = tco(H100, 1, 1e9, 0.5, 5, {**HAND, "on_demand_usd_per_gpu_hour": 0.5})
    # 730 x 0.5 x $0.50 = $182.50 < $250 opex: the gap never closes
    assert t.paths["on_demand"].breakeven_months is None
    assert t.breakeven_point is None


def test_free_on_demand_leaves_thresholds_undefined():
    """A zero on-demand price gives null thresholds, never a division by zero."""
    e = estimate("llama-3.1-8b", "bf16", 1000, prices={**HAND, "on_demand_usd_per_gpu_hour": 0})
    assert e.tco.breakeven_utilization is None
    assert e.tco.reserved_utilization == {"reserved_1y": None, "reserved_3y": None}
    assert e.recommendation != "buy"
    _json(e)


def test_hardware_is_bought_again_after_its_life():
    """A horizon longer than the depreciation life buys the hardware twice (cash view)."""
    t = tco(H100, 1, 1e9, 0.5, 6, HAND)  # 72 months, 48-month life: purchases at 0 and 48
    # total = 2 x 28,000 + 250 x 72 = 74,000
    assert t.paths["buy"].horizon_usd == pytest.approx(74_000)
    assert [m for m, _ in t.series["buy"]] == [0, 48, 48, 72]


def test_default_prices_are_dated_and_sourced():
    """H100 defaults (shared/reference/prices-2026.md): $30k street price (aiinframap 2026), a $317k HGX node quote
    less 8 GPUs, 575 W, EIA 2025 industrial 8.61 ¢/kWh, Uptime 2025 PUE 1.54, CBRE year-end 2025 $194.95/kW, 5 years;
    GPU clouds $3.20-3.99 per GPU-hour (Hyperstack to Lambda), AWS p5 $6.88; GCP's H100 commitments -30.6% / -56.1%."""
    p = {k: v.value for k, v in resolve(H100).items()}
    assert p["gpu_price_usd"] == 30_000 and p["server_price_usd"] == 317_000 - 8 * 30_000
    assert p["server_watts_per_gpu"] == 575  # (10,200 W - 8 x 700 W) / 8
    assert (p["usd_per_kwh"], p["pue"], p["colo_usd_per_kw_month"], p["depreciation_years"]) == (
        0.0861,
        1.54,
        194.95,
        5,
    )
    assert p["on_demand_usd_per_gpu_hour"] == pytest.approx((3.20 + 3.99) / 2)
    assert p["reserved_1y_usd_per_gpu_hour"] == pytest.approx(3.595 * (1 - 0.306))
    assert p["reserved_3y_usd_per_gpu_hour"] == pytest.approx(3.595 * (1 - 0.60))
    hyper = {k: v.value for k, v in resolve(H100, rates="hyperscaler").items()}
    assert hyper["on_demand_usd_per_gpu_hour"] == 6.88  # AWS p5.48xlarge $55.04/h / 8, after the June 2025 cut
    assert hyper["reserved_1y_usd_per_gpu_hour"] == pytest.approx(6.88 * (1 - 0.306))  # GCP a3-highgpu CUD 1 year
    assert hyper["reserved_3y_usd_per_gpu_hour"] == pytest.approx(6.88 * (1 - 0.561))  # and 3 years
    assert all(f.source and f.as_of for f in FIGURES)
    used = resolve(H100)
    assert all(u.source and u.as_of for k, u in used.items() if k != "ops_usd_per_gpu_month")
    assert used["reserved_3y_usd_per_gpu_hour"].unverified and used["server_price_usd"].unverified
    assert not resolve(H100, rates="hyperscaler")["reserved_3y_usd_per_gpu_hour"].unverified  # a published price


def test_hyperscaler_rates_make_owning_pay_sooner():
    """Renting from a hyperscaler (AWS list) costs more per hour than from a GPU cloud, so buying breaks even sooner."""
    cloud = estimate("llama-3.1-70b", "fp8", 1_000_000)
    hyper = estimate("llama-3.1-70b", "fp8", 1_000_000, rates="hyperscaler")
    assert hyper.tco.rates == "hyperscaler" and cloud.tco.rates == "gpu_cloud"
    assert hyper.tco.paths["on_demand"].monthly_usd > cloud.tco.paths["on_demand"].monthly_usd
    assert hyper.tco.breakeven_utilization < cloud.tco.breakeven_utilization
    with pytest.raises(InputError) as err:
        estimate("llama-3.1-70b", "fp8", 1_000_000, rates="cheapest")
    assert err.value.field == "rates"


def test_missing_price_is_an_input_error_on_its_field():
    """A GPU without a dated purchase price asks for one on that field; typing one makes it work."""
    with pytest.raises(InputError) as err:
        estimate("llama-3.1-8b", "bf16", 1000, gpu="l4")
    assert err.value.field == "gpu_price_usd"
    assert estimate("llama-3.1-8b", "bf16", 1000, gpu="l4", prices={"gpu_price_usd": "2500"}).serving.gpus >= 1


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"requests_per_day": "abc"}, "requests_per_day"),
        ({"requests_per_day": "0"}, "requests_per_day"),
        ({"requests_per_day": "-5"}, "requests_per_day"),
        ({"requests_per_day": "1e15"}, "requests_per_day"),
        ({"requests_per_day": ""}, "requests_per_day"),
        ({"input_tokens": "0"}, "input_tokens"),
        ({"output_tokens": "200000"}, "output_tokens"),
        ({"utilization_percent": "0"}, "utilization_percent"),
        ({"utilization_percent": "150"}, "utilization_percent"),
        ({"horizon_years": "2.5"}, "horizon_years"),
        ({"horizon_years": "11"}, "horizon_years"),
        ({"compliance": "maybe"}, "compliance"),
        ({"volume": "lumpy"}, "volume"),
        ({"gpu": "tpu"}, "gpu"),
        ({"precision": "fp6"}, "precision"),
        ({"efficiency": "custom", "efficiency_percent": "0"}, "efficiency_percent"),
        ({"efficiency": "fast"}, "efficiency"),
        ({"prices": {"gpu_price_usd": "-1"}}, "gpu_price_usd"),
        ({"prices": {"server_price_usd": ""}}, "server_price_usd"),
        ({"prices": {"pue": "0.9"}}, "pue"),
        ({"prices": {"depreciation_years": "0"}}, "depreciation_years"),
        ({"prices": {"usd_per_kwh": "nan"}}, "usd_per_kwh"),
        ({"prices": {"on_demand_usd_per_gpu_hour": "1e400"}}, "on_demand_usd_per_gpu_hour"),
    ],
)
def test_bad_input_names_its_field(kwargs, field):
    """Each bad input raises an InputError naming the widget field it came from."""
    args = {"model": "llama-3.1-70b", "precision": "fp8", "requests_per_day": 1000, **kwargs}
    with pytest.raises(InputError) as err:
        estimate(**args)
    assert err.value.field == field


def test_model_too_big_for_context():
    """Input plus output beyond the model's context window is refused on the output field."""
    with pytest.raises(InputError) as err:
        estimate("llama-2-7b", "bf16", 10, input_tokens=4000, output_tokens=200)
    assert err.value.field == "output_tokens"


_volumes = st.integers(1, 10**9)
_util = st.integers(5, 100)
_prices = st.fixed_dictionaries(
    {
        s.key: st.floats(max(s.minimum, 0.1 if s.key == "depreciation_years" else 0), min(s.maximum, 50_000))
        for s in SPECS
    }
)


@settings(max_examples=40, deadline=None)
@given(
    _volumes,
    _volumes,
    _util,
    st.sampled_from(["llama-3.1-8b", "llama-3.1-70b", "mixtral-8x7b", "deepseek-v3"]),
    st.sampled_from(["h100-sxm", "b200", "mi300x"]),
)
def test_more_requests_never_fewer_gpus_or_lower_cost(a, b, util, model, gpu):
    """More requests per day never needs fewer GPUs nor costs less per month on any path."""
    lo, hi = sorted((a, b))
    small = estimate(model, "fp8", lo, gpu=gpu, utilization_percent=util)
    large = estimate(model, "fp8", hi, gpu=gpu, utilization_percent=util)
    assert large.serving.gpus >= small.serving.gpus >= small.serving.memory_min_gpus
    for path in PATHS:
        assert large.tco.paths[path].monthly_usd >= small.tco.paths[path].monthly_usd


@settings(max_examples=60, deadline=None)
@given(
    _volumes,
    _util,
    st.sampled_from(["none", "residency", "airgapped"]),
    st.sampled_from(["steady", "spiky", "unknown"]),
    st.integers(1, 10),
    _prices,
)
def test_compliance_rules_and_sane_numbers(requests, util, compliance, volume, horizon, prices):
    """Air-gapped always buys, residency never rents on demand, costs are never negative, JSON has no NaN."""
    e = estimate(
        "llama-3.1-70b",
        "fp8",
        requests,
        prices=prices,
        compliance=compliance,
        volume=volume,
        utilization_percent=util,
        horizon_years=horizon,
    )
    if compliance == "airgapped":
        assert e.recommendation == "buy"
    if compliance == "residency":
        assert e.recommendation != "on_demand"
    t = e.tco
    assert e.recommendation == "buy" or t.paths[e.recommendation].eligible  # no term beyond the horizon
    for c in t.paths.values():
        assert c.monthly_usd >= 0 and c.usd_per_million_tokens >= 0 and c.horizon_usd >= 0
        assert c.breakeven_months is None or c.breakeven_months >= 0
    assert min(usd for line in t.series.values() for _, usd in line) >= 0
    leaf = {n.id: n for n in e.tree}[e.taken[-1]]
    assert leaf.leaf == e.recommendation  # the highlighted leaf is the answer
    _json(e)  # allow_nan=False raises on NaN or infinity


@settings(max_examples=40, deadline=None)
@given(_volumes, _util, st.integers(1, 10), _prices)
def test_steady_recommendation_is_the_cheapest_that_qualifies(requests, util, horizon, prices):
    """Without constraints and with a steady load, no eligible path costs less per month than the one chosen,
    except buying when it would not pay back within the horizon."""
    e = estimate("llama-3.1-8b", "bf16", requests, prices=prices, utilization_percent=util, horizon_years=horizon)
    paths = e.tco.paths
    chosen = paths[e.recommendation].monthly_usd
    for p, c in paths.items():
        if not c.eligible or (p == "buy" and e.recommendation != "buy"):
            continue
        assert chosen <= c.monthly_usd + 1e-9, (e.recommendation, p)


def test_replicas_cover_the_volume_and_no_fewer_would():
    """The replica count serves the volume at the utilization asked, and one replica fewer would not."""
    s = serving("llama-3.1-70b", "fp8", "h100-sxm", 20_000_000, utilization=0.6)
    c = s.chosen
    capacity_tokens_per_day = c.tokens_per_s * 86_400 * 0.6
    assert c.replicas * capacity_tokens_per_day >= s.tokens_per_day
    assert (c.replicas - 1) * capacity_tokens_per_day < s.tokens_per_day
    assert s.gpus == c.replicas * c.gpus_per_replica and c.gpus_per_replica >= s.memory_min_gpus
    assert c.batch <= s.max_num_seqs == 1024


def test_nice_ticks_cover_the_top():
    """Axis ticks start at 0, step by 1, 2 or 5 x 10^k and reach the highest value."""
    assert nice_ticks(371_291) == (0, 100_000, 200_000, 300_000, 400_000)
    assert nice_ticks(0) == (0.0, 1.0)
    assert nice_ticks(95)[-1] >= 95


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "playground", "cost", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_cli_json_contract():
    """--json prints one document with the contract's keys, per-path objects and null for 'never'."""
    proc = _cli("--model", "llama-3.1-70b", "--precision", "fp8", "--requests-per-day", "1000000", "--json")
    assert proc.returncode == 0 and proc.stderr == ""
    data = json.loads(proc.stdout)
    for key in ("recommendation", "gpus_needed", "monthly_usd", "breakeven_months", "usd_per_million_tokens"):
        assert key in data
    assert set(data["monthly_usd"]) == set(data["usd_per_million_tokens"]) == set(PATHS)
    assert data["recommendation"] in PATHS and data["reasons"]
    never = _cli(
        "--model", "llama-3.1-8b", "--precision", "bf16", "--requests-per-day", "100",
        "--on-demand-usd-per-gpu-hour", "0.01", "--json",
    )  # fmt: skip
    assert json.loads(never.stdout)["breakeven_months"] is None


@pytest.mark.parametrize(
    "args",
    [
        ["--requests-per-day", "abc"],
        ["--requests-per-day", "-1"],
        ["--requests-per-day", "1e15"],
        ["--requests-per-day", "100", "--gpu-price-usd", "-5"],
        ["--requests-per-day", "100", "--compliance", "sometimes"],
        ["--requests-per-day", "100", "--gpu", "l4"],
        ["--requests-per-day", "100", "--pue", "nan"],
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(args):
    """Bad input: exit code 2, nothing on stdout, one line on stderr."""
    proc = _cli("--model", "llama-3.1-70b", "--precision", "fp8", *args, "--json")
    assert proc.returncode == 2 and proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_widget_renders_the_cli_numbers_and_flags_fields():
    """The widget's outputs carry the engine's numbers; a bad field is reported on that field."""
    values = widget.defaults(cost_widget)
    html, error = widget.update(cost_widget, values)
    assert error is None
    data = estimate("llama-3.1-70b", "fp8", 1_000_000).as_dict()
    assert f'data-key="gpus_needed" data-value="{data["gpus_needed"]}"' in html
    assert f'data-value="{data["monthly_usd"]["buy"]!r}"' in html
    assert "pg-cost-breakeven" in html and "pg-cost-tree" in html
    for field, bad in [("requests_per_day", "1e15"), ("gpu_price_usd", "-1"), ("pue", "0.5"), ("horizon_years", "0")]:
        assert widget.update(cost_widget, {**values, field: bad})[1][0] == field


def test_widget_update_is_fast():
    """One widget update (the engine plus the HTML) takes under 16 ms in CPython."""
    values = widget.defaults(cost_widget)
    widget.update(cost_widget, values)
    best = min(timeit.repeat(lambda: cost_widget.render(values), number=5, repeat=5)) / 5  # update would hit its cache
    assert best < 0.016, f"{best * 1000:.1f} ms"


def test_formulas_render_and_stay_finite():
    """Every formula of the chain plugs in finite numbers."""
    e = estimate("deepseek-v3", "fp8", 5_000_000, gpu="b200", compliance="residency")
    terms = [t for t in e.as_dict()["terms"]]
    assert terms and all(math.isfinite(t["value"]) and "=" in t["plugged"] for t in terms)
