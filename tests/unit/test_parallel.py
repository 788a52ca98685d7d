"""Parallelism: the recommendation rules, traffic per decode step, the bubble, the widget's SVG and the CLI."""

import json
import re
import subprocess
import sys
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground import comm
from playground.errors import InputError
from playground.gpus import GPUS, get_gpu
from playground.models import MODELS, get_model
from playground.overhead import kv_replication
from playground.parallel import plan
from playground.recommend import fit_counts
from playground.splits import stage_layers, tp_problem
from site_py import parallel as widget
from site_py.widget import defaults, update
from tests.conftest import ROOT


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "playground", "parallel", *args], cwd=ROOT, capture_output=True, text=True
    )


# --- the rules ---------------------------------------------------------------------------------------------


def test_8b_on_8_gpus_is_eight_replicas():
    """Llama 3.1 8B fits one H100, so 8 GPUs are 8 data-parallel replicas and send nothing per token."""
    p = plan("llama-3.1-8b", 8)
    r = p.recommended
    assert (r.tp, r.pp, r.dp, p.ep) == (1, 1, 8, 1) and r.fits
    assert r.comm_bytes_per_step == 0 and "data-parallel replicas" in p.reasons[0]


def test_70b_bf16_on_8_h100_uses_tp_inside_the_node():
    """Llama 3.1 70B BF16 (141 GB) needs tensor parallelism inside the NVLink node, the rest replicas."""
    p = plan("llama-3.1-70b", 8, "h100-sxm", "bf16")
    r = p.recommended
    assert 1 < r.tp <= 8 and r.pp == 1 and r.tp * r.dp == 8 and r.fits
    assert (r.tp, r.dp) == (4, 2)  # 16 users: 8 per replica fit at TP 4 (46 GB of 76.6), not at TP 2 (81 GB)
    assert "tensor parallelism" in p.reasons[0] and "NVLink 4" in p.reasons[0]


def test_405b_bf16_on_16_h100_is_tp8_across_pp2():
    """Llama 3.1 405B BF16 outgrows one node: TP 8 inside each node, 2 pipeline stages across the network."""
    p = plan("llama-3.1-405b", 16, "h100-sxm", "bf16")
    r = p.recommended
    assert (r.tp, r.pp, r.dp) == (8, 2, 1) and r.fits and p.nodes == 2
    assert comm.NETWORK.name in r.links and "pipeline stages span the nodes" in p.reasons[0]


def test_the_recommended_group_is_the_engines_smallest_fit():
    """The group size equals what recommend.fit_counts picks for one replica's share of the users."""
    p = plan("llama-3.1-70b", 8)
    s = p.setup
    one_copy = p.recommended.users_per_replica * s.context_tokens * s.kv_bytes_per_token
    assert fit_counts(s.arch, s.weights.value, one_copy, s.gpu, s.settings).gpu_count == p.group_gpus


@pytest.mark.parametrize("model,gpus,ep,per_gpu", [("mixtral-8x7b", 8, 8, 1), ("deepseek-v3", 32, 8, 32)])
def test_moe_models_offer_expert_parallelism(model, gpus, ep, per_gpu):
    """An MoE model gets an EP option whose degree divides its routed experts; a dense model does not."""
    p = plan(model, gpus)
    option = p.strategy("ep")
    assert option.valid and (p.ep, p.experts_per_gpu) == (ep, per_gpu)
    assert p.ep * p.experts_per_gpu == get_model(model).arch.n_routed_experts
    assert any("expert parallelism (EP" in line for line in p.reasons)
    assert plan("llama-3.1-70b", 8).strategy("ep") is None


def test_ep_across_replicas_frees_memory():
    """With EP spanning the replicas' GPUs, expert weights are stored once, so the per-GPU need drops."""
    p = plan("mixtral-8x7b", 8)
    assert p.strategy("ep").per_gpu_bytes < p.recommended.per_gpu_bytes


def test_pcie_gpus_are_told_tp_is_slow_and_to_consider_pp():
    """On PCIe-only L40S the reasons compare the all-reduce time with NVLink and suggest pipeline parallelism."""
    p = plan("llama-3.1-70b", 8, "l40s")
    line = next(x for x in p.reasons if "no NVLink" in x)
    assert "pipeline parallelism" in line
    pcie, nvlink = p.link_times[0], p.link_times[1]
    assert pcie.link.name.startswith("PCIe") and nvlink.link.name == "NVLink 4"
    assert pcie.time_s == pytest.approx(p.tp_bytes_per_step / 32e9)  # PCIe 4.0 x16: 64 GB/s both ways
    assert pcie.time_s > 10 * nvlink.time_s


