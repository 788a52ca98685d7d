"""Quality evidence records and the Safe / Caution / Noticeable ratings they give."""

import re

import pytest

from playground.errors import InputError
from playground.precision import KV_PRECISION_IDS
from playground.quality import (
    CAUTION_MAX_LOSS,
    EVIDENCE,
    LONG_CONTEXT_TOKENS,
    PPL_INCREASE,
    SAFE_MAX_LOSS,
    caveats,
    evidence_by_id,
    level_for,
    rate,
    rate_kv,
)
from playground.quantization import FORMAT_IDS


def test_every_record_names_its_source_date_and_figure():
    """Each record has a citation, an https link, an ISO date, a measured figure and known format ids."""
    assert len({e.id for e in EVIDENCE}) == len(EVIDENCE)
    for e in EVIDENCE:
        assert e.cite and e.source and e.figure and e.setting, e.id
        assert e.url.startswith("https://"), e.id
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", e.date), e.id
        assert 0 <= e.loss_fraction < 1, e.id
        assert set(e.formats) <= set(KV_PRECISION_IDS if e.kv else FORMAT_IDS), e.id


def test_every_weight_format_and_kv_precision_has_evidence():
    """No format is rated without a record behind it."""
    for fmt in FORMAT_IDS:
        assert rate(fmt).evidence
    for kv in KV_PRECISION_IDS:
        assert rate_kv(kv).evidence


@pytest.mark.parametrize(
    "fmt,delta_ppl,published_percent",
    [
        # llama.cpp tools/perplexity/README.md, "LLaMA 3 8b Scoreboard" (2024-04-30): mean ΔPPL over F16's 6.7684
        ("q8_0", 0.005872, 0.09),  # 0.005872 / 6.7684 = 0.0868%
        ("q6_k", 0.037777, 0.56),  # 0.037777 / 6.7684 = 0.558%
        ("q4_k_m", 0.196383, 2.9),  # 0.196383 / 6.7684 = 2.901%
        ("q2_k", 3.882171, 57.0),  # 3.882171 / 6.7684 = 57.36%
    ],
)
def test_llama_cpp_perplexity_increases_match_the_scoreboard(fmt, delta_ppl, published_percent):
    """ΔPPL / PPL_F16 reproduces the scoreboard's relative increases (reference README: +0.09% ... +57%)."""
    record = evidence_by_id(f"llama.cpp-{fmt}")
    assert record.loss_fraction == pytest.approx(delta_ppl / 6.7684, rel=1e-12)
    assert 100 * record.loss_fraction == pytest.approx(published_percent, abs=0.5 if fmt == "q2_k" else 0.01)
    assert record.terms[0].formula is PPL_INCREASE


def test_published_study_figures_are_pinned():
    """Kurtic 2024 (INT8 1-3%), Mekala 2025 (8-bit -0.8%, 4-bit up to -59%), vLLM 2026 (FP8 KV 94-99%)."""
    assert evidence_by_id("kurtic-fp8").loss_fraction == 0.0  # "effectively lossless"
    assert evidence_by_id("kurtic-int8").loss_fraction == pytest.approx(0.03)  # upper end of 1-3%
    assert evidence_by_id("mekala-8bit").loss_fraction == pytest.approx(0.008)
    assert evidence_by_id("mekala-4bit").loss_fraction == pytest.approx(0.59)
    assert evidence_by_id("vllm-fp8-kv").loss_fraction == pytest.approx(1 - 0.94)  # worst recovery 94%
    assert evidence_by_id("mekala-4bit").min_context_tokens == 64 * 1024


def test_thresholds_split_the_levels():
    """At most 1% is Safe, at most 10% Caution, beyond Noticeable; the boundaries belong to the milder level."""
    assert (SAFE_MAX_LOSS, CAUTION_MAX_LOSS) == (0.01, 0.10)
    assert level_for(0.0) == level_for(0.01) == "safe"
    assert level_for(0.0101) == level_for(0.10) == "caution"
    assert level_for(0.1001) == "noticeable"


@pytest.mark.parametrize(
    "fmt,level",
    [
        ("fp32", "safe"),
        ("bf16", "safe"),
        ("fp8", "safe"),
        ("int8", "caution"),
        ("int4", "caution"),
        ("q8_0", "safe"),
        ("q6_k", "safe"),
        ("q4_k_m", "caution"),
        ("q2_k", "noticeable"),
    ],
)
def test_ratings_at_ordinary_context(fmt, level):
    """At 4K tokens each format gets the level its worst short-context measurement earns."""
    assert rate(fmt, 4096).level == level


def test_long_context_lowers_four_bit_ratings_only():
    """From 65,536 tokens 4-bit formats become Noticeable (-59%); 8-bit stays Safe/Caution (-0.8%)."""
    below, at = LONG_CONTEXT_TOKENS - 1, LONG_CONTEXT_TOKENS
    for fmt in ("int4", "q4_k_m"):
        assert rate(fmt, below).level == "caution"
        long = rate(fmt, at)
        assert long.level == "noticeable" and long.evidence[0].id == "mekala-4bit"
        assert "65,536" in long.reason
    assert rate("fp8", at).level == "safe" and rate("q8_0", at).level == "safe"
    assert rate("int8", at).level == "caution"


def test_kv_cache_is_rated_separately():
    """An FP8 KV cache is Caution (94-99% recovery); 16-bit and FP32 caches are Safe."""
    assert rate_kv("fp8").level == "caution"
    assert rate_kv("bf16").level == rate_kv("fp32").level == "safe"


def test_unknown_formats_are_input_errors():
    """A format without evidence is an InputError naming the right field."""
    with pytest.raises(InputError) as exc:
        rate("int3")
    assert exc.value.field == "precision"
    with pytest.raises(InputError) as exc:
        rate_kv("int4")
    assert exc.value.field == "kv_precision"


def test_caveats_follow_the_inputs_and_cite_real_records():
    """Small models, long contexts and an FP8 KV cache each bring their caveat; every cited id exists."""
    plain = {c.id: c for c in caveats(8e9, 4096, "bf16")}
    assert set(plain) == {"model", "long", "kv"}
    assert "small" in {c.id for c in caveats(1.5e9, 4096, "bf16")}
    long = {c.id: c for c in caveats(8e9, 131072, "fp8")}
    assert "131,072" in long["long"].text and "94-99%" in long["kv"].text
    ids = {e.id for e in EVIDENCE}
    for c in (*plain.values(), *long.values()):
        assert set(c.sources) <= ids


def test_model_dependence_caveat_matches_the_llama_cpp_comparison():
    """Llama 2 7B vs Llama 3 8B at Q4_K_M: mean PPL ratio 1.014242 vs 1.029127 (llama.cpp perplexity README)."""
    text = caveats(8e9, 4096, "bf16")[0].text
    assert "+2.9% vs +1.4%" in text
    assert round((1.029127 - 1) * 100, 1) == 2.9 and round((1.014242 - 1) * 100, 1) == 1.4
