"""The glossary: one source for the site's hover tooltips and its Glossary page."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    """A term and its one-sentence definition; aliases get the same tooltip."""

    term: str
    definition: str
    aliases: tuple[str, ...] = ()


GLOSSARY: tuple[Entry, ...] = (
    Entry(
        "VRAM",
        "The memory on the GPU itself; the model's weights, its KV cache and the runtime's working "
        "memory must all fit in it.",
    ),
    Entry(
        "HBM",
        "High Bandwidth Memory: stacked DRAM beside the GPU die giving terabytes per second, which is "
        "what decode speed is limited by.",
    ),
    Entry(
        "KV cache",
        "The attention keys and values of every token already seen, kept in GPU memory so each new "
        "token need not recompute them; it grows with users x context.",
        ("KV-cache",),
    ),
    Entry(
        "GQA",
        "Grouped-query attention: several query heads share one key/value head, shrinking the KV cache "
        "by the group factor (8x for Llama 3.1 70B).",
    ),
    Entry("MHA", "Multi-head attention: every query head has its own key and value head, the largest KV cache."),
    Entry(
        "MLA",
        "Multi-head latent attention (DeepSeek-V3, GLM-5): caches one small compressed latent per token "
        "and layer instead of full keys and values.",
    ),
    Entry(
        "fixed state",
        "What a linear-attention or Mamba layer keeps per running sequence instead of a KV cache: a "
        "summary of everything read so far, the same size at 10 tokens or 100,000.",
    ),
    Entry(
        "quantization",
        "Storing weights (or activations, or the KV cache) in fewer bits than they were trained "
        "in, trading a little accuracy for memory and speed.",
        ("Quantization",),
    ),
    Entry("FP32", "32-bit IEEE floating point: 1 sign, 8 exponent and 23 mantissa bits; 4 bytes per value."),
    Entry(
        "BF16",
        "bfloat16: FP32's 8-bit exponent with only 7 mantissa bits; 2 bytes per value, the usual "
        "training and serving precision.",
    ),
    Entry(
        "FP16",
        "IEEE half precision: 5 exponent and 10 mantissa bits; 2 bytes, more precise but narrower range than BF16.",
    ),
    Entry(
        "FP8",
        "8-bit floating point, E4M3 (more precision) or E5M2 (more range); 1 byte per value, native "
        "on Hopper and newer GPUs.",
    ),
    Entry("INT8", "8-bit integers with a scale per channel or group; 1 byte per weight."),
    Entry(
        "INT4",
        "4-bit integers with a scale per group of weights (typically 128); about half a byte per "
        "weight including the scales.",
    ),
    Entry(
        "NVFP4",
        "NVIDIA's 4-bit float format: E2M1 values (0, 0.5, 1, 1.5, 2, 3, 4, 6) with one FP8 scale per 16 "
        "weights, 4.5 bits each; Blackwell multiplies in it natively.",
    ),
    Entry(
        "MXFP4",
        "The OCP microscaling 4-bit format: E2M1 values with one power-of-two (E8M0) scale per 32 weights, "
        "4.25 bits each; gpt-oss ships its experts in it.",
    ),
    Entry(
        "tensor parallelism",
        "Splitting each layer's weight matrices across GPUs so they compute one layer "
        "together, joined by an all-reduce after every layer; needs a fast link such as NVLink.",
        ("Tensor parallelism", "TP"),
    ),
    Entry(
        "pipeline parallelism",
        "Placing consecutive layers on consecutive GPUs so activations flow from one "
        "stage to the next; cheap on bandwidth but leaves idle bubbles.",
        ("Pipeline parallelism", "PP"),
    ),
    Entry(
        "data parallelism",
        "Running full, independent copies of the model on different GPUs, each serving different requests.",
        ("Data parallelism", "DP"),
    ),
    Entry(
        "expert parallelism",
        "Placing different experts of an MoE model on different GPUs, with an "
        "all-to-all exchange that sends each token to its experts.",
        ("Expert parallelism", "EP"),
    ),
    Entry("NVLink", "NVIDIA's GPU-to-GPU link inside a server: 900 GB/s per H100, about 7x PCIe 5."),
    Entry(
        "MoE",
        "Mixture of experts: each layer has many feed-forward experts and a router sends every token to "
        "only a few, so compute per token is a fraction of the parameters.",
    ),
    Entry(
        "expert",
        "One of the parallel feed-forward networks in an MoE layer; a token uses only the top-k "
        "experts its router picks.",
        ("experts",),
    ),
    Entry(
        "router",
        "The small linear layer in an MoE block that scores every expert for a token and keeps the top-k.",
        ("Router",),
    ),
    Entry(
        "prefill",
        "The first phase of a request: all prompt tokens are processed in parallel; compute-bound.",
        ("Prefill",),
    ),
    Entry(
        "decode",
        "The second phase: tokens are generated one at a time, each step reading all weights and the "
        "KV cache; memory-bandwidth-bound.",
        ("Decode",),
    ),
    Entry("TTFT", "Time to first token: queueing plus prefill, what a user feels before the answer starts."),
    Entry("TPOT", "Time per output token: the decode step time, what sets the streaming speed."),
    Entry(
        "ITL",
        "Inter-token latency: the gap between two streamed tokens; its mean is TPOT, its tail shows the steps "
        "that also carried other requests' prompts.",
    ),
    Entry(
        "chunked prefill",
        "Cutting a prompt into pieces that share engine steps with other requests' decode tokens, within a "
        "per-step token budget (vLLM's max_num_batched_tokens).",
        ("Chunked prefill",),
    ),
    Entry(
        "throughput",
        "Tokens generated per second across all concurrent requests; batching raises it at the cost of per-user speed.",
        ("Throughput",),
    ),
    Entry(
        "roofline",
        "A model of speed as the lower of two ceilings: compute (FLOP/s) and memory bandwidth "
        "(bytes/s) times arithmetic intensity.",
        ("Roofline",),
    ),
    Entry("breakeven", "The point in time where the cumulative cost of buying equals that of renting.", ("Breakeven",)),
    Entry(
        "reserved instance",
        "Cloud capacity committed for 1 or 3 years at a discount to on-demand, paid whether used or not.",
        ("reserved instances", "Reserved instances"),
    ),
    Entry(
        "on-demand",
        "Cloud capacity billed by the hour with no commitment; the most flexible and most expensive way to rent.",
        ("On-demand",),
    ),
    Entry("PUE", "Power usage effectiveness: total facility power divided by IT power (1.2-1.5 typical)."),
    Entry("TDP", "Thermal design power: the sustained power a GPU is rated to draw, in watts."),
    Entry("GiB", "Gibibyte, 2^30 = 1,073,741,824 bytes, 7.4% more than a GB (10^9 bytes, the unit this site prints)."),
)


def abbreviations() -> list[tuple[str, str]]:
    """(text, definition) for every term and alias, as Markdown abbreviations need them."""
    return [(text, e.definition) for e in GLOSSARY for text in (e.term, *e.aliases)]


def definition(term: str) -> str:
    """The definition of a term or alias (KeyError if unknown)."""
    return dict(abbreviations())[term]