def test_tp_must_divide_the_heads():
    """Qwen2.5 7B's 28 heads rule out TP 8; the TP-only strategy says why."""
    p = plan("qwen2.5-7b", 8)
    tp_only = p.strategy("tp")
    assert not tp_only.valid and "28 attention heads" in tp_only.note
    assert tp_only.as_dict()["per_gpu_bytes"] is None


def test_tp_must_divide_or_multiply_the_kv_heads():
    """vLLM splits KV heads when TP divides them and copies them when TP is a multiple; 3 KV heads refuse TP 2."""
    arch = replace(get_model("llama-3.1-8b").arch, num_attention_heads=24, num_key_value_heads=3)
    assert tp_problem(arch, 2) == "TP must divide the 3 KV heads or be a multiple of them"
    assert tp_problem(arch, 3) == "" and tp_problem(arch, 6) == "" and tp_problem(arch, 5) != ""
    assert plan(arch, 2).strategy("tp").valid is False
    assert tp_problem(get_model("deepseek-v3").arch, 8) == ""  # MLA: no separate KV heads


def test_more_stages_than_layers_is_impossible():
    """Llama 2 7B has 32 layers, so a 64-stage pipeline is refused."""
    assert not plan("llama-2-7b", 64).strategy("pp").valid


def test_not_fitting_names_the_gpus_needed():
    """405B BF16 on 4 H100s does not fit; the plan says so and names the 16 GPUs this load needs."""
    p = plan("llama-3.1-405b", 4)
    assert not p.recommended.fits and p.minimum.gpu_count == 16
    assert p.reasons[0].startswith("Does not fit") and "at least 16" in p.reasons[1]


def test_idle_gpus_are_reported():
    """DeepSeek-V3 BF16 on 32 H100s fits in a 24-GPU group; the other 8 stay idle and the reason says so."""
    p = plan("deepseek-v3", 32)
    assert (p.group_gpus, p.idle_gpus) == (24, 8)
    assert any("8 GPU(s) stay idle" in x for x in p.reasons)


def test_kv_is_copied_where_tp_exceeds_kv_heads_or_uses_mla():
    """GQA beyond its KV heads, and MLA at any TP, store the cache more than once; per-GPU KV shows it."""
    tp_only = plan("qwen3-30b-a3b", 8).strategy("tp")  # 4 KV heads at TP 8: each head on 2 GPUs
    one = tp_only.users_per_replica * 8192 * plan("qwen3-30b-a3b", 8).setup.kv_bytes_per_token
    assert tp_only.kv_per_gpu_bytes == pytest.approx(one * 2 / 8)
    assert kv_replication(get_model("glm-5").arch, 8) == 8
    assert any("MLA" in x for x in plan("glm-5", 16, "h200-sxm", "fp8").reasons)


def test_memory_parts_add_up_for_every_strategy():
    """Weights + KV + engine per GPU equals the per-GPU need the fit is judged on."""
    for model, gpus in (("llama-3.1-70b", 8), ("mixtral-8x7b", 16), ("llama-3.1-405b", 16)):
        for x in plan(model, gpus).strategies:
            if x.valid:
                parts = x.weights_per_gpu_bytes + x.kv_per_gpu_bytes + x.overhead_per_gpu_bytes
                assert parts == pytest.approx(x.per_gpu_bytes, rel=1e-12), (model, x.key)


# --- traffic and the bubble ---------------------------------------------------------------------------------


def test_tp_all_reduce_bytes_hand_checked():
    """Llama 3.1 70B at TP 4 with 8 sequences: the all-reduce bytes and NVLink time, worked by hand."""
    # per layer: 2 all-reduces x hidden 8192 x batch 8 x 2 bytes (BF16)  = 262,144 bytes
    # ring: each GPU sends 2 x (4 - 1) / 4 = 1.5 of that               = 393,216 bytes per layer
    # 80 layers                                                          = 31,457,280 bytes per step
    # NVLink 4: 900 GB/s both ways -> 450 GB/s each way: 31,457,280 / 450e9 = 69.9 µs
    layer, ring, step = comm.tp_traffic(8192, 80, 8, 4, 2)
    assert (layer.value, ring.value, step.value) == (262_144, 393_216, 31_457_280)
    p = plan("llama-3.1-70b", 8)
    assert (p.recommended.tp, p.recommended.users_per_replica) == (4, 8)
    assert p.tp_bytes_per_step == 31_457_280 and p.allreduces_per_step == 160
    assert p.link_times[0].time_s == pytest.approx(31_457_280 / 450e9)
    assert p.recommended.comm_time_s == pytest.approx(69.905e-6, rel=1e-4)


