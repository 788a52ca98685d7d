"""A toy mixture-of-experts router, for the picture only: hidden state -> scores -> top-k -> gates.

The scores are synthetic. No real model's router weights are used, and the token labels are decoration:
they do not influence the draw. What is real is the mechanism (a linear layer scores every expert, a
softmax turns the scores into probabilities, the k best experts run, their gates are renormalised).

The synthetic distribution, drawn with random.Random(seed) in this order, so a seed always gives the
same picture:
- router weights: one row w_e per routed expert, HIDDEN_DIMS values uniform in [-1, 1) scaled to unit
  length;
- per token: a hidden state h with HIDDEN_DIMS standard-normal values;
- logit_e = LOGIT_SCALE * (w_e . h); since |w_e| = 1 and h is standard normal, every expert's logit is
  N(0, LOGIT_SCALE^2) over tokens, so no expert is favoured on average; scores = softmax(logits).

Gating: keep the top-k scores (ties to the lower index) and renormalise them to sum to 1. That is
exactly Mixtral's softmax over its top-2 logits, Qwen3-MoE's norm_topk_prob and gpt-oss's softmax over
the selected experts. DeepSeek-V3 (and GLM, which follows its router) scores with a sigmoid instead of
a softmax, picks the top-k with a load-balancing bias, then also renormalises the k gates (and scales
them by routed_scaling_factor); the toy uses the softmax for every model. Shared experts are not
routed: they run for every token, unweighted.
"""

import math
import operator
import random
from dataclasses import dataclass
from functools import lru_cache

from .errors import InputError
from .formula import Formula, Term

HIDDEN_DIMS = 16  # drawable; real hidden states have thousands of dimensions
LOGIT_SCALE = 2.5  # sharp enough that a few experts stand out per token, as trained routers do
TOKENS = ("The", " router", " sends", " each", " token", " to", " its", " experts")  # labels only
MAX_SEED = 2**32 - 1

GATE = Formula(
    "gate = score / top_k_score_sum",
    why="the k chosen scores are renormalised so the gates sum to 1",
    symbols={
        "gate": ("g", "number", "gate of the best expert"),
        "score": ("p", "number", "its softmax score over all experts"),
        "top_k_score_sum": ("S_k", "number", "sum of the top-k scores"),
    },
)


@dataclass(frozen=True)
class TokenRoute:
    """One token's trip through the router."""

    token: str
    hidden: tuple[float, ...]  # the toy hidden state h
    scores: tuple[float, ...]  # softmax over every routed expert; sums to 1
    experts: tuple[int, ...]  # the top-k expert indices, best first
    gates: tuple[float, ...]  # their scores renormalised to sum to 1, same order
    gate_term: Term  # the renormalisation of the best expert, with numbers


@dataclass(frozen=True)
class RouterTrace:
    """A short sequence of tokens routed by one seeded toy router."""

    seed: int
    n_experts: int
    top_k: int
    shared_experts: int
    tokens: tuple[TokenRoute, ...]

    def as_dict(self) -> dict:
        """JSON-ready: the chosen experts and gates per token (the full score vectors are left out)."""
        return {
            "seed": self.seed,
            "experts": self.n_experts,
            "top_k": self.top_k,
            "shared_experts": self.shared_experts,
            "tokens": [{"token": t.token, "experts": list(t.experts), "gates": list(t.gates)} for t in self.tokens],
        }


def parse_seed(value) -> int:
    """A whole number from 0 to MAX_SEED, or an InputError for the seed field."""
    text = str(value).strip()
    if not text:
        raise InputError("seed must be a whole number, e.g. 42", "seed")
    try:
        number = float(text)
    except ValueError:
        raise InputError(f"seed must be a whole number, got {value!r}", "seed") from None
    if not math.isfinite(number) or number != int(number) or not 0 <= number <= MAX_SEED:
        raise InputError(f"seed must be a whole number from 0 to {MAX_SEED:,}, got {value!r}", "seed")
    return int(number)


def _softmax(logits: list[float]) -> tuple[float, ...]:
    top = max(logits)  # subtracting the max keeps exp() from overflowing
    exps = [math.exp(x - top) for x in logits]
    total = sum(exps)
    return tuple(e / total for e in exps)


@lru_cache(maxsize=64)
def route(n_experts: int, top_k: int, seed, shared_experts: int = 0) -> RouterTrace:
    """Route len(TOKENS) tokens through a seeded toy router over n_experts experts, keeping top_k."""
    seed = parse_seed(seed)
    if not 1 <= top_k <= n_experts:
        raise InputError(f"top-k must be between 1 and {n_experts}, got {top_k}", "moe")
    rng = random.Random(seed)
    rows = []
    uniform = rng.random  # C-fast; a Gaussian draw here cost 8x more for no visible difference
    for _ in range(n_experts):
        w = [2 * uniform() - 1 for _ in range(HIDDEN_DIMS)]
        scale = LOGIT_SCALE / (math.hypot(*w) or 1.0)  # unit length, logit scale folded in once
        rows.append([scale * x for x in w])
    tokens = []
    for label in TOKENS:
        h = [rng.gauss(0.0, 1.0) for _ in range(HIDDEN_DIMS)]
        scores = _softmax([sum(map(operator.mul, row, h)) for row in rows])  # map: ~2x a generator in Pyodide
        best = sorted(range(n_experts), key=scores.__getitem__, reverse=True)[:top_k]  # stable: ties to lower index
        kept = sum(scores[e] for e in best)
        gates = [GATE(score=scores[e], top_k_score_sum=kept) for e in best]
        tokens.append(
            TokenRoute(
                token=label,
                hidden=tuple(h),
                scores=scores,
                experts=tuple(best),
                gates=tuple(g.value for g in gates),
                gate_term=gates[0],
            )
        )
    return RouterTrace(seed, n_experts, top_k, shared_experts, tuple(tokens))
