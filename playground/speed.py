"""How long one engine step takes on one GPU: the roofline, with what real engines reach of it.

An engine step runs every layer once for the sequences in the batch: some decode one token each,
others prefill a chunk of their prompt. On one GPU of one pipeline stage it takes

- linear layers: the longer of streaming their weights and doing their FLOPs (2 per weight per token);
- attention: the longer of reading the batch's KV cache and its score/value FLOPs, which grow with the
  context each token attends to;
- tensor-parallel all-reduces (two per layer), pipeline hand-offs and MoE all-to-alls: a latency per
  call plus the message over the GPU's link;
- a fixed cost per step (scheduling, sampling, kernel launches that CUDA graphs do not hide).

What a GPU reaches of its datasheet is not one constant: streaming a small matrix never gets up to
speed, so the achieved bandwidth is efficiency x BW x m / (m + m_half), m being the bytes of one layer's
weights on one GPU (smaller under tensor parallelism). FLOP/s efficiency depends on the number format.
The constants come from a fit to measured benchmarks (calibration.py, tools/calibrate.py); `ideal()`
is the plain roofline: every peak reached, no fixed costs, the upper bound on speed.

`step_time_s` is the plain-arithmetic path the fit calls thousands of times; `step_terms` computes the
same number through the Formulas the pages show (a test checks they agree).
"""

from dataclasses import dataclass

from .architecture import Architecture, kv_bytes_per_token, param_breakdown
from .checkpoint import bytes_read
from .errors import InputError, positive_float
from .flops import attention_and_state_flops
from .formula import Formula, Term
from .gpus import Gpu, peak_flops
from .overhead import kv_replication
from .roofline import experts_touched, weights_bytes_read
from .state import state_bytes_per_sequence

ACTIVATION_BYTES = 2  # engines pass activations between GPUs in 16-bit

