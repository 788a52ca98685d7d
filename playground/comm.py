"""What parallel inference sends between GPUs in one decode step, and how long each link takes to carry it.

One decode step generates one token for each of B sequences. Per step:
- tensor parallelism all-reduces the hidden state twice per layer (after attention, after the MLP), the
  Megatron-LM scheme (Shoeybi et al. 2019, arXiv 1909.08053, section 3) that vLLM implements. A ring
  all-reduce (reduce-scatter then all-gather) makes each of t GPUs send 2(t-1)/t of the data: NCCL's
  "bus bandwidth" factor (NVIDIA nccl-tests, doc/PERFORMANCE.md);
- pipeline parallelism sends the hidden state point to point from each stage to the next;
- expert parallelism sends each token's hidden state to its top-k experts and back (all-to-all);
- data parallelism sends nothing: replicas never talk.
Activations travel in the model dtype (BF16/FP16; FP32 for an FP32 model) whatever the weight format,
as vLLM all-reduces them. Times are bandwidth only: every collective also pays a fixed latency of a few
microseconds that this leaves out, which dominates at small batches.
"""

from dataclasses import dataclass

from .formula import Formula, Term
from .gpus import Gpu, get_gpu
from .precision import Precision


@dataclass(frozen=True)
class Link:
    """A GPU's path to its peers; bytes_per_s counts both directions (the vendors' headline convention)."""

    id: str
    name: str
    bytes_per_s: float
    source: str


# One ConnectX-7 NIC at 400 Gb/s InfiniBand NDR per GPU, as in a DGX H100 (and HGX H100/H200/B200 clusters):
# 400 Gb/s = 50 GB/s each way, 100 GB/s both ways.
NETWORK = Link(
    "ib-ndr",
    "InfiniBand NDR 400 Gb/s per GPU",
    100e9,
    "NVIDIA DGX H100 User Guide, 'Network Modules': eight ConnectX-7 ports, one per GPU, 400 Gb/s InfiniBand NDR",
)
# PCIe 5.0: 32 GT/s per lane with 128b/130b coding, x16 = 63 GB/s each way, ~128 GB/s both ways.
PCIE5 = Link("pcie5", "PCIe 5.0 x16", 128e9, "PCI-SIG, PCI Express Base Specification 5.0 (32 GT/s per lane)")


def node_link(gpu: Gpu) -> Link:
    """The GPU's scale-up link inside its node (NVLink, Infinity Fabric, or PCIe where it has nothing else)."""
    return Link(gpu.id, gpu.interconnect, gpu.interconnect_bytes_per_s, gpu.source)


def nvlink_reference() -> Link:
    """H100 SXM's NVLink 4, the yardstick a PCIe-only GPU is compared with."""
    return node_link(get_gpu("h100-sxm"))


def activation_value_bytes(precision: Precision) -> int:
    """Bytes per activation value on the wire: the model dtype, not the (possibly quantized) weight format."""
    return 4 if precision.bits == 32 else 2


