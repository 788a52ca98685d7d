"""What quantization costs in quality: published measurements, and the Safe / Caution / Noticeable rating they give.

Every rating comes from the records below, never from a rule of thumb. Each record is one published
measurement (source, date, the figure as published) with `loss_fraction`, its relative degradation:
lost accuracy for benchmark studies, added perplexity for llama.cpp (a different metric, so compare
within a source, not across). A format's rating is the worst loss among the records that apply to it at
the user's context length, against two thresholds this site chose and shows:

    Safe: at most 1% lost · Caution: at most 10% · Noticeable: more than 10%.

Two things these studies say matter more than the format name: long inputs (4-bit formats lost up to
59% at 64K tokens, arXiv 2505.20276) and the model itself (same bits, different losses). KV-cache
quantization is a separate switch with its own record.
"""

from dataclasses import dataclass

from .errors import InputError
from .formula import Formula, Term

SAFE_MAX_LOSS = 0.01  # at most 1% lost: inside the run-to-run noise of most benchmarks
CAUTION_MAX_LOSS = 0.10  # up to 10%: measurable, often acceptable; beyond it users notice
LONG_CONTEXT_TOKENS = 65_536  # the input length (64K) at which arXiv 2505.20276 measured its 4-bit drops
SMALL_MODEL_PARAMS = 7e9  # the smallest models the records measured are 7-8B
LEVELS = {"safe": "Safe", "caution": "Caution", "noticeable": "Noticeable degradation"}

PPL_INCREASE = Formula(
    "ppl_increase = delta_ppl / ppl_reference",
    why="llama.cpp reports the mean perplexity change; divided by F16's perplexity it is a relative loss",
    symbols={
        "ppl_increase": ("ΔPPL / PPL", "percent", "relative perplexity increase"),
        "delta_ppl": ("ΔPPL", "number", "mean perplexity change vs F16"),
        "ppl_reference": ("PPL_F16", "number", "F16 perplexity on wikitext-2"),
    },
)
_LLAMA_CPP_F16_PPL = 6.7684  # Llama-3-8B F16 on wikitext-2 (llama.cpp LLaMA 3 8b Scoreboard)


@dataclass(frozen=True)
class Evidence:
    """One published measurement: who measured what, when, and the figure as they report it."""

    id: str
    cite: str  # the short citation the page shows: "Kurtic et al. 2024"
    source: str  # authors and title, or project and document
    url: str
    date: str  # publication (ISO date)
    setting: str  # models, benchmark, condition
    figure: str  # the measured figure, as published
    loss_fraction: float  # our normalisation: relative degradation (0.03 = 3% worse)
    formats: tuple[str, ...]  # the format ids it backs (quantization.FORMAT_IDS; KV ids when kv=True)
    min_context_tokens: int = 0  # applies only at or above this context (long-context results)
    kv: bool = False  # a KV-cache measurement, not a weight one
    terms: tuple[Term, ...] = ()  # how loss_fraction follows from the figure, where it takes arithmetic

    def as_dict(self) -> dict:
        """JSON-ready."""
        return {
            "id": self.id,
            "cite": self.cite,
            "source": self.source,
            "url": self.url,
            "date": self.date,
            "setting": self.setting,
            "figure": self.figure,
            "loss_fraction": self.loss_fraction,
            "formats": list(self.formats),
            "min_context_tokens": self.min_context_tokens,
            "kv": self.kv,
        }


_KURTIC = (
    'Kurtic, Marques, Pandit, Kurtz, Alistarh, "Give Me BF16 or Give Me Death? Accuracy-Performance '
    'Trade-Offs in LLM Quantization" (arXiv 2411.02355; ACL 2025)'
)
_KURTIC_URL = "https://arxiv.org/abs/2411.02355"
_KURTIC_SETTING = "Llama 3.1 8B, 70B and 405B; academic and real-world benchmarks, >500,000 evaluations"
_LLAMA_CPP = "llama.cpp, tools/perplexity/README.md, LLaMA 3 8b Scoreboard (PR #6936)"
_LLAMA_CPP_URL = "https://github.com/ggml-org/llama.cpp/blob/master/tools/perplexity/README.md"
_MEKALA = (
    "Mekala, Atmakuru, Song, Karpinska, Iyyer, \"Does quantization affect models' performance on "
    'long-context tasks?" (arXiv 2505.20276)'
)
_MEKALA_URL = "https://arxiv.org/abs/2505.20276"


