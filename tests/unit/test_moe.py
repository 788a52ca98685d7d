"""MoE vs dense: distinct experts per batch, bytes read per token, known active counts, the toy router, the CLI."""

import json
import math
import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from playground.architecture import param_breakdown
from playground.errors import InputError
from playground.models import get_model
from playground.moe import MOE_STEP, batch_read, compare, crossover_batch, dense_ids, moe_ids
from playground.precision import get_precision
from playground.roofline import EXPERTS_TOUCHED, weights_bytes_read
from playground.router import TOKENS, parse_seed, route

ROOT = Path(__file__).resolve().parents[2]
FP8 = get_precision("fp8")


def _simulated_distinct(experts: int, top_k: int, batch: int, trials: int, seed: int) -> tuple[float, float]:
    """Mean and standard error of the distinct experts a batch touches when each token picks k uniformly."""
    rng = random.Random(seed)
    counts = []
    for _ in range(trials):
        touched = set()
        for _ in range(batch):
            touched.update(rng.sample(range(experts), top_k))
        counts.append(len(touched))
    mean = sum(counts) / trials
    var = sum((c - mean) ** 2 for c in counts) / (trials - 1)
    return mean, math.sqrt(var / trials)


@pytest.mark.parametrize(
    "experts,top_k,batch",
    [(8, 2, 1), (8, 2, 4), (32, 4, 8), (128, 8, 16), (256, 8, 32), (256, 8, 128)],
)
def test_distinct_experts_formula_matches_a_seeded_simulation(experts, top_k, batch):
    """E(1-(1-k/E)^B) agrees with a Monte Carlo of uniform top-k routing within 4 standard errors.

    The seed is fixed, so the test is deterministic; 4 standard errors would be crossed by chance with
    probability ~6e-5 for an unlucky seed, and the formula is exact for this process (linearity of
    expectation over experts), so any real error in it shows up as a far larger gap.
    """
    mean, stderr = _simulated_distinct(experts, top_k, batch, trials=2000, seed=20251128 + batch)
    expected = EXPERTS_TOUCHED(experts=experts, top_k=top_k, batch=batch).value
    assert abs(mean - expected) <= 4 * stderr + 1e-9
    if batch == 1:
        assert expected == pytest.approx(top_k) and stderr == 0


def test_mixtral_active_parameters_match_the_model_card():
    """Mixtral 8x7B: 46.7B total, 12.9B used per token (Mistral AI, 'Mixtral of experts', 2023-12-11), within 0.5%."""
    side = compare("llama-3.1-70b", "mixtral-8x7b").moe
    assert side.params_total == pytest.approx(46.7e9, rel=0.005)
    assert side.params_active == pytest.approx(12.9e9, rel=0.005)
    assert (side.experts, side.top_k, side.shared_experts) == (8, 2, 0)


def test_gpt_oss_active_count_leaves_out_the_embedding():
    """gpt-oss-120b: OpenAI's 5.13B active excludes the embedding table, which matches our compute count within 0.5%."""
    side = compare("llama-3.1-70b", "gpt-oss-120b").moe
    assert side.params_active_compute == pytest.approx(5.13e9, rel=0.005)
    assert side.params_active > side.params_active_compute


def test_default_comparison_numbers():
    """Llama 3.1 70B vs GLM-5 at FP8, batch 32: FLOPs are 2 x active, 8 then ~163 of 256 experts touched."""
    c = compare()
    assert (c.dense.model.id, c.moe.model.id, c.batch) == ("llama-3.1-70b", "glm-5", 32)
    for side in (c.dense, c.moe):
        assert side.flops_per_token == 2 * side.params_active_compute
        assert side.weights_bytes == pytest.approx(side.params_total * FP8.effective_bits / 8)
    assert c.moe.batch_1.experts_touched == pytest.approx(8)
    assert c.moe.batch_b.experts_touched == pytest.approx(256 * (1 - (1 - 8 / 256) ** 32))
    assert c.dense.batch_b.experts_touched is None


@pytest.mark.parametrize("moe_id", moe_ids())
def test_batch_one_reads_exactly_the_active_weights(moe_id):
    """At batch 1 an MoE step reads its active (non-embedding) parameters, and the shown formula equals roofline's."""
    model = get_model(moe_id)
    p = param_breakdown(model.arch)
    one = batch_read(model, FP8, 1)
    assert one.weights_read_bytes == pytest.approx(p.active_compute * FP8.bytes_per_weight, rel=1e-12)
    for batch in (1, 7, 64):
        read = batch_read(model, FP8, batch)
        step = next(t for t in read.terms if t.formula is MOE_STEP)
        assert step.value == weights_bytes_read(model.arch, FP8.bytes_per_weight, batch)[0]