_SYMBOLS = {
    "achieved_bandwidth": ("BW_a", "bytes_per_s", "bandwidth reached streaming weights"),
    "bandwidth_efficiency": ("η_bw", "percent", "share of peak bandwidth reached on large matrices"),
    "bandwidth": ("BW", "bytes_per_s", "memory bandwidth per GPU (datasheet)"),
    "layer_bytes": ("m", "bytes", "one layer's weights on one GPU"),
    "half_bytes": ("m½", "bytes", "matrix size that reaches half the efficiency (fitted)"),
    "weights_time_s": ("t_W", "s", "time to stream the weights"),
    "weights_bytes": ("W", "bytes", "weight bytes one step reads, per GPU"),
    "linear_compute_s": ("t_F", "s", "time for the linear layers' FLOPs"),
    "linear_flops": ("F_lin", "flops", "linear-layer FLOPs per step, per GPU (dense part)"),
    "expert_flops": ("F_exp", "flops", "routed-expert FLOPs per step, per GPU"),
    "rows": ("n", "number", "tokens per dense matrix multiply"),
    "expert_rows": ("n_e", "number", "tokens per expert touched (tokens x k / experts touched)"),
    "half_rows": ("n½", "number", "rows that reach half the FLOP/s efficiency (fitted)"),
    "flops_efficiency": ("η_F", "percent", "share of peak FLOP/s reached (per format)"),
    "peak_flops": ("F", "flops_per_s", "dense peak FLOP/s per GPU for the format"),
    "linear_time_s": ("t_lin", "s", "linear layers"),
    "attention_time_s": ("t_att", "s", "attention"),
    "kv_bytes": ("KV", "bytes", "KV cache read per step, per GPU"),
    "attention_flops": ("F_att", "flops", "attention FLOPs per step, per GPU"),
    "attention_efficiency": ("η_A", "percent", "share of BF16 peak attention reaches"),
    "attention_peak_flops": ("F_16", "flops_per_s", "BF16 dense peak per GPU"),
    "allreduce_time_s": ("t_AR", "s", "tensor-parallel all-reduces"),
    "allreduces": ("n_AR", "int", "all-reduces per step (2 per layer)"),
    "latency_s": ("α", "s", "latency per collective (fitted)"),
    "tp": ("t", "int", "tensor-parallel GPUs"),
    "ep": ("e", "int", "expert-parallel GPUs"),
    "message_bytes": ("S", "bytes", "message per call"),
    "link_efficiency": ("η_L", "percent", "share of link bandwidth reached (fitted)"),
    "link_bandwidth": ("BW_L", "bytes_per_s", "GPU link, one direction"),
    "handoff_time_s": ("t_PP", "s", "pipeline hand-off"),
    "handoffs": ("n_PP", "int", "hand-offs per step"),
    "alltoall_time_s": ("t_A2A", "s", "MoE all-to-alls"),
    "alltoalls": ("n_A2A", "int", "all-to-alls per step (2 per MoE layer)"),
    "step_overhead_s": ("t_0", "s", "fixed cost per step (fitted)"),
    "activation_time_s": ("t_act", "s", "norms, activations, residuals"),
    "activation_passes": ("φ", "number", "passes over the activations per layer (fitted)"),
    "activation_bytes": ("X", "bytes", "one pass over the step's activations, per GPU"),
    "step_time_s": ("t_step", "s", "one engine step"),
}
ACHIEVED_BANDWIDTH = Formula(
    "achieved_bandwidth = bandwidth_efficiency * bandwidth * layer_bytes / (layer_bytes + half_bytes)",
    why="small per-GPU matrices never get the memory system up to speed (kernel launch and tail effects)",
    symbols=_SYMBOLS,
)
WEIGHTS_TIME = Formula(
    "weights_time_s = weights_bytes / achieved_bandwidth", why="each step streams the weights", symbols=_SYMBOLS
)
LINEAR_COMPUTE = Formula(
    "linear_compute_s = (linear_flops * (rows + half_rows) / rows + expert_flops * (expert_rows + half_rows)"
    " / expert_rows) / (flops_efficiency * peak_flops)",
    why="2 FLOPs per weight per token; a multiply with few rows (an expert sees tokens x k / E) runs below peak",
    symbols=_SYMBOLS,
)
LINEAR = Formula(
    "linear_time_s = max(weights_time_s, linear_compute_s)",
    why="the matrix multiplies wait for memory or for the tensor cores, whichever is slower",
    symbols=_SYMBOLS,
)
ATTENTION = Formula(
    "attention_time_s = max(kv_bytes / (bandwidth_efficiency * bandwidth),"
    " attention_flops / (attention_efficiency * attention_peak_flops))",
    why="decode attention reads the KV cache; prefill attention is FLOPs that grow with the context",
    symbols=_SYMBOLS,
)
ALLREDUCE = Formula(
    "allreduce_time_s = allreduces * (latency_s + 2 * (tp - 1) / tp * message_bytes"
    " / (link_efficiency * link_bandwidth))",
    why="two all-reduces per layer join the tensor-parallel partial sums (a ring moves 2(t−1)/t of the message)",
    symbols=_SYMBOLS,
)
HANDOFF = Formula(
    "handoff_time_s = handoffs * (latency_s + message_bytes / (link_efficiency * link_bandwidth))",
    why="each pipeline stage sends its activations to the next",
    symbols=_SYMBOLS,
)
ALLTOALL = Formula(
    "alltoall_time_s = alltoalls * (latency_s + (ep - 1) / ep * message_bytes / (link_efficiency * link_bandwidth))",
    why="expert parallelism sends tokens to the GPUs holding their experts and back",
    symbols=_SYMBOLS,
)
ACTIVATIONS = Formula(
    "activation_time_s = activation_passes * activation_bytes / (bandwidth_efficiency * bandwidth)",
    why="norms, the MLP's activation function and residual adds stream each token's activations",
    symbols=_SYMBOLS,
)
STEP = Formula(
    "step_time_s = linear_time_s + attention_time_s + activation_time_s + allreduce_time_s + handoff_time_s"
    " + alltoall_time_s + step_overhead_s",
    why="the parts run one after another",
    symbols=_SYMBOLS,
)


@dataclass(frozen=True)
class Efficiency:
    """What an engine reaches of the datasheet peaks, and its fixed costs."""

    name: str  # "calibrated", "ideal" or "custom"
    bandwidth: float  # η_bw on large matrices
    half_bytes: float  # m_half: per-GPU bytes per layer at which streaming reaches half of η_bw
    half_rows: float  # n_half: rows (tokens) per matrix multiply at which FLOP/s reach half of η_F
    bf16_flops: float  # η_F per math format (attention runs at the BF16 rate with bf16_flops)
    fp8_flops: float
    fp4_flops: float
    link: float  # η_L
    latency_s: float  # α per collective call
    step_overhead_s: float  # t_0
    activation_passes: float = 0.0  # φ: times each token's activations cross memory per layer (fitted)

    def flops(self, compute_format: str) -> float:
        """η_F for the tensor-core format the step runs (int8 runs at the FP8 efficiency)."""
        return {"fp8": self.fp8_flops, "int8": self.fp8_flops, "fp4": self.fp4_flops}.get(
            compute_format, self.bf16_flops
        )


