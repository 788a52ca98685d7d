"""Which parallelism for N GPUs, and why: the recommendation, its numbers and the strategies it beat.

`plan` takes a model, a GPU type and count, a precision, the load (users x context) and the number of
micro-batches a pipeline splits a batch into. It returns the recommended split (see splits.py for the
rule and the memory math), the same GPUs costed as pure TP, pure PP, pure DP (and EP for MoE models),
the traffic of a decode step on each kind of link, and one reason sentence per rule that fired.
"""

from dataclasses import dataclass, replace

from . import comm
from .formula import Term
from .overhead import kv_replication, layout
from .performance import speeds
from .precision import default_kv_precision
from .recommend import GpuFit, fit_counts
from .splits import (
    COMM_SHARE,
    DEFAULT_CONTEXT_TOKENS,
    DEFAULT_GPU,
    DEFAULT_MICRO_BATCHES,
    DEFAULT_USERS,
    HEADROOM,
    Setup,
    Split,
    decode_time,
    ep_degree,
    evaluate,
    impossible,
    search,
    setup,
    stage_layers,
    tp_problem,
)
from .units import format_bytes, format_percent, format_seconds
from .vram import KV_CACHE


@dataclass(frozen=True)
class LinkTime:
    """The TP traffic of one decode step timed on one kind of link."""

    link: comm.Link
    time_s: float
    term: Term


_SPLIT_KEYS = ("tp", "pp", "dp", "users_per_replica", "weights_per_gpu_bytes", "kv_per_gpu_bytes")
_SPLIT_KEYS += ("overhead_per_gpu_bytes", "per_gpu_bytes", "fits", "comm_bytes_per_step", "comm_time_s")
_SPLIT_KEYS += ("pp_bytes_per_hop", "bubble_fraction")
_PLAN_KEYS = ("ep", "experts_per_gpu", "group_gpus", "gpus_used", "idle_gpus", "nodes", "headroom_bytes")
_PLAN_KEYS += ("tp_bytes_per_layer", "tp_ring_bytes_per_layer", "tp_bytes_per_step", "allreduces_per_step")
_PLAN_KEYS += ("decode_step_s", "comm_share", "calibrated_step_s", "calibrated_tokens_per_s", "ideal_tokens_per_s")


@dataclass(frozen=True)
class ParallelPlan:
    """The recommended split, the alternatives, per-link times and the reasons."""

    setup: Setup
    recommended: Split
    strategies: tuple[Split, ...]  # recommended, tp, pp, dp, then ep for MoE models
    group_gpus: int  # GPUs in one replica: tp x pp
    gpus_used: int  # group_gpus x dp
    idle_gpus: int
    nodes: int  # nodes the N GPUs occupy
    tp_reference: Split | None  # the split whose all-reduces the link table times (None: no TP possible)
    tp_bytes_per_layer: float
    tp_ring_bytes_per_layer: float
    tp_bytes_per_step: float
    allreduces_per_step: int  # of the reference split (0 without TP)
    link_times: tuple[LinkTime, ...]
    decode_step_s: float  # one replica's step without communication (roofline)
    comm_share: float
    calibrated_step_s: float  # the recommended split's decode step as engines run it, communication included
    calibrated_tokens_per_s: float  # output tokens/s of all replicas at that step (calibrated)
    ideal_tokens_per_s: float  # the same on the ideal roofline (upper bound)
    headroom_bytes: float  # budget - need, per GPU, of the recommended split
    stage_layers: tuple[tuple[int, int], ...]  # of the PP diagram's split
    minimum: GpuFit | None  # the fewest GPUs that would fit the whole load, when N does not
    reasons: tuple[str, ...]
    terms: tuple[Term, ...]

    def strategy(self, key: str) -> Split | None:
        """The split with this key (recommended, tp, pp, dp, ep), or None."""
        return next((s for s in self.strategies if s.key == key), None)

    def as_dict(self) -> dict:
        """The CLI's JSON document."""
        s, r = self.setup, self.recommended
        data = {
            "model": s.model_id,
            "precision": s.precision.id,
            "gpu": s.gpu.id,
            "gpus_per_node": s.node,
            "weights_bytes": s.weights.value,
            "budget_per_gpu_bytes": s.budget.value,
            "tp_reference": self.tp_reference.key if self.tp_reference else None,
            "min_gpus": self.minimum.gpu_count if self.minimum else None,
        }
        data.update({k: getattr(s, k) for k in ("gpus", "users", "context_tokens", "micro_batches")})
        data.update({k: getattr(r, k) for k in _SPLIT_KEYS})
        data.update({k: getattr(self, k) for k in _PLAN_KEYS})
        data["link_times"] = [
            {"link": x.link.name, "bytes_per_s": x.link.bytes_per_s, "time_s": x.time_s, "source": x.link.source}
            for x in self.link_times
        ]
        data["strategies"] = [x.as_dict() for x in self.strategies]
        data["reasons"] = list(self.reasons)
        data["terms"] = [t.as_dict() for t in self.terms]
        return data

    @property
    def ep(self) -> int:
        """The expert-parallel degree offered (1 for a dense model)."""
        option = self.strategy("ep")
        return option.ep if option and option.valid else 1

    @property
    def experts_per_gpu(self) -> int:
        option = self.strategy("ep")
        return option.experts_per_gpu if option and option.valid else 0


