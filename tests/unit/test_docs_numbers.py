"""Worked numbers in the prose are checked against the engine, so the text cannot drift from the math."""

from playground.architecture import kv_bytes_per_token
from playground.models import get_model
from playground.units import GiB, format_bytes
from tests.conftest import ROOT

VRAM_MD = (ROOT / "docs" / "sections" / "vram.md").read_text()


def test_llama_70b_kv_example():
    """'320 KiB per token; 32 users x 8,192 tokens = 262,144 tokens = 86 GB' is what the engine computes."""
    per_token = kv_bytes_per_token(get_model("llama-3.1-70b").arch, 16)
    assert f"{per_token / 1024:.0f} KiB" == "320 KiB" and "320 KiB" in VRAM_MD
    tokens = 32 * 8192
    assert f"{tokens:,}" == "262,144" and "262,144 tokens" in VRAM_MD
    assert format_bytes(tokens * per_token, digits=2) == "86 GB" and "86 GB" in VRAM_MD


def test_gqa_factor_for_llama_70b():
    """'64 query heads but only 8 KV heads, so its cache is 8x smaller' matches the config."""
    arch = get_model("llama-3.1-70b").arch
    assert (arch.num_attention_heads, arch.num_key_value_heads) == (64, 8)
    assert "8x smaller" in VRAM_MD


def test_mla_latent_sizes():
    """'512 numbers plus a 64-number positional part' are DeepSeek-V3's kv_lora_rank and qk_rope_head_dim."""
    arch = get_model("deepseek-v3").arch
    assert (arch.kv_lora_rank, arch.qk_rope_head_dim) == (512, 64)
    assert "512 numbers plus a 64-number positional part" in VRAM_MD


def test_gib_conversion():
    """'1 GiB = 1.074 GB' is 2^30 / 10^9 to four figures."""
    assert f"{GiB / 1e9:.3f}" == "1.074" and "1 GiB = 1.074 GB" in VRAM_MD


def test_window_and_state_examples():
    """Gemma 3 27B: 83 KiB per token at 131,072 tokens vs 496 KiB uncapped; Qwen3-Next: 39.5 MB of state."""
    from playground.state import state_bytes_per_sequence

    gemma = get_model("gemma-3-27b").arch
    assert f"{kv_bytes_per_token(gemma, 16, 131072) / 1024:.0f} KiB" == "83 KiB" and "83 KiB" in VRAM_MD
    assert f"{kv_bytes_per_token(gemma, 16) / 1024:.0f} KiB" == "496 KiB" and "496 KiB" in VRAM_MD
    state = format_bytes(state_bytes_per_sequence(get_model("qwen3-next-80b-a3b").arch))
    assert state == "39.5 MB" and "39.5 MB per sequence" in VRAM_MD