_SYMBOLS = {
    "tp_bytes_per_layer": ("D_l", "bytes", "all-reduce data per layer"),
    "hidden_size": ("h", "int", "hidden size"),
    "batch": ("B", "int", "sequences in the decode step"),
    "value_bytes": ("a", "int", "bytes per activation value"),
    "ring_bytes_per_layer": ("S_l", "bytes", "sent per GPU per layer (ring)"),
    "tp": ("t", "int", "tensor-parallel GPUs"),
    "tp_bytes_per_step": ("S_tp", "bytes", "TP traffic per GPU per step"),
    "layers": ("L", "int", "layers"),
    "comm_time_s": ("t_link", "s", "time on the link"),
    "bytes": ("S", "bytes", "bytes each GPU sends"),
    "link_bytes_per_s": ("BW", "bytes_per_s", "link bandwidth, both directions"),
    "pp_bytes_per_hop": ("S_pp", "bytes", "one stage-to-stage hand-off"),
    "pp": ("p", "int", "pipeline stages"),
    "pp_time_s": ("t_pp", "s", "stage hand-offs per step"),
    "node_hops": ("n_in", "int", "hand-offs inside a node"),
    "network_hops": ("n_net", "int", "hand-offs across nodes"),
    "node_link_bytes_per_s": ("BW_node", "bytes_per_s", "in-node link, both directions"),
    "network_bytes_per_s": ("BW_net", "bytes_per_s", "network per GPU, both directions"),
    "bubble_fraction": ("β", "percent", "pipeline bubble"),
    "micro_batches": ("m", "int", "micro-batches"),
    "tokens_per_gpu": ("B_g", "number", "tokens each GPU dispatches"),
    "ep_bytes_per_step": ("S_ep", "bytes", "all-to-all traffic per GPU per step"),
    "moe_layers": ("L_moe", "int", "MoE layers"),
    "top_k": ("k", "int", "experts per token"),
    "ep": ("e", "int", "expert-parallel GPUs"),
    "ep_allreduce_bytes_per_step": ("S_ar", "bytes", "remaining all-reduce traffic per GPU"),
    "allreduces_per_step": ("n_ar", "int", "all-reduces per decode step"),
}
TP_LAYER = Formula(
    "tp_bytes_per_layer = 2 * hidden_size * batch * value_bytes",
    why="two all-reduces per layer (after attention and after the MLP), each of one hidden vector per sequence",
    symbols=_SYMBOLS,
)
RING = Formula(
    "ring_bytes_per_layer = 2 * (tp - 1) / tp * tp_bytes_per_layer",
    why="a ring all-reduce (reduce-scatter, then all-gather) makes each GPU send 2(t − 1)/t of the data",
    symbols=_SYMBOLS,
)
TP_STEP = Formula(
    "tp_bytes_per_step = layers * ring_bytes_per_layer",
    why="every layer does it, every decode step",
    symbols=_SYMBOLS,
)
ALLREDUCES = Formula(
    "allreduces_per_step = 2 * layers",
    why="each also pays a fixed launch-and-sync latency (microseconds) that the bandwidth times leave out",
    symbols=_SYMBOLS,
)
LINK_TIME = Formula(
    "comm_time_s = bytes / (link_bytes_per_s / 2)",
    why="each GPU sends and receives at once, so one direction (half the headline figure) sets the pace",
    symbols=_SYMBOLS,
)
PP_HOP = Formula(
    "pp_bytes_per_hop = hidden_size * batch * value_bytes",
    why="each stage sends the next one hidden vector per sequence, point to point",
    symbols=_SYMBOLS,
)
PP_TIME = Formula(
    "pp_time_s = pp_bytes_per_hop * (node_hops / (node_link_bytes_per_s / 2)"
    " + network_hops / (network_bytes_per_s / 2))",
    why="the p − 1 hand-offs happen one after another; inside a node they ride its link, between nodes the network",
    symbols=_SYMBOLS,
)
BUBBLE = Formula(
    "bubble_fraction = (pp - 1) / (micro_batches + pp - 1)",
    why="GPipe's schedule: a batch of m micro-batches takes m + p − 1 slots, of which each stage is busy m",
    symbols=_SYMBOLS,
)
TOKENS_PER_GPU = Formula(
    "tokens_per_gpu = batch / tp",
    why="each tensor-parallel rank dispatches its share of the replica's tokens",
    symbols=_SYMBOLS,
)
EP_STEP = Formula(
    "ep_bytes_per_step = 2 * moe_layers * top_k * hidden_size * tokens_per_gpu * value_bytes * (ep - 1) / ep",
    why="dispatch each token to its top-k experts and combine the results back; (e − 1)/e of experts are remote",
    symbols=_SYMBOLS,
)
EP_ALLREDUCE = Formula(
    "ep_allreduce_bytes_per_step = (2 * layers - moe_layers) * ring_bytes_per_layer / 2",
    why="with experts sharded, only attention (and any dense MLP) still all-reduces across the TP ranks",
    symbols=_SYMBOLS,
)


def link_time(bytes_sent: float, link: Link) -> Term:
    """Seconds for each GPU to push `bytes_sent` through one direction of `link`."""
    return LINK_TIME(bytes=bytes_sent, link_bytes_per_s=link.bytes_per_s)


def tp_traffic(hidden_size: int, layers: int, batch: int, tp: int, value_bytes: int) -> tuple[Term, Term, Term]:
    """(data per layer, ring bytes per GPU per layer, bytes per GPU per step) for tensor parallelism."""
    per_layer = TP_LAYER(hidden_size=hidden_size, batch=batch, value_bytes=value_bytes)
    ring = RING(tp=tp, tp_bytes_per_layer=per_layer.value)
    return per_layer, ring, TP_STEP(layers=layers, ring_bytes_per_layer=ring.value)


def network_hops(tp: int, pp: int, gpus_per_node: int) -> int:
    """Stage boundaries that cross a node, with stages of tp GPUs packed into nodes in order."""
    return sum(1 for stage in range(1, pp) if (stage * tp) // gpus_per_node != (stage * tp - 1) // gpus_per_node)


def pp_traffic(
    hidden_size: int, batch: int, pp: int, value_bytes: int, hops_across: int, node: Link
) -> tuple[Term, Term]:
    """(bytes of one hand-off, time of all p - 1 hand-offs in a step) for pipeline parallelism."""
    sent = PP_HOP(hidden_size=hidden_size, batch=batch, value_bytes=value_bytes)
    time = PP_TIME(
        pp_bytes_per_hop=sent.value,
        node_hops=pp - 1 - hops_across,
        node_link_bytes_per_s=node.bytes_per_s,
        network_hops=hops_across,
        network_bytes_per_s=NETWORK.bytes_per_s,
    )
    return sent, time


def bubble(pp: int, micro_batches: int) -> Term:
    """The share of a pipeline's GPU time spent idle filling and draining a batch."""
    return BUBBLE(pp=pp, micro_batches=micro_batches)