def ideal() -> Efficiency:
    """The plain roofline: every peak reached, no latencies, no fixed costs (the upper bound)."""
    return Efficiency("ideal", 1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0)


def custom(fraction: float) -> Efficiency:
    """The roofline with every peak scaled by one share (the old single 'efficiency' input)."""
    fraction = positive_float(fraction, "efficiency", "efficiency", maximum=1.0)
    return Efficiency("custom", fraction, 0.0, 0.0, fraction, fraction, fraction, fraction, 0.0, 0.0, 0.0)


@dataclass(frozen=True)
class StepWork:
    """What one step asks of one GPU of one pipeline stage: bytes, FLOPs and messages (no efficiencies)."""

    decode_seqs: int
    prefill_tokens: float
    layers: float  # layers on this stage
    weights_bytes: float
    linear_flops: float  # dense part (attention projections, dense and shared MLPs, output head)
    expert_flops: float  # routed experts
    rows: float  # tokens in the step: the rows of every dense multiply
    expert_rows: float  # average tokens per routed expert
    compute_format: str  # tensor-core format of the linear layers (gpus.peak_flops)
    peak_flops: float
    attention_peak_flops: float
    kv_bytes: float
    activation_bytes: float  # one pass over every token's activations in every layer, per GPU
    attention_flops: float
    bandwidth_bytes_per_s: float
    link_bytes_per_s: float  # one direction
    tp: int
    ep: int
    allreduces: int
    allreduce_bytes: float
    handoffs: int
    handoff_bytes: float
    alltoalls: int
    alltoall_bytes: float

    @property
    def layer_bytes(self) -> float:
        return self.weights_bytes / self.layers


def attention_flops_per_token(arch: Architecture, context_tokens: float) -> float:
    """Score/value FLOPs (and linear-attention or SSM state updates) of one token attending `context_tokens`,
    from the same architecture description as parameters and KV (flops.py: windows and chunks cap it)."""
    return _memo(arch, ("attention", max(1, round(context_tokens))), _attention_flops)


def _attention_flops(arch: Architecture, context_tokens: int) -> float:
    return attention_and_state_flops(arch, context_tokens)


_MEMO: dict[int, tuple[Architecture, dict]] = {}


def _memo(arch: Architecture, key: tuple, compute):
    """compute(arch, *key[1:]) remembered per architecture object: the simulator asks for the same few
    contexts thousands of times, and hashing a whole Architecture per lookup costs more than the math."""
    entry = _MEMO.get(id(arch))
    if entry is None or entry[0] is not arch:
        if len(_MEMO) > 64:
            _MEMO.clear()
        entry = _MEMO[id(arch)] = (arch, {})
    table = entry[1]
    if key not in table:
        if len(table) > 8192:
            table.clear()
        table[key] = compute(arch, *key[1:])
    return table[key]


def step_work(
    arch: Architecture,
    gpu: Gpu,
    weight_bits: float,
    compute: str,
    kv_bits: int,
    decode_seqs: int,
    decode_context_tokens: float,
    prefill_tokens: float = 0.0,
    prefill_context_tokens: float = 0.0,
    tp: int = 1,
    pp: int = 1,
    ep: int = 1,
    precision=None,
) -> StepWork:
    """The bytes, FLOPs and messages of one step that decodes `decode_seqs` sequences (each holding
    `decode_context_tokens`) and prefills `prefill_tokens` prompt tokens (attending on average
    `prefill_context_tokens` each), on one GPU of a TP x PP replica. Weights are stored at `weight_bits`
    (scales included) and multiplied on the `compute` tensor-core format (gpus.peak_flops); given the
    Precision, the groups a mixed checkpoint keeps in BF16 are read at 16 bits (checkpoint.py)."""
    shape = Replica(arch, gpu, weight_bits, compute, kv_bits, tp, pp, ep, precision)
    return shape.work(decode_seqs, decode_context_tokens, prefill_tokens, prefill_context_tokens)


