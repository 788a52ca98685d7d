"""Every widget on the full page given bad input: an inline message, no console error, the others still work."""

import pytest

from site_py import registry, widget

from .helpers import error_text, outputs, set_input

ALWAYS_BAD = ["", "abc", "nan", "1e400"]
OUT_OF_RANGE = ["-5", "0", "1e12"]  # bad where the field has a lower bound of 1 or an upper bound below 1e12
HUGE_BUT_MAYBE_VALID = ["10000000", "1000000000000"]
# FP16 has no value above 65,504: 1e12 in FP16 is +inf by IEEE 754, which is what the bit widget teaches.
IEEE_OVERFLOW = ("bits.fp16.", "bits.bf16.")


def _number_fields():
    for name in registry.WIDGETS:
        for f in widget.fields_of(registry.get(name)):
            if f.kind == "number":
                yield name, f


NUMBER_FIELDS = list(_number_fields())


@pytest.mark.parametrize(("name", "field"), NUMBER_FIELDS, ids=[f"{n}.{f.name}" for n, f in NUMBER_FIELDS])
def test_bad_numbers_are_caught_inline(playground, name, field):
    """Each bad value gets a message next to its field (or, if valid, finite numbers) and no console error."""
    page = playground.page
    for bad in ALWAYS_BAD + OUT_OF_RANGE + HUGE_BUT_MAYBE_VALID:
        set_input(page, name, field.name, bad)
        message = error_text(page, name, field.name)
        optional = bad == "" and field.default in ("", "auto")  # empty means "none" or "auto" there
        must_fail = (
            (bad in ALWAYS_BAD and not optional)
            or (bad == "-5" and field.min is not None and field.min >= 0)
            or (bad == "0" and field.min is not None and field.min >= 1)
            or (bad == "1e12" and field.max is not None and field.max < 1e12)
        )
        if must_fail:
            assert message, f"{name}.{field.name}={bad!r} was accepted"
        if not message:  # accepted: every number on display must be finite, except a format's own overflow
            shown = {k: v.lower() for k, v in outputs(page, name).items() if not k.startswith(IEEE_OVERFLOW)}
            assert not [k for k, v in shown.items() if v in ("nan", "inf", "-inf", "infinity", "-infinity")]
    set_input(page, name, field.name, field.default)
    assert error_text(page, name, field.name) == ""
    playground.assert_clean()


def test_other_widgets_keep_working_while_one_is_broken(playground):
    """With every widget holding a bad value, each one still recomputes once its own input is fixed."""
    page = playground.page
    firsts = {}
    for name, f in NUMBER_FIELDS:
        firsts.setdefault(name, f)
    for name, f in firsts.items():
        set_input(page, name, f.name, "abc")
    for name, f in firsts.items():
        set_input(page, name, f.name, f.default)
        assert outputs(page, name), name
        assert error_text(page, name, f.name) == ""
    playground.assert_clean()
