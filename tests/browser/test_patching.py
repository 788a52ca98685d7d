"""How a widget updates: keyed patching leaves unchanged blocks alone, a burst renders once per frame,
blocks off screen are patched after the frame, closed <details> wait until opened (or until the typing
pauses). Behaviour only: no timing thresholds."""

import pytest

from .conftest import open_page
from .helpers import cli, outputs, set_input, settled

WATCH = """(sel) => {
  const out = document.querySelector(sel + ' [data-pg-output]');
  window.__pg = { out, mutated: [], nodes: [...out.querySelectorAll('*')] };
  window.__pg.nodes.forEach((n) => { n.__pgMark = true; });
  new MutationObserver((rs) => rs.forEach((r) => window.__pg.mutated.push(r.target)))
    .observe(out, { subtree: true, childList: true, attributes: true, characterData: true });
}"""
RENDERS = "(w) => performance.getEntriesByName('pg:render:' + w).length"


@pytest.fixture(scope="module")
def vram(context, server):
    """The VRAM section on its own, Python live."""
    watched = open_page(context, server, "embed/vram/")
    yield watched
    watched.page.close()


def test_unchanged_blocks_are_the_same_nodes_untouched(vram):
    """Typing a user count patches the KV-cache figures in place and leaves the weights block alone."""
    page = vram.page
    page.evaluate(WATCH, "#pg-vram")
    weights_before = outputs(page, "vram")["weights_bytes"]
    set_input(page, "vram", "users", "48")
    state = page.evaluate(
        """() => {
      const out = window.__pg.out, inside = (block) => window.__pg.mutated.some((t) => block.contains(t));
      const weights = out.querySelector('output[data-key=weights_bytes]');
      const total = out.querySelector('output[data-key=total_bytes]');
      return {
        weightsMarked: !!weights.__pgMark, totalMarked: !!total.__pgMark,
        weightsBlockTouched: inside(weights.parentElement), totalTouched: inside(total),
        kept: window.__pg.nodes.filter((n) => n.isConnected).length, before: window.__pg.nodes.length,
        mutations: window.__pg.mutated.length,
      };
    }"""
    )
    assert outputs(page, "vram")["weights_bytes"] == weights_before
    assert state["weightsMarked"] and not state["weightsBlockTouched"]  # same node, not even an attribute
    assert state["totalMarked"] and state["totalTouched"]  # same node, new number
    assert state["kept"] == state["before"]  # nothing was rebuilt: every old element is still in the page
    assert 0 < state["mutations"] < state["before"] // 4
    expected = cli("vram", "--model", "llama-3.1-70b", "--precision", "bf16", "--users", "48", "--context", "8192")
    assert float(outputs(page, "vram")["total_bytes"]) == pytest.approx(expected["total_bytes"], rel=1e-12)
    set_input(page, "vram", "users", "16")
    vram.assert_clean()


def test_a_burst_of_input_renders_once_per_frame(vram):
    """Five input events in one task render once, with the last value; trusted typing never renders
    more often than frames are drawn."""
    page = vram.page
    settled(page, "vram")
    before = page.evaluate(RENDERS, "vram")
    page.evaluate(
        """() => { const el = document.getElementById('pg-vram-users');
      for (const v of ['20', '21', '22', '23', '24']) {
        el.value = v; el.dispatchEvent(new Event('input', { bubbles: true }));
      } }"""
    )
    settled(page, "vram")
    assert page.evaluate(RENDERS, "vram") - before == 1
    expected = cli("vram", "--model", "llama-3.1-70b", "--precision", "bf16", "--users", "24", "--context", "8192")
    assert float(outputs(page, "vram")["total_bytes"]) == pytest.approx(expected["total_bytes"], rel=1e-12)

    page.evaluate(
        "() => { window.__frames = 0; const tick = () => { window.__frames++; if (!window.__stop) "
        "requestAnimationFrame(tick); }; window.__stop = false; requestAnimationFrame(tick); }"
    )
    before = page.evaluate(RENDERS, "vram")
    page.click("#pg-vram-users")
    page.keyboard.press("End")
    page.keyboard.type("0123456789")  # trusted key presses, as fast as the driver sends them
    settled(page, "vram")
    renders, frames = page.evaluate(
        "(w) => { window.__stop = true; return [(" + RENDERS + ")(w), window.__frames]; }", "vram"
    )
    assert 1 <= renders - before <= frames
    assert page.input_value("#pg-vram-users") == "240123456789"
    set_input(page, "vram", "users", "16")
    vram.assert_clean()