def _llama_cpp(fmt: str, delta_ppl: float, kld: float) -> Evidence:
    term = PPL_INCREASE(delta_ppl=delta_ppl, ppl_reference=_LLAMA_CPP_F16_PPL)
    return Evidence(
        id=f"llama.cpp-{fmt.lower()}",
        cite="llama.cpp 2024",
        source=_LLAMA_CPP,
        url=_LLAMA_CPP_URL,
        date="2024-04-30",
        setting="Llama-3-8B, wikitext-2, no importance matrix, vs F16 (PPL 6.7684)",
        figure=f"{fmt}: ΔPPL +{delta_ppl:.4f} ({term.formatted()}), mean KL divergence {kld:.4f}",
        loss_fraction=term.value,
        formats=(fmt.lower(),),
        terms=(term,),
    )


def _kurtic(fmt: str, figure: str, loss: float) -> Evidence:
    return Evidence(
        f"kurtic-{fmt}", "Kurtic et al. 2024", _KURTIC, _KURTIC_URL, "2024-11-04", _KURTIC_SETTING, figure, loss, (fmt,)
    )


def _mekala(kind: str, figure: str, loss: float, formats: tuple[str, ...]) -> Evidence:
    setting = "Llama-3.1 8B/70B, Qwen-2.5 7B/32B/72B; inputs of 64K tokens and long outputs"
    return Evidence(
        f"mekala-{kind}",
        "Mekala et al. 2025",
        _MEKALA,
        _MEKALA_URL,
        "2025-05-26",
        setting,
        figure,
        loss,
        formats,
        min_context_tokens=LONG_CONTEXT_TOKENS,
    )


