"""What an inference engine needs besides weights and KV cache, per GPU, modelled on vLLM.

Each constant is calibrated on one published vLLM log (shared/reference/README.md: Llama-3-8B, BF16,
H100, gpu_memory_utilization 0.90), so treat them as that engine's typical values, not laws:
- non-torch memory (CUDA context, cuBLAS workspaces, allocator slack): 1.79 GiB per GPU at TP=1;
- NCCL buffers under tensor/pipeline parallelism: the same log at TP=2 shows 3.58 GiB, i.e. +1.79;
- activation peak: vLLM profiles one forward pass of max_num_batched_tokens and saw 1.26 GiB. `vllm
  serve` defaults that to 8192 tokens on GPUs of 70 GiB or more (A100 excepted) and 2048 on the rest
  (vllm/engine/arg_utils.py, get_batch_defaults); we assume the log ran at 8192. We scale it by each
  model's per-token width, hidden_size plus the MLP width a token activates (its share under TP):
  1.26 GiB / (8192 x (4096 + 14336)) = 8.96 bytes per token per unit of width, i.e. about 4.5 live
  16-bit tensors of that width;
- CUDA graphs: vLLM (since v0.21) estimates graph memory and takes it out of the KV budget; public
  logs show 0.1-0.5 GiB ("Estimated CUDA graph memory"). We assume 0.5 GiB. The reference log
  predates this and took graphs from the headroom instead, so pass 0 to reproduce it exactly;
- engine reserve: vLLM uses only gpu_memory_utilization (default 0.90) of the GPU; the rest is
  headroom that no request can use, so it belongs in the total.
"""

from dataclasses import dataclass

from .architecture import Architecture
from .formula import Formula, Term
from .gpus import Gpu
from .units import GiB

NON_TORCH_BYTES = 1.79 * GiB
NCCL_BYTES = 1.79 * GiB
CUDA_GRAPH_BYTES = 0.5 * GiB
MAX_BATCHED_TOKENS = 8192  # vllm serve on >= 70 GiB GPUs (not A100); also used when no GPU is chosen
MAX_BATCHED_TOKENS_SMALL_GPU = 2048  # vllm serve on smaller GPUs and A100
ACTIVATION_BYTES_PER_TOKEN_WIDTH = 1.26 * GiB / (8192 * (4096 + 14336))
GPU_MEMORY_UTILIZATION = 0.90
# vLLM's default max_num_seqs for `vllm serve`: 1024 on GPUs of 70 GiB or more except A100, 256 on the
# rest (vllm/engine/arg_utils.py, get_batch_defaults; the same rule overhead.batched_tokens follows).
MAX_NUM_SEQS = 1024
MAX_NUM_SEQS_SMALL_GPU = 256

_SYMBOLS = {
    "activation_bytes": ("A", "bytes", "activation peak per GPU"),
    "max_batched_tokens": ("T", "int", "tokens in the largest batch"),
    "hidden_size": ("h", "int", "hidden size"),
    "ffn_width": ("f", "int", "MLP width a token activates"),
    "tensor_parallel": ("t", "int", "tensor-parallel GPUs"),
    "bytes_per_width": ("a", "number", "bytes per token per unit of width (vLLM log)"),
    "reserve_bytes": ("R", "bytes", "headroom vLLM leaves unused"),
    "utilization": ("u", "percent", "gpu_memory_utilization"),
    "usable_memory_bytes": ("M", "bytes", "usable memory per GPU"),
    "overhead_bytes": ("O", "bytes", "engine overhead"),
    "gpus": ("G", "int", "GPUs"),
    "non_torch_bytes": ("X", "bytes", "CUDA context and libraries"),
    "nccl_bytes": ("N", "bytes", "NCCL buffers"),
    "cuda_graph_bytes": ("Q", "bytes", "CUDA graphs"),
}
ACTIVATION = Formula(
    "activation_bytes = max_batched_tokens * (hidden_size + ffn_width / tensor_parallel) * bytes_per_width",
    why="the profiling pass runs the largest batch; its widest tensors set the peak",
    symbols=_SYMBOLS,
)
RESERVE = Formula(
    "reserve_bytes = (1 - utilization) * usable_memory_bytes",
    why="vLLM only uses gpu_memory_utilization of each GPU",
    symbols=_SYMBOLS,
)
OVERHEAD = Formula(
    "overhead_bytes = gpus * (non_torch_bytes + nccl_bytes + activation_bytes + cuda_graph_bytes + reserve_bytes)",
    why="each GPU runs its own engine process",
    symbols=_SYMBOLS,
)


@dataclass(frozen=True)
class EngineSettings:
    """The vLLM knobs that change memory use."""

    gpu_memory_utilization: float = GPU_MEMORY_UTILIZATION
    max_batched_tokens: int | None = None  # None: vLLM's default for the GPU (batched_tokens below)
    cuda_graph_bytes: float = CUDA_GRAPH_BYTES