class Replica:
    """What a replica's steps share (model, GPU, formats, layout), so a simulator's thousands of steps
    only do the arithmetic that depends on the step's tokens and contexts."""

    def __init__(self, arch, gpu, weight_bits, compute, kv_bits, tp=1, pp=1, ep=1, precision=None):
        self.arch, self.gpu, self.kv_bits, self.tp, self.pp, self.ep = arch, gpu, kv_bits, tp, pp, ep
        self.weight_bits, self.precision = weight_bits, precision
        self.p = p = _memo(arch, ("params",), param_breakdown)
        self.gpus = tp * pp
        self.routed = p.experts_per_token * p.params_per_expert * p.moe_layers  # routed weights a token runs
        self.flops, self.fmt = peak_flops(gpu, compute)
        self.bf16, _ = peak_flops(gpu, "bf16")
        # linear-attention and SSM layers read and write each sequence's fixed state every step
        self.state = _memo(arch, ("state",), state_bytes_per_sequence)
        self.replication = kv_replication(arch, tp)
        self.layers = arch.num_hidden_layers / pp
        self.width = arch.hidden_size + arch.ffn_width / tp
        self._reads: dict = {}

    def _weights(self, rows: int) -> float:
        if rows not in self._reads:
            a, q = self.arch, self.precision
            read = bytes_read(a, q, rows)[0] if q is not None else weights_bytes_read(a, self.weight_bits / 8, rows)[0]
            self._reads[rows] = read
        return self._reads[rows]

    def work(self, decode_seqs, decode_context_tokens, prefill_tokens=0.0, prefill_context_tokens=0.0) -> StepWork:
        """The StepWork of one step (see step_work)."""
        if decode_seqs < 0 or prefill_tokens < 0 or decode_seqs + prefill_tokens <= 0:
            raise InputError("a step needs at least one token", "batch")
        arch, p, gpus, layers = self.arch, self.p, self.gpus, self.layers
        tokens = decode_seqs + prefill_tokens
        # logits only for the last prompt token (engines skip the rest), so prefill tokens skip the head
        linear = 2 * (p.active_compute * decode_seqs + (p.active_compute - p.lm_head) * prefill_tokens)
        expert = 2 * self.routed * tokens
        context = max(1, round(decode_context_tokens))
        kv_seq = decode_context_tokens * _memo(arch, ("kv", self.kv_bits, context), kv_bytes_per_token)
        kv = decode_seqs * (kv_seq + 2 * self.state) * self.replication
        attention = decode_seqs * attention_flops_per_token(arch, decode_context_tokens)
        attention += prefill_tokens * attention_flops_per_token(arch, prefill_context_tokens)
        message = tokens * arch.hidden_size * ACTIVATION_BYTES
        return StepWork(
            decode_seqs=decode_seqs,
            prefill_tokens=prefill_tokens,
            layers=layers,
            weights_bytes=self._weights(max(1, round(tokens))) / gpus,
            linear_flops=(linear - expert) / gpus,
            expert_flops=expert / gpus,
            rows=tokens,
            expert_rows=_expert_rows(p, tokens),
            compute_format=self.fmt,
            peak_flops=self.flops,
            attention_peak_flops=self.bf16,
            kv_bytes=kv / gpus,
            activation_bytes=tokens * layers * self.width * ACTIVATION_BYTES,
            attention_flops=attention / gpus,
            bandwidth_bytes_per_s=self.gpu.bandwidth_bytes_per_s,
            link_bytes_per_s=self.gpu.interconnect_bytes_per_s / 2,
            tp=self.tp,
            ep=self.ep,
            allreduces=round(2 * layers) if self.tp > 1 else 0,
            allreduce_bytes=message,
            handoffs=1 if self.pp > 1 else 0,
            handoff_bytes=message,
            alltoalls=round(2 * p.moe_layers / self.pp) if self.ep > 1 else 0,
            alltoall_bytes=message * max(1, arch.num_experts_per_tok) / self.ep,
        )

    def step_time_fn(self, e: Efficiency):
        """step_time_s(self.work(d, c, p, pc), e) as a function of (d, c, p, pc), for the simulator.

        The same helpers as step_time_s (a unit test checks the results are equal bit for bit), but no
        StepWork is built, and the part that depends only on the step's token counts (linear layers,
        activations, communication) is computed once per (d, p): a simulation meets thousands of contexts
        and far fewer batch shapes.
        """
        arch, p, gpus, layers = self.arch, self.p, self.gpus, self.layers
        active, head, routed, hidden = p.active_compute, p.lm_head, self.routed, arch.hidden_size
        bw, link = self.gpu.bandwidth_bytes_per_s, self.gpu.interconnect_bytes_per_s / 2
        peak_flops = e.flops(self.fmt) * self.flops
        allreduces = round(2 * layers) if self.tp > 1 else 0
        handoffs = 1 if self.pp > 1 else 0
        alltoalls = round(2 * p.moe_layers / self.pp) if self.ep > 1 else 0
        experts_k = max(1, arch.num_experts_per_tok)
        state2, replication, kv_bits = 2 * self.state, self.replication, self.kv_bits
        by_tokens: dict = {}
        kv_per_token: dict = {}
        attention_per_token: dict = {}

        def tokens_part(decode_seqs, prefill_tokens) -> tuple[float, float, float]:
            """Linear layers + activations + communication: what depends on the token counts only."""
            if decode_seqs < 0 or prefill_tokens < 0 or decode_seqs + prefill_tokens <= 0:
                raise InputError("a step needs at least one token", "batch")
            tokens = decode_seqs + prefill_tokens
            linear = 2 * (active * decode_seqs + (active - head) * prefill_tokens)
            expert = 2 * routed * tokens
            message = tokens * hidden * ACTIVATION_BYTES
            weights_bytes = self._weights(max(1, round(tokens))) / gpus
            linear_s = _linear_time_s(
                e,
                bw,
                peak_flops,
                weights_bytes,
                layers,
                (linear - expert) / gpus,
                tokens,
                expert / gpus,
                _expert_rows(p, tokens),
            )
            activations = _activation_time_s(e, bw, tokens * layers * self.width * ACTIVATION_BYTES)
            comm = _comm_time_s(
                e,
                link,
                self.tp,
                self.ep,
                allreduces,
                message,
                handoffs,
                message,
                alltoalls,
                message * experts_k / self.ep,
            )
            return linear_s, activations, comm

        def attention_flops(context_tokens) -> float:
            key = max(1, round(context_tokens))
            if key not in attention_per_token:
                attention_per_token[key] = attention_flops_per_token(arch, context_tokens)
            return attention_per_token[key]

        def step(decode_seqs, decode_context_tokens, prefill_tokens=0.0, prefill_context_tokens=0.0) -> float:
            part = by_tokens.get((decode_seqs, prefill_tokens))
            if part is None:
                if len(by_tokens) > 50_000:
                    by_tokens.clear()
                part = by_tokens[(decode_seqs, prefill_tokens)] = tokens_part(decode_seqs, prefill_tokens)
            linear_s, activations, comm = part
            context = max(1, round(decode_context_tokens))
            if context not in kv_per_token:
                kv_per_token[context] = _memo(arch, ("kv", kv_bits, context), kv_bytes_per_token)
            kv = decode_seqs * (decode_context_tokens * kv_per_token[context] + state2) * replication
            attention = decode_seqs * attention_flops(decode_context_tokens)
            attention += prefill_tokens * attention_flops(prefill_context_tokens)
            attention_s = _attention_time_s(e, bw, self.bf16, kv / gpus, attention / gpus)
            return linear_s + attention_s + activations + comm + e.step_overhead_s

        return step