def _pure(s: Setup) -> list[Split]:
    """The N GPUs as one TP group, one N-stage pipeline, and N replicas."""
    n, a = s.gpus, s.arch
    problem = tp_problem(a, n)
    if problem:
        tp = impossible("tp", f"TP {n}", n, 1, 1, problem)
    else:
        note = f"all-reduces cross {comm.NETWORK.name}" if n > s.node else ""
        tp = evaluate(s, "tp", f"TP {n}", n, 1, 1, note=note)
    if n > a.num_hidden_layers:
        pp = impossible("pp", f"PP {n}", 1, n, 1, f"only {a.num_hidden_layers} layers to spread over {n} stages")
    else:
        pp = evaluate(s, "pp", f"PP {n}", 1, n, 1)
    return [tp, pp, evaluate(s, "dp", f"DP {n}", 1, 1, n, note="every GPU a full copy")]


def _ep_option(s: Setup, rec: Split) -> Split:
    ep = ep_degree(s.arch, rec.tp * rec.dp)
    label = f"EP {ep}" + (f" × PP {rec.pp}" if rec.pp > 1 else "")
    if ep < 2:
        return impossible("ep", "EP", rec.tp, rec.pp, rec.dp, "needs at least 2 GPUs in a pipeline stage")
    note = f"attention stays TP {rec.tp}" if rec.tp > 1 else "attention replicated per GPU"
    return evaluate(s, "ep", label, rec.tp, rec.pp, rec.dp, ep=ep, note=note)