def batched_tokens(settings: EngineSettings, gpu: Gpu | None = None) -> int:
    """max_num_batched_tokens as `vllm serve` would pick it for this GPU, unless set explicitly."""
    if settings.max_batched_tokens is not None:
        return settings.max_batched_tokens
    if gpu is None or (gpu.memory_bytes >= 70 * GiB and not gpu.id.startswith("a100")):
        return MAX_BATCHED_TOKENS
    return MAX_BATCHED_TOKENS_SMALL_GPU


@dataclass(frozen=True)
class Layout:
    """How GPUs split a model: tensor parallel inside a node, pipeline stages beyond."""

    gpus: int
    tensor_parallel: int
    pipeline_parallel: int
    kv_replication: float  # total KV stored / KV of one copy (>1 when TP exceeds what KV heads can split)


def kv_replication(arch: Architecture, tensor_parallel: int) -> float:
    """How many copies of the KV cache tensor parallelism leaves across the GPUs.

    GQA splits KV heads across ranks; past num_key_value_heads, heads are replicated. MLA's latent
    belongs to every head, so each TP rank keeps a full copy (why engines use data-parallel attention
    for DeepSeek-style models).
    """
    if arch.kv_lora_rank is not None:
        return float(tensor_parallel)
    return max(1.0, tensor_parallel / arch.num_key_value_heads)


def layout(arch: Architecture, gpus: int, gpus_per_node: int = 8) -> Layout:
    """TP = the largest power of two that divides the GPUs, fits in a node and divides the attention heads."""
    base = min(gpus, gpus_per_node)
    tp = 1
    while base % (tp * 2) == 0 and gpus % (tp * 2) == 0 and arch.tp_must_divide % (tp * 2) == 0:
        tp *= 2
    return Layout(gpus=gpus, tensor_parallel=tp, pipeline_parallel=gpus // tp, kv_replication=kv_replication(arch, tp))


def activation_bytes(arch: Architecture, tensor_parallel: int, max_batched_tokens: int = MAX_BATCHED_TOKENS) -> float:
    """Activation peak per GPU; see the module docstring for the calibration."""
    return max_batched_tokens * (arch.hidden_size + arch.ffn_width / tensor_parallel) * ACTIVATION_BYTES_PER_TOKEN_WIDTH


def per_gpu_bytes(arch: Architecture, lay: Layout, settings: EngineSettings, gpu: Gpu | None = None) -> float:
    """Non-torch + NCCL + activations + CUDA graphs on one GPU (no reserve): the plain-arithmetic fast path."""
    nccl = NCCL_BYTES if lay.gpus > 1 else 0.0
    tokens = batched_tokens(settings, gpu)
    return NON_TORCH_BYTES + nccl + activation_bytes(arch, lay.tensor_parallel, tokens) + settings.cuda_graph_bytes


@dataclass(frozen=True)
class Overhead:
    """Engine overhead: per-GPU parts, and the total over all GPUs."""

    gpus: int
    non_torch_bytes: float  # per GPU
    nccl_bytes: float  # per GPU, 0 on one GPU
    activation_bytes: float  # per GPU
    cuda_graph_bytes: float  # per GPU
    reserve_bytes: float  # per GPU; 0 when no GPU is chosen (the headroom depends on its size)
    per_gpu_bytes: float
    total_bytes: float
    terms: tuple[Term, ...]


def overhead(arch: Architecture, lay: Layout, settings: EngineSettings, gpu: Gpu | None = None) -> Overhead:
    """The overhead breakdown with its formulas, for `lay.gpus` GPUs (no reserve without a GPU)."""
    act = ACTIVATION(
        max_batched_tokens=batched_tokens(settings, gpu),
        hidden_size=arch.hidden_size,
        ffn_width=arch.ffn_width,
        tensor_parallel=lay.tensor_parallel,
        bytes_per_width=ACTIVATION_BYTES_PER_TOKEN_WIDTH,
    )
    terms = [act]
    reserve = 0.0
    if gpu is not None:
        reserve_term = RESERVE(utilization=settings.gpu_memory_utilization, usable_memory_bytes=gpu.usable_memory_bytes)
        terms.append(reserve_term)
        reserve = reserve_term.value
    nccl = NCCL_BYTES if lay.gpus > 1 else 0.0
    total = OVERHEAD(
        gpus=lay.gpus,
        non_torch_bytes=NON_TORCH_BYTES,
        nccl_bytes=nccl,
        activation_bytes=act.value,
        cuda_graph_bytes=settings.cuda_graph_bytes,
        reserve_bytes=reserve,
    )
    terms.append(total)
    return Overhead(
        gpus=lay.gpus,
        non_torch_bytes=NON_TORCH_BYTES,
        nccl_bytes=nccl,
        activation_bytes=act.value,
        cuda_graph_bytes=settings.cuda_graph_bytes,
        reserve_bytes=reserve,
        per_gpu_bytes=total.value / lay.gpus,
        total_bytes=total.value,
        terms=tuple(terms),
    )


def max_num_seqs(gpu: Gpu) -> int:
    """vLLM's default cap on sequences in a batch for this GPU."""
    if gpu.memory_bytes >= 70 * GiB and not gpu.id.startswith("a100"):
        return MAX_NUM_SEQS
    return MAX_NUM_SEQS_SMALL_GPU
