"""How many tokens of KV cache a deployment holds, the way vLLM sizes its pool.

Per GPU: pool = gpu_memory_utilization x usable memory - weights / GPUs - non-torch memory (+ NCCL
under parallelism) - activation peak - CUDA graphs (constants and sources in overhead.py). From the
pool: kv_tokens, max_users at a context, max_context at a number of users. Models with linear-attention
or Mamba layers also keep a fixed state per running sequence in the same pool (vLLM allocates both from
one budget): it comes off the pool before tokens are counted, once per user.

If the weights and overhead leave no pool, the result says fits=False (and zero capacity) rather than
raising: "it does not fit" is an answer, and the CLI prints it with exit code 0.
"""

from dataclasses import dataclass

from .architecture import kv_bytes_per_token
from .checkpoint import weights_term
from .errors import positive_int
from .formula import Formula, Term
from .gpus import Gpu, get_gpu
from .overhead import NCCL_BYTES, NON_TORCH_BYTES, Layout, activation_bytes, batched_tokens, layout
from .precision import default_kv_precision
from .state import state_bytes_per_sequence
from .units import format_bytes
from .vram import MAX_CONTEXT_TOKENS, MAX_GPUS, MAX_USERS, _precision, engine_settings, resolve_arch

_SYMBOLS = {
    "kv_pool_per_gpu_bytes": ("P_g", "bytes", "KV pool per GPU"),
    "utilization": ("u", "percent", "utilization"),
    "usable_memory_bytes": ("M", "bytes", "usable memory per GPU"),
    "weights_bytes": ("W", "bytes", "weights"),
    "gpus": ("G", "int", "GPUs"),
    "non_torch_bytes": ("X", "bytes", "CUDA context and libraries"),
    "nccl_bytes": ("N", "bytes", "NCCL buffers"),
    "activation_bytes": ("A", "bytes", "activation peak"),
    "cuda_graph_bytes": ("Q", "bytes", "CUDA graphs"),
    "kv_pool_bytes": ("P_kv", "bytes", "KV pool, all GPUs"),
    "kv_tokens": ("N_tok", "int", "tokens the pool holds"),
    "kv_bytes_per_token": ("K_t", "bytes", "KV per token"),
    "replication": ("ρ", "number", "KV copies under TP"),
    "max_users": ("U_max", "int", "users at this context"),
    "context_tokens": ("C", "int", "tokens per user"),
    "users": ("U", "int", "users"),
    "max_context": ("C_max", "int", "context per user"),
    "layer_bytes": ("k_l", "bytes", "KV per token per layer"),
    "full_layers": ("L_f", "int", "full-attention layers"),
    "sliding_layers": ("L_s", "int", "window layers"),
    "window": ("w", "int", "sliding window"),
    "state_bytes_per_sequence": ("S_seq", "bytes", "fixed state per sequence"),
    "kv_left_bytes": ("P_kv′", "bytes", "pool left for KV after the users' fixed state"),
}
POOL_PER_GPU = Formula(
    "kv_pool_per_gpu_bytes = utilization * usable_memory_bytes - weights_bytes / gpus"
    " - non_torch_bytes - nccl_bytes - activation_bytes - cuda_graph_bytes",
    why="vLLM gives the KV cache whatever its budget has left",
    symbols=_SYMBOLS,
)
POOL = Formula("kv_pool_bytes = gpus * kv_pool_per_gpu_bytes", symbols=_SYMBOLS)
TOKENS = Formula(
    "kv_tokens = floor(kv_pool_bytes / (kv_bytes_per_token * replication))",
    why="the pool divided by what one token stores",
    symbols=_SYMBOLS,
)
USERS = Formula(
    "max_users = floor(kv_pool_bytes / (context_tokens * kv_bytes_per_token * replication))",
    why="each user's context must fit in the pool at once",
    symbols=_SYMBOLS,
)
CONTEXT = Formula(
    "max_context = floor(kv_pool_bytes / (users * kv_bytes_per_token * replication))",
    why="the pool shared equally by the users",
    symbols=_SYMBOLS,
)
CONTEXT_SLIDING = Formula(
    "max_context = floor((kv_pool_bytes / (users * replication * layer_bytes)"
    " - sliding_layers * window) / full_layers)",
    why="window layers stop at w tokens; only full-attention layers keep growing",
    symbols=_SYMBOLS,
)
USERS_STATE = Formula(
    "max_users = floor(kv_pool_bytes / (context_tokens * kv_bytes_per_token * replication + state_bytes_per_sequence))",
    why="each user's context and fixed state must fit in the pool at once",
    symbols=_SYMBOLS,
)
KV_LEFT = Formula(
    "kv_left_bytes = kv_pool_bytes - users * state_bytes_per_sequence",
    why="linear-attention and Mamba layers take a fixed state per user from the same pool",
    symbols=_SYMBOLS,
)