def test_ring_factor_and_link_direction():
    """A 2-GPU ring sends the data once; 8 GPUs send 1.75x; link time uses one direction of the headline."""
    assert comm.RING(tp=2, tp_bytes_per_layer=100).value == 100
    assert comm.RING(tp=8, tp_bytes_per_layer=100).value == 175
    assert comm.link_time(50e9, comm.NETWORK).value == pytest.approx(1.0)  # 400 Gb/s = 50 GB/s each way


def test_pipeline_hand_off_crosses_the_network_once_per_node_boundary():
    """Stages of 8 on 8-GPU nodes cross at every boundary; 16 single-GPU stages cross once."""
    assert comm.network_hops(8, 2, 8) == 1 and comm.network_hops(8, 4, 8) == 3
    assert comm.network_hops(1, 16, 8) == 1 and comm.network_hops(4, 2, 8) == 0 and comm.network_hops(1, 8, 8) == 0
    p = plan("llama-3.1-405b", 16)
    assert p.recommended.pp_bytes_per_hop == 16384 * 16 * 2  # hidden x batch x 2 bytes


@pytest.mark.parametrize("pp,m,expected", [(1, 8, 0.0), (2, 8, 1 / 9), (4, 4, 3 / 7), (8, 8, 7 / 15), (4, 1, 0.75)])
def test_bubble_fraction(pp, m, expected):
    """The GPipe bubble (p - 1) / (m + p - 1)."""
    assert comm.bubble(pp, m).value == pytest.approx(expected)


def test_more_micro_batches_shrink_the_bubble():
    """The 405B pipeline idles 1/9 of the time at 8 micro-batches and 1/33 at 32."""
    assert plan("llama-3.1-405b", 16, micro_batches=8).recommended.bubble_fraction == pytest.approx(1 / 9)
    assert plan("llama-3.1-405b", 16, micro_batches=32).recommended.bubble_fraction == pytest.approx(1 / 33)


def test_stage_layers_split_like_vllm():
    """Layers split evenly; the remainder goes to the stages just before the last, as vLLM's get_pp_indices does."""
    assert stage_layers(126, 2) == ((1, 63), (64, 126))
    assert stage_layers(10, 4) == ((1, 2), (3, 5), (6, 8), (9, 10))
    assert stage_layers(80, 1) == ((1, 80),)


# --- bad input ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["", "0", "-3", "1e9", "abc", "2.5", "nan"])
def test_bad_gpu_counts_name_the_gpus_field(bad):
    """Every bad GPU count raises an InputError for the `gpus` field."""
    with pytest.raises(InputError) as exc:
        plan("llama-3.1-8b", bad)
    assert exc.value.field == "gpus"


@pytest.mark.parametrize(
    "kwargs,field",
    [({"micro_batches": "0"}, "micro_batches"), ({"gpu": "tpu"}, "gpu"), ({"users": "x"}, "users"),
     ({"context": "-1"}, "context"), ({"precision": "fp6"}, "precision")],
)  # fmt: skip
def test_other_bad_inputs_name_their_field(kwargs, field):
    """Micro-batches, GPU, users, context and precision errors point at their own field."""
    with pytest.raises(InputError) as exc:
        plan("llama-3.1-8b", 8, **kwargs)
    assert exc.value.field == field


# --- properties ---------------------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    model=st.sampled_from([m.id for m in MODELS]),
    gpu=st.sampled_from([g.id for g in GPUS]),
    gpus=st.integers(1, 1024),
    users=st.integers(1, 4096),
    micro=st.integers(1, 64),
)
def test_split_never_uses_more_gpus_than_given(model, gpu, gpus, users, micro):
    """tp x pp x dp <= N, TP divides the heads, PP never exceeds the layers, and every number is finite."""
    p = plan(model, gpus, gpu, "bf16", micro, users, 8192)
    r, a = p.recommended, p.setup.arch
    assert r.tp * r.pp * r.dp == p.gpus_used <= gpus and p.idle_gpus == gpus - p.gpus_used
    assert a.tp_must_divide % r.tp == 0 and r.pp <= a.num_hidden_layers
    assert json.dumps(p.as_dict(), allow_nan=False)


@settings(max_examples=12, deadline=None)
@given(model=st.sampled_from(["llama-3.1-8b", "llama-3.1-70b", "mixtral-8x7b", "glm-5"]), gpus=st.integers(1, 1024))
def test_cli_split_never_uses_more_gpus_than_given(model, gpus):
    """Through the CLI too: tp x pp x dp <= --gpus."""
    data = json.loads(_cli("--model", model, "--gpus", str(gpus), "--json").stdout)
    assert data["tp"] * data["pp"] * data["dp"] <= gpus


# --- the CLI ------------------------------------------------------------------------------------------------