def plan(
    model,
    gpus,
    gpu=DEFAULT_GPU,
    precision="bf16",
    micro_batches=DEFAULT_MICRO_BATCHES,
    users=DEFAULT_USERS,
    context=DEFAULT_CONTEXT_TOKENS,
) -> ParallelPlan:
    """Recommend a split of `gpus` x `gpu` for the model and load, and cost the alternatives."""
    s = setup(model, gpus, gpu, precision, micro_batches, users, context)
    best, tried = search(s)
    label = f"TP {best.tp} × PP {best.pp} × DP {best.dp}"
    rec = replace(best, label=label)
    strategies = [rec, *_pure(s)]
    if s.arch.is_moe:
        strategies.append(_ep_option(s, rec))
    group = rec.tp * rec.pp
    ref = rec if rec.tp > 1 else next((x for x in strategies[1:2] if x.valid and x.tp > 1), None)
    link_times, tp_terms, allreduces = (), (), None
    if ref is not None:
        arch = s.arch
        allreduces = comm.ALLREDUCES(layers=arch.num_hidden_layers)
        tp_terms = comm.tp_traffic(
            arch.hidden_size, arch.num_hidden_layers, ref.users_per_replica, ref.tp, s.value_bytes
        )
        links = [s.node_link] + ([comm.nvlink_reference()] if s.gpu.pcie_only else [comm.PCIE5]) + [comm.NETWORK]
        link_times = tuple(
            LinkTime(link, t.value, t) for link in links for t in [comm.link_time(tp_terms[2].value, link)]
        )
    step_s = decode_time(s, rec)
    real, bound = (_speeds(s, rec, e) for e in ("calibrated", "ideal"))
    share = COMM_SHARE(comm_time_s=rec.comm_time_s, step_time_s=step_s)
    headroom = HEADROOM(budget_bytes=s.budget.value, per_gpu_bytes=rec.per_gpu_bytes)
    pp_split = rec if rec.pp > 1 else strategies[2]
    minimum = None
    if not rec.fits:
        kv = KV_CACHE(users=s.users, context_tokens=s.context_tokens, kv_bytes_per_token=s.kv_bytes_per_token)
        minimum = fit_counts(s.arch, s.weights.value, kv.value, s.gpu, s.settings)
    terms = [s.budget, s.weights, *rec.terms, headroom, share]
    if rec.tp == 1:  # show the all-reduce arithmetic of the TP split the link table times
        terms += list(tp_terms)
    terms += [allreduces] if allreduces else []
    terms += [lt.term for lt in link_times[1 if rec.tp > 1 else 0 :]]  # the first is already in rec.terms
    if rec.pp == 1 and pp_split.valid and pp_split.pp > 1:
        terms.append(comm.bubble(pp_split.pp, s.micro_batches))
    plan_ = ParallelPlan(
        setup=s,
        recommended=rec,
        strategies=tuple(strategies),
        group_gpus=group,
        gpus_used=group * rec.dp,
        idle_gpus=s.gpus - group * rec.dp,
        nodes=-(-s.gpus // s.node),
        tp_reference=ref,
        tp_bytes_per_layer=tp_terms[0].value if tp_terms else 0.0,
        tp_ring_bytes_per_layer=tp_terms[1].value if tp_terms else 0.0,
        tp_bytes_per_step=tp_terms[2].value if tp_terms else 0.0,
        allreduces_per_step=int(allreduces.value) if allreduces else 0,
        link_times=link_times,
        decode_step_s=step_s,
        comm_share=share.value,
        calibrated_step_s=rec.users_per_replica / real.decode_tokens_per_s,
        calibrated_tokens_per_s=rec.dp * real.decode_tokens_per_s,
        ideal_tokens_per_s=rec.dp * bound.decode_tokens_per_s,
        headroom_bytes=headroom.value,
        stage_layers=stage_layers(s.arch.num_hidden_layers, pp_split.pp) if pp_split.valid else (),
        minimum=minimum,
        reasons=(),
        terms=tuple(terms),
    )
    return ParallelPlan(**{**plan_.__dict__, "reasons": tuple(reasons(plan_, tried))})


def _speeds(s: Setup, split: Split, efficiency: str):
    """One replica's decode speed for the split through the step-time model (all-reduces included)."""
    kv_bits = default_kv_precision(s.precision).bits
    users = max(1, split.users_per_replica)
    prec = s.precision
    args = (prec.effective_bits, prec.compute, kv_bits, users, s.context_tokens, split.tp, split.pp, efficiency)
    return speeds(s.arch, s.gpu, *args, precision=prec)


def _b(value_bytes: float) -> str:
    return format_bytes(value_bytes)


def reasons(p: ParallelPlan, tried: list[Split]) -> list[str]:
    """One sentence per rule that shaped the recommendation, with its numbers."""
    s, r, a, g = p.setup, p.recommended, p.setup.arch, p.setup.gpu
    budget, first = _b(s.budget.value), tried[0]
    out = []
    if not r.fits:
        out.append(
            f"Does not fit: {s.gpus} × {g.name} would need {_b(r.per_gpu_bytes)} per GPU "
            f"(TP {r.tp} × PP {r.pp}) against the {budget} vLLM may use."
        )
        m = p.minimum
        out.append(
            f"This load needs at least {m.gpu_count:,} × {g.name} (TP {m.tensor_parallel} × PP {m.pipeline_parallel})."
            if m.fits
            else m.reason
        )
    elif p.group_gpus == 1:
        copies = "the one GPU runs it" if s.gpus == 1 else f"every GPU runs a full copy: {r.dp} data-parallel replicas"
        out.append(
            f"{s.name} fits one {g.name} ({_b(r.per_gpu_bytes)} of the {budget} vLLM may use), so {copies}"
            + (", with no traffic between GPUs per token." if s.gpus > 1 else ".")
        )
    elif r.pp == 1 or r.tp * r.pp <= s.node:
        out.append(
            f"One {g.name} is not enough ({_b(first.per_gpu_bytes)} needed of {budget}), so tensor parallelism "
            f"splits every layer over {r.tp} GPUs inside one node, the smallest split that fits "
            f"({_b(r.per_gpu_bytes)} per GPU); each layer then all-reduces twice over {s.node_link.name}."
        )
    else:
        in_node = next((x for x in tried if x.tp * x.pp == s.node), tried[-1])
        out.append(
            f"One node of {s.node} × {g.name} is not enough ({_b(in_node.per_gpu_bytes)} per GPU), so tensor "
            f"parallelism stays at {r.tp} inside each node and {r.pp} pipeline stages span the nodes: a decode step "
            f"sends one {_b(r.pp_bytes_per_hop)} hand-off across each stage boundary, where TP across nodes "
            f"would put all {2 * a.num_hidden_layers} all-reduces on the network."
        )
    if r.tp * r.pp <= s.node and r.pp > 1:
        out.append(
            f"TP must divide the {a.tp_must_divide} attention heads, so it stops at {r.tp} and the group's other "
            f"GPUs become {r.pp} pipeline stages."
        )
    if a.kv_lora_rank is not None and r.tp > 1:
        out.append(
            f"MLA caches one latent per token that every head reads, so each of the {r.tp} TP ranks keeps the whole "
            "KV cache; engines use data-parallel attention for such models to avoid the copies."
        )
    elif kv_replication(a, r.tp) > 1:
        out.append(
            f"TP {r.tp} exceeds the {a.num_key_value_heads} KV heads, so each KV head is stored on "
            f"{r.tp // a.num_key_value_heads} GPUs."
        )
    if g.pcie_only and p.tp_reference is not None:
        pp_only = p.strategy("pp")
        nv = p.link_times[1]
        tail = (
            f"; a {pp_only.label} pipeline would hand off only {_b(pp_only.comm_bytes_per_step)} per GPU per step"
            if pp_only.valid
            else ""
        )
        out.append(
            f"The {g.name} has no NVLink: tensor parallelism's all-reduces take "
            f"{format_seconds(p.link_times[0].time_s)} per step over {s.node_link.name} against "
            f"{format_seconds(nv.time_s)} on {nv.link.name}, so consider pipeline parallelism for throughput{tail}."
        )
    if r.dp > 1 and p.group_gpus > 1:
        out.append(
            f"The other GPUs hold more copies: {r.dp} replicas of the {p.group_gpus}-GPU group (data parallelism), "
            f"each serving up to {r.users_per_replica:,} of the {s.users:,} users."
        )
    if p.idle_gpus:
        whole = layout(a, s.gpus, s.node)
        tail = (
            f"; TP {whole.tensor_parallel} × PP {whole.pipeline_parallel} would use all {s.gpus} "
            "(more room for KV cache, more pipeline hand-offs)"
            if r.fits and whole.pipeline_parallel <= a.num_hidden_layers
            else ""
        )
        out.append(f"{p.idle_gpus} GPU(s) stay idle: {s.gpus} is not a multiple of the {p.group_gpus}-GPU group{tail}.")
    if r.pp > 1:
        out.append(
            f"With {s.micro_batches} micro-batches over {r.pp} stages the pipeline idles "
            f"{format_percent(r.bubble_fraction)} of the time filling and draining; more micro-batches shrink it."
        )
    ep = p.strategy("ep")
    if ep is not None and ep.valid:
        memory = (
            f"{_b(ep.per_gpu_bytes)} per GPU instead of {_b(r.per_gpu_bytes)}, as the replicas share one set of experts"
            if ep.per_gpu_bytes < r.per_gpu_bytes
            else f"the same {_b(ep.per_gpu_bytes)} per GPU, as EP spans the same GPUs as TP"
        )
        out.append(
            f"{s.name} is a mixture of experts: expert parallelism (EP {ep.ep}) is an option, placing "
            f"{ep.experts_per_gpu} of its {a.n_routed_experts} experts whole on each GPU ({memory}); an all-to-all "
            "per MoE layer then replaces the MLP all-reduce."
        )
    elif ep is not None:
        out.append(f"{s.name} is a mixture of experts, but expert parallelism {ep.note}.")
    return out