def test_closed_details_wait_until_opened(context, server):
    """The closed math of the parallelism section is not patched by a render; opening it shows the
    current numbers, and after the typing pauses it has caught up even unopened."""
    watched = open_page(context, server, "embed/parallel/")
    page = watched.page
    math = "#pg-parallel [data-pg-output] details:not([open])"
    assert page.eval_on_selector(math, "d => d.textContent.includes('The math')")
    page.evaluate(
        """(sel) => { const d = document.querySelector(sel); window.__math = { d, times: [] };
      new MutationObserver(() => window.__math.times.push(performance.now()))
        .observe(d, { subtree: true, childList: true, attributes: true, characterData: true }); }""",
        math,
    )
    before = page.eval_on_selector(math, "d => d.innerHTML")
    set_input(page, "parallel", "gpus", "16")
    state = page.evaluate(
        """() => {
      const r = performance.getEntriesByName('pg:render:parallel').at(-1);
      // Observer callbacks run as microtasks right after the render's frame callback, so a change the
      // render made is stamped within moments of its end; the idle catch-up comes >= 300 ms later.
      const end = r.startTime + r.duration;
      const during = window.__math.times.filter((t) => t >= r.startTime && t <= end + 100);
      return { during: during.length, after: window.__math.times.length };
    }"""
    )
    assert state["during"] == 0  # the render itself did not touch the closed math
    caught_up = page.eval_on_selector(math, "d => d.innerHTML")
    assert caught_up != before  # ...which caught up once the input settled (16 GPUs, not 8)
    set_input(page, "parallel", "gpus", "8")
    page.eval_on_selector(math, "d => { d.open = true; }")
    page.wait_for_function("(sel) => document.querySelector(sel.replace(':not([open])', '[open]'))", arg=math)
    assert page.eval_on_selector("#pg-parallel [data-pg-output] details[open]", "d => d.innerHTML") == before
    watched.assert_clean()
    page.close()


def test_only_changed_blocks_are_sent_and_the_result_equals_a_fresh_render(context, server):
    """Changing the example weight sends the bits block but not the memory table; after several edits the
    output is the same markup as a fresh page opened on the resulting link."""
    watched = open_page(context, server, "embed/quantize/")
    page = watched.page
    page.evaluate(
        """() => { const patch = window.pgPatch; window.__sent = [];
      window.pgPatch = (root, html, ...rest) => {
        window.__sent.push(typeof html === 'string' ? null : Array.from(html, (p) => p == null ? null : p.length));
        return patch(root, html, ...rest); }; }"""
    )
    table = "#pg-quantize [data-pg-output] table"
    page.eval_on_selector(table, "t => { t.__pgMark = true; }")
    set_input(page, "quantize", "value", "0.25")
    set_input(page, "quantize", "value", "-3.5")
    sent = page.evaluate("window.__sent")
    assert sent and all(s is not None for s in sent)  # blocks, not one string
    unchanged = [i for i, n in enumerate(sent[-1]) if n is None]
    assert unchanged and len(unchanged) < len(sent[-1])  # some blocks went, most stayed home
    assert page.eval_on_selector(table, "t => t.__pgMark === true")  # the table is the very same node
    set_input(page, "quantize", "batch", "8")  # now the table changes too
    set_input(page, "quantize", "precision", "fp8")
    page.wait_for_function("() => ['batch', 'precision'].every((f) => location.search.includes('quantize.' + f))")
    link = page.url
    html = page.eval_on_selector("#pg-quantize [data-pg-output]", "o => { window.pgFlush(o); return o.innerHTML; }")
    fresh = open_page(context, server, link[len(server.url) :])
    settled(fresh.page, "quantize")
    again = fresh.page.eval_on_selector(
        "#pg-quantize [data-pg-output]", "o => { window.pgFlush(o); return o.innerHTML; }"
    )
    assert again == html
    watched.assert_clean()
    fresh.assert_clean()
    page.close()
    fresh.page.close()


# Frames counted by a frame callback; each mutation of the bits block is stamped with the count, and so is
# the input event (a listener on the window, which runs before the widget's render).
FRAMES = """(sel) => {
  window.__f = { frames: 0, input: null, stamps: [] };
  const tick = () => { window.__f.frames++; requestAnimationFrame(tick); }; requestAnimationFrame(tick);
  window.addEventListener('input', () => { window.__f.input = window.__f.frames; }, true);
  const block = document.querySelector(sel).closest('[data-pg-output] > *');
  new MutationObserver(() => window.__f.stamps.push(window.__f.frames))
    .observe(block, { subtree: true, childList: true, attributes: true, characterData: true });
}"""


def test_a_block_off_screen_is_patched_after_the_frame(context, server):
    """The bits of the example weight, far below its field, change one frame after the input (the
    keystroke's frame carries only what is in view); in a window tall enough to show them, they change
    before that frame. Either way they end up equal to the CLI's bits."""
    watched = open_page(context, server, "embed/quantize/")
    page = watched.page
    # Once warm, patch.js knows the prerendered output's blocks: the very first edit is by block too.
    page.wait_for_selector("html[data-pg-warm='true']", state="attached")
    bits = "#pg-quantize [data-pg-output] output[data-key='bits.fp32.bits']"
    page.evaluate(FRAMES, bits)
    page.evaluate("() => window.scrollTo(0, 0)")
    assert page.eval_on_selector(
        bits, "o => o.parentElement.closest('div').getBoundingClientRect().top > innerHeight + 200"
    )
    for value, in_view in (("0.375", False), ("-7.5", True)):
        if in_view:  # a window tall enough for the whole widget (typing scrolls the field into view)
            page.set_viewport_size({"width": 1280, "height": 8000})
            page.wait_for_timeout(100)
        page.evaluate("() => { window.__f.stamps = []; }")
        set_input(page, "quantize", "value", value)
        state = page.evaluate("() => window.__f")
        assert state["stamps"], value  # the block did change
        if in_view:
            assert min(state["stamps"]) == state["input"]  # patched by the render itself, before the frame
        else:
            assert min(state["stamps"]) > state["input"]  # only once the keystroke's frame was drawn
        expected = cli("quantize", value)
        assert outputs(page, "quantize")["bits.fp32.bits"] == expected["fp32"]["bits"]
    watched.assert_clean()
    page.close()
