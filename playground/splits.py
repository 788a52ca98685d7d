"""Splits of a model over N GPUs (tensor, pipeline, data, expert parallel): memory per GPU and traffic per step.

parallel.plan applies the rule below and explains it, one reason sentence per step:
1. Find the smallest model-parallel group that holds the weights, its replica's share of the KV cache and
   a whole engine per GPU, with the memory math of the VRAM section (vram, overhead, recommend).
   Candidate group sizes are those the engine's recommendation uses: powers of two inside a node (tensor
   parallelism, which must divide the attention heads: overhead.layout), then whole nodes (TP = the node,
   pipeline stages across nodes), then all N GPUs.
2. A group of one GPU means plain data parallelism: every GPU a full copy.
3. The GPUs left over form more replicas of the group (data parallelism); the users are spread evenly
   over the replicas, which is why a smaller group can fit on more GPUs.
4. For a mixture-of-experts model, expert parallelism (experts sharded over the GPUs of a stage) is offered.
The same N GPUs are also costed as pure TP, pure PP and pure DP so the page can compare them.
"""

from dataclasses import dataclass

from . import comm
from .architecture import Architecture, kv_bytes_per_token, param_breakdown
from .checkpoint import bytes_read, weights_term
from .errors import positive_int
from .formula import Formula, Term
from .gpus import Gpu, get_gpu
from .overhead import Layout, kv_replication, layout, per_gpu_bytes
from .precision import default_kv_precision
from .recommend import BUDGET, NEED, NEED_STATE, _in_node_counts
from .roofline import decode_step
from .state import state_bytes_per_sequence
from .vram import KV_CACHE, MAX_CONTEXT_TOKENS, MAX_USERS, STATE, WEIGHTS, _precision, engine_settings, resolve_arch

MAX_GPUS = 1024  # a large inference deployment; the page's diagrams stay legible up to here
MAX_MICRO_BATCHES = 1024
DEFAULT_GPU = "h100-sxm"
DEFAULT_MICRO_BATCHES = 8  # GPipe (arXiv 1811.06965) finds the bubble negligible from m >= 4p; 8 = 4 x 2 stages
DEFAULT_USERS = 16
DEFAULT_CONTEXT_TOKENS = 8192

_SYMBOLS = {
    "users_per_replica": ("U_r", "int", "users per replica"),
    "users": ("U", "int", "users"),
    "dp": ("d", "int", "replicas"),
    "weights_per_gpu_bytes": ("W_g", "bytes", "weights per GPU"),
    "weights_bytes": ("W", "bytes", "weights"),
    "expert_weights_bytes": ("W_e", "bytes", "routed-expert weights"),
    "tp": ("t", "int", "tensor-parallel GPUs"),
    "pp": ("p", "int", "pipeline stages"),
    "ep": ("e", "int", "expert-parallel GPUs"),
    "kv_per_gpu_bytes": ("KV_g", "bytes", "KV cache per GPU"),
    "kv_cache_bytes": ("KV", "bytes", "KV cache of one replica"),
    "replication": ("ρ", "number", "KV copies under TP"),
    "per_gpu_bytes": ("D", "bytes", "need per GPU"),
    "overhead_per_gpu_bytes": ("O_g", "bytes", "engine overhead per GPU"),
    "experts_per_gpu": ("E_g", "int", "experts per GPU"),
    "experts": ("E", "int", "routed experts per layer"),
    "comm_share": ("c", "percent", "share of the step spent on the links"),
    "comm_time_s": ("t_comm", "s", "link time per step"),
    "step_time_s": ("t_step", "s", "decode step without communication"),
    "headroom_bytes": ("H", "bytes", "left per GPU"),
    "budget_bytes": ("B", "bytes", "memory vLLM may use per GPU"),
    "state_bytes": ("S_all", "bytes", "fixed state of the replica's users"),
}
USERS_PER_REPLICA = Formula(
    "users_per_replica = ceil(users / dp)", why="replicas share the users evenly", symbols=_SYMBOLS
)
WEIGHTS_PER_GPU = Formula(
    "weights_per_gpu_bytes = weights_bytes / (tp * pp)",
    why="TP slices every layer, PP hands each stage a run of layers; replicas repeat the whole",
    symbols=_SYMBOLS,
)
KV_PER_GPU = Formula(
    "kv_per_gpu_bytes = kv_cache_bytes * replication / (tp * pp)",
    why="the replica's cache splits like its layers and heads (copied where TP exceeds the KV heads)",
    symbols=_SYMBOLS,
)
EP_WEIGHTS_PER_GPU = Formula(
    "weights_per_gpu_bytes = (weights_bytes - expert_weights_bytes) / (tp * pp) + expert_weights_bytes / (ep * pp)",
    why="experts are spread whole over e GPUs; attention and shared parts stay TP-sliced",
    symbols=_SYMBOLS,
)
EP_PER_GPU = Formula(
    "per_gpu_bytes = weights_per_gpu_bytes + kv_per_gpu_bytes + overhead_per_gpu_bytes",
    why="weights, KV cache and a whole engine on every GPU",
    symbols=_SYMBOLS,
)
EP_PER_GPU_STATE = Formula(
    "per_gpu_bytes = weights_per_gpu_bytes + kv_per_gpu_bytes + state_bytes / (tp * pp) + overhead_per_gpu_bytes",
    why="weights, KV cache, the linear-attention / Mamba state (split like the layers) and a whole engine",
    symbols=_SYMBOLS,
)
EXPERTS_PER_GPU = Formula("experts_per_gpu = experts / ep", why="each GPU holds whole experts", symbols=_SYMBOLS)
HEADROOM = Formula(
    "headroom_bytes = budget_bytes - per_gpu_bytes",
    why="what each GPU has left for more KV cache (negative: it does not fit)",
    symbols=_SYMBOLS,
)
COMM_SHARE = Formula(
    "comm_share = comm_time_s / (step_time_s + comm_time_s)",
    why="decode waits for every all-reduce and hand-off: they add to the step",
    symbols=_SYMBOLS,
)