def _left(formula: Formula) -> Formula:
    """The same formula over the pool left once the users' fixed state is set aside."""
    return Formula(formula.source.replace("kv_pool_bytes", "kv_left_bytes"), why=formula.why, symbols=_SYMBOLS)


TOKENS_LEFT, CONTEXT_LEFT, CONTEXT_SLIDING_LEFT = _left(TOKENS), _left(CONTEXT), _left(CONTEXT_SLIDING)
CONTEXT_CAPPED = Formula(
    "max_context = model_max",
    why="every layer's window fits, so only the model limits context",
    symbols={"model_max": ("C_model", "int", "the model's max_position_embeddings")},
)


@dataclass(frozen=True)
class CapacityEstimate:
    """A deployment's KV pool and what it can serve."""

    model_id: str | None
    gpu: Gpu
    gpus: int
    layout: Layout
    precision: str
    kv_precision: str
    gpu_memory_utilization: float
    usable_memory_bytes: float  # per GPU
    weights_bytes: float  # all GPUs
    weights_per_gpu_bytes: float
    non_torch_bytes: float  # per GPU, and the next three too
    nccl_bytes: float
    activation_bytes: float
    cuda_graph_bytes: float
    kv_pool_per_gpu_bytes: float  # negative when the weights do not fit
    kv_pool_bytes: float  # all GPUs, never negative
    kv_bytes_per_token: float  # at the KV precision, averaged over context_tokens
    state_bytes_per_sequence: float  # fixed linear-attention / Mamba state per user (0 for pure attention)
    context_tokens: int
    users: int
    kv_tokens: int
    max_users: int  # at context_tokens
    max_context: int  # at users
    context_limited_by: str  # "memory" or "model" (its max_position_embeddings)
    fits: bool
    reason: str
    terms: tuple[Term, ...]