EVIDENCE: tuple[Evidence, ...] = (
    Evidence(
        "reference",
        "Llama 3.1 config",
        "Meta Llama 3.1 config.json (torch_dtype bfloat16); " + _KURTIC,
        "https://huggingface.co/meta-llama/Llama-3.1-8B/blob/main/config.json",
        "2024-07-23",
        "the precision checkpoints are released and evaluated in",
        "BF16 is the baseline every recovery is measured against; FP32 holds every BF16 value exactly",
        0.0,
        ("fp32", "bf16"),
    ),
    _kurtic("fp8", "FP8 weights and activations (W8A8-FP): effectively lossless at all model sizes", 0.0),
    _kurtic("int8", "INT8 weights and activations (W8A8-INT), well tuned: 1-3% accuracy degradation", 0.03),
    _kurtic("int4", "INT4 weight-only (W4A16-INT, GPTQ): competitive with W8A8-INT, i.e. within its 1-3%", 0.03),
    _llama_cpp("Q8_0", 0.005872, 0.001391),
    _llama_cpp("Q6_K", 0.037777, 0.005669),
    _llama_cpp("Q4_K_M", 0.196383, 0.032032),
    _llama_cpp("Q2_K", 3.882171, 0.457258),
    Evidence(
        "ista-nvfp4-rtn",
        "Egiazarian et al. 2025",
        "Egiazarian, Castro, Kuznedelev, Panferov, Kurtic, Pandit, Marques, Kurtz, Ashkboos, Hoefler, Alistarh, "
        '"Bridging the Gap Between Promise and Performance for Microscaling FP4 Quantization" (arXiv 2509.23202); '
        "table in the model card of ISTA-DASLab/Llama-3.1-8B-Instruct-FPQuant-QAT-NVFP4",
        "https://huggingface.co/ISTA-DASLab/Llama-3.1-8B-Instruct-FPQuant-QAT-NVFP4",
        "2025-09-27",
        "Llama-3.1-8B-Instruct, NVFP4 weights and activations, round-to-nearest; MMLU, GSM8k, Hellaswag, Winogrande",
        "average 74.0 vs 78.9 in BF16 (6.2% lost); quantization-aware training recovers to 76.1 (3.5% lost)",
        (78.9 - 74.0) / 78.9,
        ("nvfp4",),
    ),
    Evidence(
        "mxfp4-vs-nvfp4",
        "arXiv 2603.08713 (2026)",
        '"Unveiling the Potential of Quantization with MXFP4: Strategies for Quantization Error Reduction" '
        "(arXiv 2603.08713)",
        "https://arxiv.org/abs/2603.08713",
        "2026-03-01",  # arXiv 2603.* = submitted March 2026
        "several LLMs and standard downstream benchmarks, MXFP4 vs NVFP4 with plain block scaling",
        "MXFP4's power-of-two scales leave it about 10% behind NVFP4 in end-to-end accuracy on average "
        "(their scaling fixes close the gap to under 1%); with NVFP4's own 6.2% loss (Egiazarian et al.) that is "
        "about 16% below BF16",
        0.10 + (78.9 - 74.0) / 78.9,  # behind NVFP4, which itself lost 6.2% (ista-nvfp4-rtn): a lower bound
        ("mxfp4",),
    ),
    _mekala("8bit", "8-bit (FP8, GPTQ-int8): about 0.8% accuracy drop on average", 0.008, ("fp8", "int8", "q8_0")),
    _mekala(
        "4bit",
        "4-bit (AWQ-int4, GPTQ-int4, BNB-nf4): drops of up to 59% on long-input tasks; "
        "Llama-3.1 70B lost 32% under BNB-nf4 where Qwen-2.5 72B held up",
        0.59,
        ("int4", "nvfp4", "mxfp4", "q4_k_m", "q2_k"),  # applied to every 4-bit-class weight format
    ),
    Evidence(
        "vllm-fp8-kv",
        "vLLM blog 2026",
        'vLLM project blog, "The State of FP8 KV-Cache and Attention Quantization in vLLM"',
        "https://vllm.ai/blog/fp8-kvcache",
        "2026-04-22",
        "FP8 (E4M3) KV cache and attention; Llama, Qwen3 and MoE models, Hopper and Blackwell",
        "94-99% recovery of the BF16-cache scores",
        0.06,
        ("fp8",),
        kv=True,
    ),
    Evidence(
        "reference-kv",
        "Llama 3.1 config",
        "Meta Llama 3.1 config.json (torch_dtype bfloat16)",
        "https://huggingface.co/meta-llama/Llama-3.1-8B/blob/main/config.json",
        "2024-07-23",
        "the cache in the model's own 16-bit dtype",
        "a 16-bit (or wider) cache stores keys and values as the model computed them",
        0.0,
        ("fp32", "bf16", "fp16"),
        kv=True,
    ),
)


@dataclass(frozen=True)
class Rating:
    """A format's quality rating and the measurements behind it."""

    format: str
    level: str  # "safe", "caution" or "noticeable"
    label: str
    loss_fraction: float  # the worst applicable measured loss
    evidence: tuple[Evidence, ...]  # the records that apply here, worst first
    reason: str

    def as_dict(self) -> dict:
        """JSON-ready."""
        return {
            "format": self.format,
            "rating": self.level,
            "label": self.label,
            "loss_fraction": self.loss_fraction,
            "reason": self.reason,
            "evidence": [e.as_dict() for e in self.evidence],
        }


def level_for(loss_fraction: float) -> str:
    """The rating a measured loss earns under this site's thresholds."""
    if loss_fraction <= SAFE_MAX_LOSS:
        return "safe"
    return "caution" if loss_fraction <= CAUTION_MAX_LOSS else "noticeable"