def _expert_rows(p, tokens: float) -> float:
    """Average tokens per routed expert the step touches: tokens x k / experts touched (1 at one token)."""
    if not p.n_routed_experts:
        return 1.0
    k = p.experts_per_token
    return tokens * k / experts_touched(p.n_routed_experts, k, tokens)  # uniform routing


def step_time_s(w: StepWork, e: Efficiency) -> float:
    """Seconds for one step: the same arithmetic as step_terms, without building terms (the fit's path)."""
    peak_flops = e.flops(w.compute_format) * w.peak_flops
    linear = _linear_time_s(
        e,
        w.bandwidth_bytes_per_s,
        peak_flops,
        w.weights_bytes,
        w.layers,
        w.linear_flops,
        w.rows,
        w.expert_flops,
        w.expert_rows,
    )
    attention = _attention_time_s(e, w.bandwidth_bytes_per_s, w.attention_peak_flops, w.kv_bytes, w.attention_flops)
    comm = _comm_time_s(
        e,
        w.link_bytes_per_s,
        w.tp,
        w.ep,
        w.allreduces,
        w.allreduce_bytes,
        w.handoffs,
        w.handoff_bytes,
        w.alltoalls,
        w.alltoall_bytes,
    )
    activations = _activation_time_s(e, w.bandwidth_bytes_per_s, w.activation_bytes)
    return linear + attention + activations + comm + e.step_overhead_s


