"""Every widget on the full page given bad input: an inline message, no console error, the others still work."""

import pytest

from site_py import registry, widget

from .helpers import error_text, outputs, set_input

BAD = ["", "-5", "0", "abc", "1e12", "nan", "1e400"]
HUGE_BUT_MAYBE_VALID = ["10000000", "1000000000000"]


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
    for bad in BAD + HUGE_BUT_MAYBE_VALID:
        set_input(page, name, field.name, bad)
        message = error_text(page, name, field.name)
        text = page.inner_text(f"#pg-{name} [data-pg-output]")
        if bad in BAD and bad not in ("0",):
            assert message, f"{name}.{field.name}={bad!r} was accepted"
        if not message:
            assert "nan" not in text.lower().split() and "inf" not in text.lower().split()
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