def _rate(format_id: str, context_tokens: int, kv: bool) -> Rating:
    records = [e for e in EVIDENCE if e.kv == kv and format_id in e.formats]
    if not records:
        what = "KV-cache precision" if kv else "format"
        raise InputError(f"no quality evidence for {what} {format_id!r}", "kv_precision" if kv else "precision")
    applicable = sorted(
        (e for e in records if context_tokens >= e.min_context_tokens), key=lambda e: e.loss_fraction, reverse=True
    )
    worst = applicable[0]
    level = level_for(worst.loss_fraction)
    reason = f"{worst.figure} ({worst.cite})"
    if worst.min_context_tokens:
        reason = f"At {worst.min_context_tokens:,}+ tokens of context: " + reason
    return Rating(format_id, level, LEVELS[level], worst.loss_fraction, tuple(applicable), reason)


def rate(format_id: str, context_tokens: int = 0) -> Rating:
    """The weight format's rating at this context length (long-context results apply from 64K tokens)."""
    return _rate(format_id, context_tokens, kv=False)


def rate_kv(kv_precision_id: str) -> Rating:
    """The KV-cache precision's rating (a separate choice from the weights)."""
    return _rate(kv_precision_id, 0, kv=True)


@dataclass(frozen=True)
class Caveat:
    """A limit of the evidence that applies to the user's inputs."""

    id: str
    text: str
    sources: tuple[str, ...]  # evidence ids

    def as_dict(self) -> dict:
        return {"id": self.id, "text": self.text, "sources": list(self.sources)}


def caveats(params_total: float, context_tokens: int, kv_precision: str) -> tuple[Caveat, ...]:
    """The caveats that matter for this model size, context and KV-cache choice."""
    found = [
        Caveat(
            "model",
            "Losses depend on the model: at Q4_K_M Llama 3 8B adds twice the perplexity Llama 2 7B does "
            "(+2.9% vs +1.4%), and at 64K tokens Llama-3.1 70B lost 32% under BNB-nf4 where Qwen-2.5 72B "
            "held up. Check your own model on your own task before committing.",
            ("llama.cpp-q4_k_m", "mekala-4bit"),
        )
    ]
    if params_total < SMALL_MODEL_PARAMS:
        found.append(
            Caveat(
                "small",
                "This model is smaller than any the records measured (7-8B and up). Small models have less "
                "redundancy per weight and are generally hit harder at the same bits: read these ratings as "
                "optimistic.",
                ("kurtic-int4", "llama.cpp-q4_k_m"),
            )
        )
    if context_tokens >= LONG_CONTEXT_TOKENS:
        found.append(
            Caveat(
                "long",
                f"At {context_tokens:,} tokens the long-context results apply: 8-bit formats held up "
                "(about -0.8%), 4-bit formats lost up to 59%, so they are rated lower here.",
                ("mekala-8bit", "mekala-4bit"),
            )
        )
    else:
        found.append(
            Caveat(
                "long",
                f"Long contexts hurt low-bit formats most: from {LONG_CONTEXT_TOKENS:,} tokens 4-bit formats "
                "lost up to 59% while 8-bit ones held up; raise the context to see the ratings change.",
                ("mekala-4bit",),
            )
        )
    if kv_precision == "fp8":
        found.append(
            Caveat(
                "kv",
                "The KV cache is quantized separately from the weights: an FP8 cache halves its memory and "
                "its share of decode traffic, and recovered 94-99% of the BF16-cache scores.",
                ("vllm-fp8-kv",),
            )
        )
    else:
        found.append(
            Caveat(
                "kv",
                "KV-cache quantization is a separate switch from the weight format (vLLM: --kv-cache-dtype "
                "fp8): it halves the cache and recovered 94-99% of the scores.",
                ("vllm-fp8-kv",),
            )
        )
    return tuple(found)


def evidence_by_id(evidence_id: str) -> Evidence:
    """One record by id (KeyError if unknown: ids are ours, not user input)."""
    return {e.id: e for e in EVIDENCE}[evidence_id]