# The parts of step_time_s, shared with Replica.step_time_fn (the simulator's fused path) so that the two
# cannot drift apart; step_terms spells the same arithmetic out as the Formulas the pages show.
def _linear_time_s(
    e, bandwidth_bytes_per_s, peak_flops, weights_bytes, layers, linear_flops, rows, expert_flops, expert_rows
) -> float:
    m = weights_bytes / layers
    achieved = e.bandwidth * bandwidth_bytes_per_s * m / (m + e.half_bytes)
    flops = linear_flops * (rows + e.half_rows) / rows
    flops += expert_flops * (expert_rows + e.half_rows) / expert_rows
    return max(weights_bytes / achieved, flops / peak_flops)


def _attention_time_s(e, bandwidth_bytes_per_s, attention_peak_flops, kv_bytes, attention_flops) -> float:
    return max(
        kv_bytes / (e.bandwidth * bandwidth_bytes_per_s), attention_flops / (e.bf16_flops * attention_peak_flops)
    )


def _comm_time_s(
    e, link_bytes_per_s, tp, ep, allreduces, allreduce_bytes, handoffs, handoff_bytes, alltoalls, alltoall_bytes
) -> float:
    link = e.link * link_bytes_per_s
    comm = 0.0
    if allreduces:
        comm += allreduces * (e.latency_s + 2 * (tp - 1) / tp * allreduce_bytes / link)
    if handoffs:
        comm += handoffs * (e.latency_s + handoff_bytes / link)
    if alltoalls:
        comm += alltoalls * (e.latency_s + (ep - 1) / ep * alltoall_bytes / link)
    return comm


def _activation_time_s(e, bandwidth_bytes_per_s, activation_bytes) -> float:
    return e.activation_passes * activation_bytes / (e.bandwidth * bandwidth_bytes_per_s)


def step_terms(w: StepWork, e: Efficiency) -> tuple[Term, ...]:
    """The step time as the Formulas the pages show; the last term is the step time."""
    bw = ACHIEVED_BANDWIDTH(
        bandwidth_efficiency=e.bandwidth,
        bandwidth=w.bandwidth_bytes_per_s,
        layer_bytes=w.layer_bytes,
        half_bytes=e.half_bytes,
    )
    weights = WEIGHTS_TIME(weights_bytes=w.weights_bytes, achieved_bandwidth=bw.value)
    compute = LINEAR_COMPUTE(
        linear_flops=w.linear_flops,
        rows=w.rows,
        expert_flops=w.expert_flops,
        expert_rows=w.expert_rows,
        half_rows=e.half_rows,
        flops_efficiency=e.flops(w.compute_format),
        peak_flops=w.peak_flops,
    )
    linear = LINEAR(weights_time_s=weights.value, linear_compute_s=compute.value)
    attention = ATTENTION(
        kv_bytes=w.kv_bytes,
        bandwidth_efficiency=e.bandwidth,
        bandwidth=w.bandwidth_bytes_per_s,
        attention_flops=w.attention_flops,
        attention_efficiency=e.bf16_flops,
        attention_peak_flops=w.attention_peak_flops,
    )
    act = ACTIVATIONS(
        activation_passes=e.activation_passes,
        activation_bytes=w.activation_bytes,
        bandwidth_efficiency=e.bandwidth,
        bandwidth=w.bandwidth_bytes_per_s,
    )
    link = {"link_efficiency": e.link, "link_bandwidth": w.link_bytes_per_s, "latency_s": e.latency_s}
    terms = [bw, weights, compute, linear, attention, act]
    parts = {"allreduce_time_s": 0.0, "handoff_time_s": 0.0, "alltoall_time_s": 0.0}
    if w.allreduces:
        t = ALLREDUCE(allreduces=w.allreduces, tp=w.tp, message_bytes=w.allreduce_bytes, **link)
        terms.append(t)
        parts["allreduce_time_s"] = t.value
    if w.handoffs:
        t = HANDOFF(handoffs=w.handoffs, message_bytes=w.handoff_bytes, **link)
        terms.append(t)
        parts["handoff_time_s"] = t.value
    if w.alltoalls:
        t = ALLTOALL(alltoalls=w.alltoalls, ep=w.ep, message_bytes=w.alltoall_bytes, **link)
        terms.append(t)
        parts["alltoall_time_s"] = t.value
    terms.append(
        STEP(
            linear_time_s=linear.value,
            attention_time_s=attention.value,
            activation_time_s=act.value,
            step_overhead_s=e.step_overhead_s,
            **parts,
        )
    )
    return tuple(terms)