@pytest.mark.parametrize("moe_id", moe_ids())
def test_experts_touched_grows_with_batch_and_saturates_at_e(moe_id):
    """Distinct experts rise with the batch, never pass E, and reach E for huge batches."""
    model = get_model(moe_id)
    e, k = model.arch.n_routed_experts, model.arch.num_experts_per_tok
    touched = [batch_read(model, FP8, b).experts_touched for b in (1, 2, 4, 8, 16, 32, 64, 128, 256, 1024)]
    assert touched[0] == pytest.approx(k)
    assert all(a < b or b == pytest.approx(e) for a, b in zip(touched, touched[1:]))
    assert all(t <= e for t in touched)
    assert batch_read(model, FP8, 100_000).experts_touched == pytest.approx(e)


@given(
    experts=st.integers(1, 512),
    data=st.data(),
    batch=st.integers(1, 10_000),
)
def test_experts_touched_bounds_hold_for_any_shape(experts, data, batch):
    """For any E, k <= E and B: k <= touched(B) <= E and touched(B + 1) >= touched(B)."""
    top_k = data.draw(st.integers(1, experts))
    now = EXPERTS_TOUCHED(experts=experts, top_k=top_k, batch=batch).value
    after = EXPERTS_TOUCHED(experts=experts, top_k=top_k, batch=batch + 1).value
    assert top_k - 1e-9 <= now <= experts + 1e-9
    assert after >= now - 1e-9


@pytest.mark.parametrize("model_id", dense_ids()[:3] + moe_ids())
def test_bytes_read_per_token_falls_with_batch(model_id):
    """Weight bytes per generated token fall strictly as the batch grows, for dense and MoE models alike."""
    model = get_model(model_id)
    per_token = [batch_read(model, FP8, b).bytes_per_token for b in (1, 2, 4, 8, 32, 128, 1024)]
    assert all(a > b for a, b in zip(per_token, per_token[1:]))


def test_dense_step_reads_the_same_bytes_whatever_the_batch():
    """A dense model's step reads all its (non-embedding) weights at any batch."""
    model = get_model("llama-3.1-70b")
    assert batch_read(model, FP8, 1).weights_read_bytes == batch_read(model, FP8, 512).weights_read_bytes


@pytest.mark.parametrize("moe_id", moe_ids())
def test_moe_advantage_shrinks_with_batch(moe_id):
    """The dense/MoE bytes-per-token ratio is lower at batch 32 than at batch 1 for every MoE in the catalog."""
    c = compare("llama-3.1-70b", moe_id, batch=32)
    assert c.read_ratio_b.value < c.read_ratio_1.value


def test_crossover_batch():
    """GLM-5 reads more weight bytes per step than Llama 3.1 70B from batch 3; Mixtral never does."""
    dense, glm = get_model("llama-3.1-70b"), get_model("glm-5")
    at = crossover_batch(dense, glm, FP8)
    target = batch_read(dense, FP8, 1).weights_read_bytes
    assert at == 3
    assert batch_read(glm, FP8, at).weights_read_bytes >= target > batch_read(glm, FP8, at - 1).weights_read_bytes
    assert crossover_batch(dense, get_model("mixtral-8x7b"), FP8) is None


def test_decode_uses_the_roofline_with_kv_reads():
    """Decode time is the slower of streaming weights + the batch's KV and computing 2 x active x B FLOPs."""
    c = compare(batch=8, context_tokens=1000, gpu="h100-sxm", gpus=8)
    for side in (c.dense, c.moe):
        kv = 8 * 1000 * side.kv_bytes_per_token
        mem = (side.batch_b.weights_read_bytes + kv) / (8 * 3.35e12)
        assert side.decode_b.memory_time_s == pytest.approx(mem, rel=1e-12)
        assert side.decode_b.tokens_per_s == pytest.approx(8 / side.decode_b.time_s)


def test_memory_check_flags_what_does_not_fit():
    """GLM-5 at BF16 (1.49 TB of weights) does not fit one H100 node; the warning names it."""
    c = compare("llama-3.1-70b", "glm-5", "bf16", 1, 1024, "h100-sxm", 8)
    assert c.dense.fits and not c.moe.fits
    assert any("GLM-5 does not fit" in w for w in c.warnings)


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"dense_id": "glm-5"}, "dense"),
        ({"moe_id": "llama-3.1-70b"}, "moe"),
        ({"moe_id": "gpt-5"}, "moe"),
        ({"precision": "fp3"}, "precision"),
        ({"batch": 0}, "batch"),
        ({"batch": "-3"}, "batch"),
        ({"batch": "1e9"}, "batch"),
        ({"batch": "abc"}, "batch"),
        ({"batch": ""}, "batch"),
        ({"batch": "2.5"}, "batch"),
        ({"context_tokens": "0"}, "context"),
        ({"gpu": "tpu-v9"}, "gpu"),
        ({"gpus": "0"}, "gpus"),
        ({"seed": "abc"}, "seed"),
        ({"seed": "-1"}, "seed"),
        ({"seed": str(2**32)}, "seed"),
    ],
)
def test_bad_input_names_its_field(kwargs, field):
    """Each bad input raises InputError naming the widget field it came from."""
    with pytest.raises(InputError) as err:
        compare(**kwargs)
    assert err.value.field == field
    assert "\n" not in str(err.value)


