"""The accuracy page in a real browser: the scatter is drawn, the tables match the calibration module."""

import pytest

from playground import accuracy, calibration
from site_py.accuracy import BENCHMARKS

from .conftest import open_page


@pytest.fixture(scope="module")
def page(context, server):
    watched = open_page(context, server, "accuracy/", ready=False)
    yield watched
    watched.page.close()


def test_scatter_has_one_point_per_answered_run(page):
    """Every answered run is a visible point, coloured by its split; the diagonal and ±25% band are drawn."""
    p = page.page
    answered = [r for r in accuracy.throughput_rows(BENCHMARKS) if r.predicted]
    assert p.locator("svg.pg-acc-scatter circle").count() == len(answered)
    held = sum(r.split == "held out" for r in answered)
    assert p.locator("svg.pg-acc-scatter circle.pg-acc-held").count() == held == calibration.HELD_OUT["n"]
    assert p.locator("svg.pg-acc-scatter .pg-acc-diag").is_visible()
    box = p.locator("svg.pg-acc-scatter").bounding_box()
    assert box["width"] > 250 and box["height"] > 250
    page.assert_clean()


def test_split_table_reports_the_calibration_counts(page):
    """The split table shows the same run counts as playground/calibration.py (fit, held out, LOGO)."""
    counts = page.page.eval_on_selector_all(
        "table output[data-key='n']", "els => els.map(e => Number(e.dataset.value))"
    )
    assert calibration.FIT["n"] in counts
    assert calibration.HELD_OUT["n"] in counts
    assert calibration.LEAVE_ONE_GROUP_OUT["n"] in counts


def test_memory_rows_match_the_engine(page):
    """Each engine-log ratio on the page equals playground.accuracy's for the same log."""
    from site_py.accuracy import LOGS

    shown = page.page.eval_on_selector_all(
        "output[data-key^='memory.']", "els => els.map(e => [e.dataset.key, Number(e.dataset.value)])"
    )
    expected = {f"memory.{m.id}": m.ratio for m in accuracy.memory_rows(LOGS)}
    assert shown and dict(shown) == pytest.approx(expected)