def test_cli_json_is_one_document_with_the_contract_keys():
    """--json prints exactly one JSON document with tp, pp, dp, ep, per_gpu_bytes, fits and reason sentences."""
    proc = _cli("--model", "llama-3.1-405b", "--gpus", "16", "--gpu", "h100-sxm", "--precision", "bf16", "--json")
    assert proc.returncode == 0 and proc.stderr == ""
    data = json.loads(proc.stdout)
    assert (data["tp"], data["pp"], data["dp"], data["ep"], data["fits"]) == (8, 2, 1, 1, True)
    assert data["per_gpu_bytes"] == plan("llama-3.1-405b", 16).recommended.per_gpu_bytes
    assert data["reasons"] and all(r.endswith(".") for r in data["reasons"])
    assert [s["key"] for s in data["strategies"]] == ["recommended", "tp", "pp", "dp"]


def test_cli_text_and_config_file():
    """Without --json the CLI prints a readable summary; --config sizes a pasted config.json."""
    proc = _cli("--config", str(ROOT / "tests/unit/configs/qwen3-30b-a3b.json"), "--gpus", "4")
    assert proc.returncode == 0 and "EP 4 as an option" in proc.stdout and "β =" in proc.stdout


@pytest.mark.parametrize(
    "args",
    [["--model", "llama-3.1-8b", "--gpus", "0"], ["--model", "llama-3.1-8b", "--gpus", "abc"],
     ["--model", "nope", "--gpus", "8"], ["--model", "llama-3.1-8b", "--gpus", "8", "--gpu", "tpu"],
     ["--model", "llama-3.1-8b"], ["--config", "/nonexistent.json", "--gpus", "8"]],
)  # fmt: skip
def test_cli_bad_input_exits_2_with_one_line(args):
    """Bad input: exit code 2, nothing on stdout, exactly one line on stderr."""
    proc = _cli(*args)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("error:")


# --- the widget, without a browser --------------------------------------------------------------------------


@pytest.mark.parametrize("model,gpus", [("llama-3.1-70b", "8"), ("mixtral-8x7b", "16"), ("llama-3.1-405b", "1")])
def test_widget_draws_a_labelled_svg_per_strategy(model, gpus):
    """The layout and each strategy have an SVG with a <title> and an aria-label; MoE adds the EP diagram."""
    html, error = update(widget, {**defaults(widget), "model": model, "gpus": gpus})
    assert error is None
    kinds = ["layout", "tp", "pp", "dp"] + (["ep"] if get_model(model).arch.is_moe else [])
    for kind in kinds:
        assert f"pg-par-{kind}" in html, kind
    svgs = re.findall(r"<svg [^>]*>(<title>[^<]+</title>)?", html)
    assert len(svgs) == len(kinds) and all(svgs)
    assert all('role="img" aria-label="' in tag for tag in re.findall(r"<svg [^>]*>", html))


def test_widget_shows_the_plan_numbers():
    """The widget's outputs carry the engine's raw numbers for the tests to compare."""
    html, _ = update(widget, defaults(widget))
    p = plan("llama-3.1-70b", 8)
    assert f'data-key="per_gpu_bytes" data-value="{p.recommended.per_gpu_bytes}"' in html
    assert f'data-key="tp" data-value="{p.recommended.tp}"' in html


def test_widget_bad_gpu_count_is_reported_on_its_field():
    """A bad GPU count comes back as an error on the `gpus` field, not an exception."""
    html, error = update(widget, {**defaults(widget), "gpus": "abc"})
    assert html is None and error[0] == "gpus"


def test_network_figure_has_a_named_source():
    """The network and PCIe figures name their sources; the in-node link is the GPU's datasheet."""
    assert "DGX H100" in comm.NETWORK.source and comm.NETWORK.bytes_per_s == 2 * 400e9 / 8
    assert "PCI" in comm.PCIE5.source
    assert comm.node_link(get_gpu("h100-sxm")).bytes_per_s == 900e9


def test_prose_figures_match_the_engine():
    """The prose's figures: 160 all-reduces for 80 layers, the network a ninth of NVLink 4, PCIe 5 a seventh."""
    text = (ROOT / "docs" / "sections" / "parallel.md").read_text()
    assert "160 all-reduces" in text and plan("llama-3.1-70b", 8).allreduces_per_step == 160
    nvlink = comm.node_link(get_gpu("h100-sxm")).bytes_per_s
    assert "a ninth" in text and nvlink / comm.NETWORK.bytes_per_s == 9
    assert "a\nseventh" in text or "a seventh" in text
    assert (
        round(nvlink / comm.PCIE5.bytes_per_s) == 7 and round(nvlink / get_gpu("l40s").interconnect_bytes_per_s) == 14
    )
