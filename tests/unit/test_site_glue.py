"""Site glue that runs without a browser: URL state, glossary, units."""

from playground.glossary import GLOSSARY, abbreviations
from playground.units import format_bytes, format_count, format_seconds
from site_py import urlstate
from site_py.widget import Field

FIELDS = [
    Field("model", "Model", "select", "a", options=(("a", "A"), ("b", "B"))),
    Field("users", "Users", "number", "1", min=1, max=1000),
    Field("config", "Config", "textarea", "", url=False),
]

REQUIRED_TERMS = [
    "VRAM",
    "HBM",
    "KV cache",
    "GQA",
    "MLA",
    "quantization",
    "FP32",
    "BF16",
    "FP8",
    "INT4",
    "tensor parallelism",
    "pipeline parallelism",
    "data parallelism",
    "expert parallelism",
    "NVLink",
    "MoE",
    "expert",
    "router",
    "prefill",
    "decode",
    "TTFT",
    "TPOT",
    "throughput",
    "roofline",
    "breakeven",
    "reserved instance",
]


def test_glossary_has_every_required_term_with_one_sentence():
    """Every term the foundation issue lists is defined, each in a single sentence."""
    terms = {e.term for e in GLOSSARY}
    assert set(REQUIRED_TERMS) <= terms
    for e in GLOSSARY:
        assert e.definition.endswith(".") and e.definition.count(". ") == 0, e.term


def test_abbreviations_cover_aliases_without_duplicates():
    """Aliases get tooltips too, and no text is defined twice."""
    texts = [t for t, _ in abbreviations()]
    assert len(texts) == len(set(texts))
    assert "Tensor parallelism" in texts


def test_url_roundtrip_keeps_only_changed_values():
    """Only non-default values go into the URL, and they come back unchanged."""
    params = urlstate.encode("vram", FIELDS, {"model": "b", "users": "1", "config": "{}"})
    assert params == [("vram.model", "b")]
    assert urlstate.decode("vram", FIELDS, params) == ({"model": "b"}, [])


def test_hostile_url_values_are_ignored_or_clamped_with_notices():
    """Unknown options, script payloads, huge and non-numeric numbers never reach the widget as-is."""
    values, notices = urlstate.decode(
        "vram",
        FIELDS,
        [
            ("vram.model", "<script>alert(1)</script>"),
            ("vram.users", "1e12"),
            ("vram.config", "x"),
            ("vram.nope", "1"),
            ("other.users", "5"),
        ],
    )
    assert values == {"users": "1000"}
    assert len(notices) == 4


def test_non_numeric_url_number_is_ignored():
    """A NaN or text number from a link falls back to the default."""
    values, notices = urlstate.decode("vram", FIELDS, [("vram.users", "nan"), ("vram.users", "abc")])
    assert values == {} and len(notices) == 2


def test_units_are_labelled_and_decimal():
    """GB is 1e9 and GiB is 2^30, and each is labelled as such."""
    assert format_bytes(141.2e9) == "141 GB"
    assert format_bytes(2**30, "GiB") == "1 GiB"
    assert format_count(70.6e9) == "70.6B"
    assert format_seconds(0.0125) == "12.5 ms"


def test_every_widget_renders_balanced_blocks():
    """Each widget's output is a Blocks whose parts join to it and are each balanced markup (patch.js
    patches a block's own nodes), for the defaults and for a changed benchmark field."""
    import html.parser

    from bench.interaction import FIELDS
    from site_py import registry, widget

    void = {"br", "img", "input", "hr", "wbr", "col", "source"}

    class Depth(html.parser.HTMLParser):
        def __init__(self):
            super().__init__()
            self.stack, self.ok = [], True

        def handle_starttag(self, tag, attrs):
            if tag not in void:
                self.stack.append(tag)

        def handle_endtag(self, tag):
            if tag not in void:
                self.ok = self.ok and bool(self.stack) and self.stack.pop() == tag

    for name in registry.WIDGETS:
        module = registry.get(name)
        values = widget.defaults(module)
        for vals in (values, {**values, FIELDS[name]: values[FIELDS[name]] + "3"}):
            out, error = widget.update(module, vals)
            assert error is None, (name, error)
            assert out.parts and "".join(out.parts) == out, name
            for part in out.parts:
                p = Depth()
                p.feed(part)
                p.close()
                assert p.ok and not p.stack, (name, part[:80])