def test_a_dense_model_on_the_moe_side_is_explained():
    """Giving a dense model as the MoE says so and lists the MoE choices."""
    with pytest.raises(InputError, match="llama-3.1-70b is a dense model.*mixtral-8x7b"):
        compare("llama-3.1-8b", "llama-3.1-70b")


# --- the toy router ---


@pytest.mark.parametrize("experts,top_k,shared", [(8, 2, 0), (32, 4, 0), (128, 8, 0), (256, 8, 1)])
def test_router_picks_k_distinct_best_experts_with_gates_summing_to_one(experts, top_k, shared):
    """Top-k are distinct, are the k highest scores, best first; scores and gates each sum to 1."""
    trace = route(experts, top_k, 42, shared)
    assert len(trace.tokens) == len(TOKENS) and trace.shared_experts == shared
    for tok in trace.tokens:
        assert len(tok.experts) == top_k == len(set(tok.experts))
        assert all(0 <= e < experts for e in tok.experts)
        ranked = sorted(range(experts), key=lambda e: -tok.scores[e])
        assert {tok.scores[e] for e in tok.experts} == {tok.scores[e] for e in ranked[:top_k]}
        assert list(tok.gates) == sorted(tok.gates, reverse=True)
        assert math.fsum(tok.scores) == pytest.approx(1, abs=1e-12)
        assert math.fsum(tok.gates) == pytest.approx(1, abs=1e-12)
        assert tok.gate_term.value == tok.gates[0]


def test_router_same_seed_same_routes_other_seed_other_routes():
    """The router is reproducible from its seed (also without the cache) and a new seed reshuffles it."""
    first = route.__wrapped__(256, 8, 7, 1)
    again = route.__wrapped__(256, 8, "7", 1)
    other = route.__wrapped__(256, 8, 8, 1)
    assert first.as_dict() == again.as_dict()
    assert [t.experts for t in first.tokens] != [t.experts for t in other.tokens]


def test_router_spreads_tokens_over_many_experts():
    """Different tokens of one sequence go to different experts (the toy is not stuck on a few)."""
    trace = route(256, 8, 42, 1)
    assert len({e for t in trace.tokens for e in t.experts}) > 40


@pytest.mark.parametrize("bad", ["", "abc", "-1", "1.5", "nan", "inf", str(2**32)])
def test_seed_must_be_a_whole_number_in_range(bad):
    """Empty, text, negative, fractional, non-finite or over-range seeds are refused for the seed field."""
    with pytest.raises(InputError) as err:
        parse_seed(bad)
    assert err.value.field == "seed"


# --- the CLI, run as a user would ---


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "playground", "moe", *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_cli_json_is_one_document_with_both_sides():
    """`moe --json` prints one JSON document with the contract's keys for dense and moe, plus decode speeds."""
    result = _cli("--dense", "llama-3.1-70b", "--moe", "glm-5", "--batch", "64", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    for side in ("dense", "moe"):
        record = data[side]
        for key in ("params_total", "params_active", "flops_per_token", "weights_bytes"):
            assert isinstance(record[key], int | float)
        assert set(record["bytes_read_per_token"]) == {"batch_1", "batch_b"}
        assert record["decode_tokens_per_s"]["batch_b"] > 0
    assert data["dense"]["experts_touched"] is None
    assert data["moe"]["experts_touched"]["batch_b"] == pytest.approx(256 * (1 - (1 - 8 / 256) ** 64))
    assert data["batch"] == 64 and len(data["router"]["tokens"]) == len(TOKENS)
    assert data == json.loads(json.dumps(compare(batch=64).as_dict()))  # the CLI is the engine, nothing added


def test_cli_text_output():
    """Without --json the CLI prints a readable side-by-side table and the formulas."""
    result = _cli("--dense", "mistral-7b", "--moe", "mixtral-8x7b")
    assert result.returncode == 0, result.stderr
    assert "Mixtral 8x7B" in result.stdout and "E_u = 8 × (1 − (1 − 2 / 8) ^ 32)" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("--dense", "llama-3.1-70b", "--moe", "llama-3.1-8b"),
        ("--dense", "glm-5", "--moe", "glm-5"),
        ("--dense", "llama-3.1-70b", "--moe", "glm-5", "--batch", "0"),
        ("--dense", "llama-3.1-70b", "--moe", "glm-5", "--batch", "abc"),
        ("--dense", "llama-3.1-70b", "--moe", "glm-5", "--gpu", "nope"),
        ("--dense", "llama-3.1-70b", "--moe", "glm-5", "--seed", "-1"),
        ("--dense", "llama-3.1-70b"),
    ],
)
def test_cli_bad_input_exits_2_with_one_line(args):
    """Bad input: exit code 2 and exactly one line on stderr, nothing on stdout."""
    result = _cli(*args, "--json")
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("error:")