def capacity(
    model_or_arch,
    gpu,
    gpus,
    precision,
    kv_precision=None,
    context_tokens=None,
    users=1,
    *,
    gpu_memory_utilization=None,
    max_batched_tokens=None,
    cuda_graph_bytes=None,
) -> CapacityEstimate:
    """Size the KV pool of `gpus` x `gpu` serving a model; context defaults to the model's maximum."""
    arch, model = resolve_arch(model_or_arch)
    gpu = gpu if isinstance(gpu, Gpu) else get_gpu(gpu)
    gpus = positive_int(gpus, "gpus", "gpus", MAX_GPUS)
    prec = _precision(precision)
    kv_prec = _precision(kv_precision, kv=True) if kv_precision is not None else default_kv_precision(prec)
    model_max = arch.max_position_embeddings or MAX_CONTEXT_TOKENS
    context = positive_int(
        context_tokens if context_tokens is not None else min(model_max, MAX_CONTEXT_TOKENS),
        "context",
        "context",
        MAX_CONTEXT_TOKENS,
    )
    users = positive_int(users, "users", "users", MAX_USERS)
    settings = engine_settings(gpu_memory_utilization, max_batched_tokens, cuda_graph_bytes)

    lay = layout(arch, gpus, gpu.gpus_per_node)
    weights = weights_term(arch, prec)
    nccl = NCCL_BYTES if gpus > 1 else 0.0
    act = activation_bytes(arch, lay.tensor_parallel, batched_tokens(settings, gpu))
    per_gpu = POOL_PER_GPU(
        utilization=settings.gpu_memory_utilization,
        usable_memory_bytes=gpu.usable_memory_bytes,
        weights_bytes=weights.value,
        gpus=gpus,
        non_torch_bytes=NON_TORCH_BYTES,
        nccl_bytes=nccl,
        activation_bytes=act,
        cuda_graph_bytes=settings.cuda_graph_bytes,
    )
    pool = POOL(gpus=gpus, kv_pool_per_gpu_bytes=max(per_gpu.value, 0.0))
    k_t = kv_bytes_per_token(arch, kv_prec.bits, context)
    rho = lay.kv_replication
    s_seq = state_bytes_per_sequence(arch)
    if s_seq:
        left = KV_LEFT(kv_pool_bytes=pool.value, users=users, state_bytes_per_sequence=s_seq)
        left_bytes = max(left.value, 0.0)
        tokens = TOKENS_LEFT(kv_left_bytes=left_bytes, kv_bytes_per_token=k_t, replication=rho)
        max_users = USERS_STATE(
            kv_pool_bytes=pool.value,
            context_tokens=context,
            kv_bytes_per_token=k_t,
            replication=rho,
            state_bytes_per_sequence=s_seq,
        )
        state_terms = (left,)
    else:
        left_bytes, state_terms = pool.value, ()
        tokens = TOKENS(kv_pool_bytes=pool.value, kv_bytes_per_token=k_t, replication=rho)
        max_users = USERS(kv_pool_bytes=pool.value, context_tokens=context, kv_bytes_per_token=k_t, replication=rho)
    ctx_term = _max_context(arch, kv_prec.bits, left_bytes, users, rho, model_max, stateful=bool(s_seq))
    max_context = max(0, min(int(ctx_term.value), model_max))
    limited = "model" if ctx_term.value >= model_max else "memory"
    fits = per_gpu.value > 0
    if not fits:
        reason = (
            f"Does not fit: {gpus} x {gpu.name} leave no KV cache; the weights alone take "
            f"{format_bytes(weights.value / gpus)} per GPU of a "
            f"{format_bytes(settings.gpu_memory_utilization * gpu.usable_memory_bytes)} budget."
        )
    elif max_users.value < 1:
        reason = f"Fits, but one {context:,}-token request needs more KV cache than the pool holds."
    else:
        reason = (
            f"{format_bytes(pool.value)} of KV cache: {int(tokens.value):,} tokens, "
            f"{int(max_users.value):,} users at {context:,} tokens each."
        )
    return CapacityEstimate(
        model_id=model.id if model else None,
        gpu=gpu,
        gpus=gpus,
        layout=lay,
        precision=prec.id,
        kv_precision=kv_prec.id,
        gpu_memory_utilization=settings.gpu_memory_utilization,
        usable_memory_bytes=gpu.usable_memory_bytes,
        weights_bytes=weights.value,
        weights_per_gpu_bytes=weights.value / gpus,
        non_torch_bytes=NON_TORCH_BYTES,
        nccl_bytes=nccl,
        activation_bytes=act,
        cuda_graph_bytes=settings.cuda_graph_bytes,
        kv_pool_per_gpu_bytes=per_gpu.value,
        kv_pool_bytes=pool.value,
        kv_bytes_per_token=k_t,
        state_bytes_per_sequence=s_seq,
        context_tokens=context,
        users=users,
        kv_tokens=int(tokens.value),
        max_users=int(max_users.value),
        max_context=max_context,
        context_limited_by=limited,
        fits=fits,
        reason=reason,
        terms=(weights, per_gpu, pool, *state_terms, tokens, max_users, ctx_term),
    )


def _max_context(
    arch, kv_bits: int, pool_bytes: float, users: int, rho: float, model_max: int, stateful: bool = False
) -> Term:
    """Longest context per user; closed form, including layers whose sliding window or chunk caps them.

    With a fixed state, pool_bytes is what is left once the users' state is set aside (kv_left_bytes).
    """
    full = kv_bytes_per_token(arch, kv_bits)  # every attention layer growing
    pool = {"kv_left_bytes" if stateful else "kv_pool_bytes": pool_bytes}
    term = (CONTEXT_LEFT if stateful else CONTEXT)(**pool, users=users, kv_bytes_per_token=full, replication=rho)
    capped, window = arch.window_layers
    if not capped or term.value <= window:
        return term
    attention_layers = arch.num_attention_layers
    full_layers = attention_layers - capped
    layer_bytes = full / attention_layers
    if full_layers == 0:  # every layer capped and the windows fit: memory no longer limits the context
        return CONTEXT_CAPPED(model_max=model_max)
    return (CONTEXT_SLIDING_LEFT if stateful else CONTEXT_SLIDING)(
        **pool,
        users=users,
        replication=rho,
        layer_bytes=layer_bytes,
        sliding_layers=capped,
        window=window,
        full_layers=full_layers,
    )
