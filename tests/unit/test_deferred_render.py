"""Deferred blocks (site_py/html.py): the browser's placeholders rebuild exactly the prerendered HTML."""

import re

import pytest

from site_py import html, registry, widget

PLACEHOLDER = re.compile(r'<div class="[\w -]+" data-pg-defer="(\d+)"></div>')


@pytest.mark.parametrize("name", registry.WIDGETS)
def test_placeholders_rebuild_the_prerendered_html(name):
    """Filling every placeholder with its builder gives byte for byte what the build prerenders."""
    module = registry.get(name)
    values = widget.defaults(module)
    full, _ = widget.update(module, values)
    with html.deferring():
        lazy, _ = widget.update(module, values)
    assert 'data-pg-defer="' not in full  # the build never defers
    assert PLACEHOLDER.search(lazy)  # every widget shows formulas, so something was deferred
    assert html.all_deferred_known(lazy)
    assert PLACEHOLDER.sub(lambda m: html.build_deferred(int(m.group(1))), lazy) == full


def test_a_block_gone_from_the_builders_is_reported():
    """A placeholder whose builder was dropped is detected (the glue then renders in full) and builds as ''."""
    with html.deferring():
        block = html.formula_block([])
    n = int(PLACEHOLDER.match(block).group(1))
    assert html.all_deferred_known(block)
    del html._BUILDERS[n]
    assert not html.all_deferred_known(block)
    assert html.build_deferred(n) == ""


def test_updates_are_kept_and_shown_again_for_the_same_values():
    """widget.update keeps recent renders per deferral mode; a kept render whose placeholders can no longer
    be built is drawn again, so the browser never gets a block it cannot fill."""
    module = registry.get("vram")
    values = {**widget.defaults(module), "users": "123"}
    full, _ = widget.update(module, values)
    assert widget.update(module, values)[0] is full
    with html.deferring():
        lazy, _ = widget.update(module, values)
        assert widget.update(module, values)[0] is lazy
        html._BUILDERS.clear()  # as if a long session had pushed them out
        again, _ = widget.update(module, values)
    assert again != lazy and html.all_deferred_known(again)
    assert widget.update(module, {**values, "users": "-1"})[1][0] == "users"