@dataclass(frozen=True)
class Split:
    """One way to use the GPUs: degrees, memory per GPU and what one decode step sends."""

    key: str  # recommended, tp, pp, dp, ep
    label: str
    valid: bool
    note: str  # why it is impossible, or what to know about it
    tp: int
    pp: int
    dp: int
    ep: int
    experts_per_gpu: int
    users_per_replica: int
    weights_per_gpu_bytes: float
    kv_per_gpu_bytes: float
    overhead_per_gpu_bytes: float
    per_gpu_bytes: float
    fits: bool
    comm_bytes_per_step: float  # sent by each GPU per decode step
    comm_time_s: float  # added to each decode step (all layers, all hand-offs, one after another)
    pp_bytes_per_hop: float  # one stage-to-stage hand-off (0 without a pipeline)
    links: tuple[str, ...]  # the links that traffic crosses
    bubble_fraction: float
    terms: tuple[Term, ...]

    def as_dict(self) -> dict:
        """JSON-ready (the CLI's `strategies` entries); an impossible split has no numbers."""
        keys = ("key", "label", "valid", "note", "tp", "pp", "dp", "ep", "experts_per_gpu", "fits")
        data = {k: getattr(self, k) for k in keys}
        numbers = ("users_per_replica", "weights_per_gpu_bytes", "kv_per_gpu_bytes", "overhead_per_gpu_bytes")
        numbers += ("per_gpu_bytes", "comm_bytes_per_step", "comm_time_s", "pp_bytes_per_hop", "bubble_fraction")
        data.update({k: getattr(self, k) if self.valid else None for k in numbers})
        data["links"] = list(self.links)
        return data


@dataclass(frozen=True)
class Setup:
    """The validated inputs and what every split shares."""

    arch: Architecture
    name: str
    model_id: str | None
    precision: object
    gpu: Gpu
    gpus: int
    users: int
    context_tokens: int
    micro_batches: int
    settings: object
    weights: Term
    kv_bytes_per_token: float
    state_bytes_per_sequence: float  # linear-attention / Mamba state per user (0 for pure attention)
    budget: Term
    node_link: comm.Link
    value_bytes: int

    @property
    def node(self) -> int:
        return self.gpu.gpus_per_node


def setup(
    model,
    gpus,
    gpu=DEFAULT_GPU,
    precision="bf16",
    micro_batches=DEFAULT_MICRO_BATCHES,
    users=DEFAULT_USERS,
    context=DEFAULT_CONTEXT_TOKENS,
) -> Setup:
    """Validate the inputs (InputError names the field) and compute what every split shares."""
    arch, found = resolve_arch(model)
    gpus = positive_int(gpus, "GPU count", "gpus", MAX_GPUS)
    gpu = gpu if isinstance(gpu, Gpu) else get_gpu(gpu)
    prec = _precision(precision)
    micro_batches = positive_int(micro_batches, "micro-batches", "micro_batches", MAX_MICRO_BATCHES)
    users = positive_int(users, "users", "users", MAX_USERS)
    context = positive_int(context, "context", "context", MAX_CONTEXT_TOKENS)
    settings = engine_settings()
    kv_bits = default_kv_precision(prec).bits  # the VRAM section's default: 16-bit, FP32 for an FP32 model
    return Setup(
        arch=arch,
        name=found.name if found else "Your model",
        model_id=found.id if found else None,
        precision=prec,
        gpu=gpu,
        gpus=gpus,
        users=users,
        context_tokens=context,
        micro_batches=micro_batches,
        settings=settings,
        weights=weights_term(arch, prec),
        kv_bytes_per_token=kv_bytes_per_token(arch, kv_bits, context),
        state_bytes_per_sequence=state_bytes_per_sequence(arch),
        budget=BUDGET(utilization=settings.gpu_memory_utilization, usable_memory_bytes=gpu.usable_memory_bytes),
        node_link=comm.node_link(gpu),
        value_bytes=comm.activation_value_bytes(prec),
    )


def _traffic(s: Setup, tp: int, pp: int, ep: int, batch: int):
    """(bytes per GPU per step, seconds per step, bytes per PP hand-off, links, terms) of one split's traffic."""
    a, h, layers = s.arch, s.arch.hidden_size, s.arch.num_hidden_layers
    sent, time, hop_bytes, links, terms = 0.0, 0.0, 0.0, [], []
    if tp > 1:
        layer, ring, step = comm.tp_traffic(h, layers, batch, tp, s.value_bytes)
        if ep > 1:  # experts no longer need the MLP all-reduce
            moe = len(a.moe_layer_indices)
            step = comm.EP_ALLREDUCE(layers=layers, moe_layers=moe, ring_bytes_per_layer=ring.value)
        link = s.node_link if tp <= s.node else comm.NETWORK
        t = comm.link_time(step.value, link)
        sent, time, links, terms = step.value, t.value, [link.name], [layer, ring, step, t]
    if ep > 1:
        tokens = comm.TOKENS_PER_GPU(batch=batch, tp=tp)
        moe = len(a.moe_layer_indices)
        alltoall = comm.EP_STEP(
            moe_layers=moe,
            top_k=a.num_experts_per_tok,
            hidden_size=h,
            tokens_per_gpu=tokens.value,
            value_bytes=s.value_bytes,
            ep=ep,
        )
        link = s.node_link if ep <= s.node and (pp == 1 or ep <= tp) else comm.NETWORK
        t = comm.link_time(alltoall.value, link)
        sent, time = sent + alltoall.value, time + t.value
        links.append(link.name)
        terms += [tokens, alltoall, t]
    if pp > 1:
        hops = comm.network_hops(tp, pp, s.node)
        hop, t = comm.pp_traffic(h, batch, pp, s.value_bytes, hops, s.node_link)
        sent, time, hop_bytes = sent + hop.value, time + t.value, hop.value
        links += [s.node_link.name] * (hops < pp - 1) + [comm.NETWORK.name] * (hops > 0)
        terms += [hop, t]
    return sent, time, hop_bytes, tuple(dict.fromkeys(links)), terms


def evaluate(s: Setup, key: str, label: str, tp: int, pp: int, dp: int, ep: int = 1, note: str = "") -> Split:
    """Memory per GPU and traffic per step of a split, with every formula that produced them."""
    users = USERS_PER_REPLICA(users=s.users, dp=dp)
    rho = kv_replication(s.arch, tp)
    kv = KV_CACHE(users=users.value, context_tokens=s.context_tokens, kv_bytes_per_token=s.kv_bytes_per_token)
    kv_gpu = KV_PER_GPU(kv_cache_bytes=kv.value, replication=rho, tp=tp, pp=pp)
    over = per_gpu_bytes(s.arch, Layout(tp * pp, tp, pp, rho), s.settings, s.gpu)
    terms = [users, kv, kv_gpu]
    state = 0.0
    if s.state_bytes_per_sequence:  # each user's fixed state, split over the group like the layers
        state_term = STATE(users=users.value, state_bytes_per_sequence=s.state_bytes_per_sequence)
        terms.append(state_term)
        state = state_term.value
    experts_per_gpu = 0
    if ep > 1:
        experts = WEIGHTS(params=param_breakdown(s.arch).routed_experts, bits=s.precision.effective_bits)
        w_gpu = EP_WEIGHTS_PER_GPU(
            weights_bytes=s.weights.value, expert_weights_bytes=experts.value, tp=tp, pp=pp, ep=ep
        )
        parts = {"weights_per_gpu_bytes": w_gpu.value, "kv_per_gpu_bytes": kv_gpu.value}
        if state:
            total = EP_PER_GPU_STATE(**parts, state_bytes=state, tp=tp, pp=pp, overhead_per_gpu_bytes=over)
        else:
            total = EP_PER_GPU(**parts, overhead_per_gpu_bytes=over)
        per_gpu = EXPERTS_PER_GPU(experts=s.arch.n_routed_experts, ep=ep)
        experts_per_gpu = int(per_gpu.value)
        terms += [experts, w_gpu, per_gpu, total]
    else:
        w_gpu = WEIGHTS_PER_GPU(weights_bytes=s.weights.value, tp=tp, pp=pp)
        need = {"weights_bytes": s.weights.value, "kv_cache_bytes": kv.value, "replication": rho}
        need |= {"gpus": tp * pp, "overhead_per_gpu_bytes": over}
        total = NEED_STATE(**need, state_bytes=state) if state else NEED(**need)
        terms += [w_gpu, total]
    sent, time, hop_bytes, links, comm_terms = _traffic(s, tp, pp, ep, int(users.value))
    gap = comm.bubble(pp, s.micro_batches)
    return Split(
        key, label, True, note, tp, pp, dp, ep, experts_per_gpu, int(users.value), w_gpu.value, kv_gpu.value,
        over, total.value, total.value <= s.budget.value, sent, time, hop_bytes, links, gap.value,
        tuple(terms + comm_terms + ([gap] if pp > 1 else [])),
    )  # fmt: skip


def impossible(key: str, label: str, tp: int, pp: int, dp: int, note: str) -> Split:
    """A split the model's shape rules out (TP not dividing the heads, more stages than layers)."""
    return Split(key, label, False, note, tp, pp, dp, 1, 0, 0, 0.0, 0.0, 0.0, 0.0, False, 0.0, 0.0, 0.0, (), 0.0, ())


def candidates(s: Setup) -> list[int]:
    """Model-parallel group sizes to try, smallest first (the recommendation's ladder, then all N)."""
    n, node = s.gpus, s.node
    sizes = {c for c in _in_node_counts(node) if c <= n and (n <= node or node % c == 0)}
    sizes |= set(range(2 * node, n + 1, node)) | {n}
    return sorted(sizes)


def tp_problem(arch: Architecture, tp: int) -> str:
    """Why `tp` cannot split this model's attention ('' if it can), by vLLM's rules.

    Query heads are split evenly (Architecture.tp_must_divide); KV heads are split when TP divides them
    and copied when TP is a multiple of them (kv_replication), anything else is refused. MLA has no
    separate KV heads to check.
    """
    if arch.tp_must_divide % tp:
        return f"TP must divide the {arch.tp_must_divide} attention heads"
    kv = arch.num_key_value_heads
    if arch.kv_lora_rank is None and kv % tp and tp % kv:
        return f"TP must divide the {kv} KV heads or be a multiple of them"
    return ""


def search(s: Setup) -> tuple[Split, list[Split]]:
    """The smallest group that fits (or, if none does, the largest possible one) and every group tried."""
    tried = []
    for g in candidates(s):
        lay = layout(s.arch, g, s.node)
        if lay.pipeline_parallel > s.arch.num_hidden_layers or tp_problem(s.arch, lay.tensor_parallel):
            continue
        split = evaluate(s, "recommended", "", lay.tensor_parallel, lay.pipeline_parallel, s.gpus // g)
        tried.append(split)
        if split.fits:
            return split, tried
    return tried[-1], tried


def ep_degree(arch: Architecture, gpus_per_stage: int) -> int:
    """The largest number of GPUs (up to one stage's) that the routed experts divide evenly over."""
    if not arch.is_moe:
        return 1
    return max(d for d in range(1, min(gpus_per_stage, arch.n_routed_experts) + 1) if arch.n_routed_experts % d == 0)


def decode_time(s: Setup, split: Split) -> float:
    """Seconds of one decode step of a replica without communication (the roofline of the VRAM section's GPU)."""
    read, _ = bytes_read(s.arch, s.precision, split.users_per_replica)
    one_copy = KV_CACHE(
        users=split.users_per_replica, context_tokens=s.context_tokens, kv_bytes_per_token=s.kv_bytes_per_token
    )
    kv = one_copy.value * kv_replication(s.arch, split.tp)  # every copy is read
    params = param_breakdown(s.arch).active_compute
    step = decode_step(s.gpu, split.tp, read, kv, split.users_per_replica, params, s.precision)
    return step.time_s


def stage_layers(layers: int, pp: int) -> tuple[tuple[int, int], ...]:
    """(first, last) layer, 1-based, of each pipeline stage, split as vLLM's get_pp_indices does.

    Every stage gets layers // p; the remainder goes one each to the stages just before the last, which
    also holds the output head (vllm/distributed/utils.py).
    """
    sizes = [layers // pp] * pp
    for i in range(2, layers % pp + 2):
        sizes[-i] += 1
    bounds, first = [], 1
    for size in sizes:
        bounds.append((first, first + size - 1))
        first += size
    return tuple(bounds)
