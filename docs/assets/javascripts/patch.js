// Keyed DOM patching for widget outputs: an update touches only the nodes whose markup changed.
// Python renders the whole output as HTML (the same markup as the prerendered page); this walks the
// live tree and the new one side by side, keyed by tag + id/data-key/class, and leaves every equal
// subtree (a headline figure, a bar, a table, a formula, an SVG) as the very same DOM node. Replacing
// the whole output with innerHTML made the browser restyle and lay out tens of kB of tables, MathML
// and SVG on every keystroke.
// Three things wait so that the keystroke's own frame carries only what the reader is looking at:
// - A changed block (site_py.html.blocks) that is off screen is patched just after the frame.
// - Formula blocks arrive as placeholders (`data-pg-defer=N`, see site_py/html.py); Python renders
//   block N only when asked. A formula already on the page is updated right after the frame that
//   shows the render is drawn, a new one at once.
// - Closed <details> are not patched while closed: the new content waits on the element and goes in
//   when it opens, or when the typing pauses (so links, Markdown and find-in-page see current numbers).
(function () {
  "use strict";
  var IDLE_AFTER_MS = 300; // typing pauses longer than this let closed <details> catch up
  var LOOKAHEAD = 6; // how far to look for a moved keyed sibling before inserting a new node
  var STILL_MS = 1200; // diagrams and heights hold still while someone is typing, and this long after
  var MARGIN_PX = 200; // a block this close to the viewport counts as in view

  function parse(html) {
    var t = document.createElement("template");
    t.innerHTML = html;
    return t.content;
  }

  function key(n) {
    if (n.nodeType !== 1) return "#" + n.nodeType;
    return n.tagName + "|" + (n.id || n.getAttribute("data-key") || n.getAttribute("class") || "");
  }

  function syncAttributes(a, b) {
    var keepOpen = a.tagName === "DETAILS"; // the reader opened or closed it: theirs to keep
    var i, at;
    for (i = a.attributes.length - 1; i >= 0; i--) {
      at = a.attributes[i];
      if (!(keepOpen && at.name === "open") && !b.hasAttribute(at.name)) a.removeAttribute(at.name);
    }
    for (i = 0; i < b.attributes.length; i++) {
      at = b.attributes[i];
      if (!(keepOpen && at.name === "open") && a.getAttribute(at.name) !== at.value) a.setAttribute(at.name, at.value);
    }
  }

  function resolve(b, ctx, idx) {
    // A deferred block (data-pg-defer) is rendered by Python only now that it is needed.
    if (idx === undefined) idx = b.nodeType === 1 ? b.getAttribute("data-pg-defer") : null;
    if (idx === null || !ctx.resolve) return b;
    var html = ctx.resolve(Number(idx));
    return html ? parse(html).firstElementChild : null; // null: gone; keep what the page shows
  }

  function fill(node, ctx) {
    // A node inserted as new may carry placeholders too.
    if (node.nodeType !== 1) return;
    node.querySelectorAll("[data-pg-defer]").forEach(function (ph) {
      var b = resolve(ph, ctx);
      if (b) ph.replaceWith(b);
    });
  }

  function morph(a, b, ctx) {
    if (a.nodeType !== 1) {
      if (a.nodeValue !== b.nodeValue) a.nodeValue = b.nodeValue;
      return;
    }
    if (ctx.later && b.hasAttribute("data-pg-defer")) {
      ctx.later.push([a, Number(b.getAttribute("data-pg-defer"))]);
      return;
    }
    b = resolve(b, ctx);
    if (!b) return;
    a._pgNext = null; // whatever was waiting is older than b
    if (a.isEqualNode(b)) return; // unchanged: not touched at all
    if (a.tagName !== b.tagName) {
      fill(b, ctx);
      a.replaceWith(b);
      return;
    }
    syncAttributes(a, b);
    if (a.tagName === "DETAILS" && !a.open) {
      var sa = a.firstElementChild, sb = b.firstElementChild;
      if (sa && sb && sa.tagName === "SUMMARY" && sb.tagName === "SUMMARY") morph(sa, sb.cloneNode(true), ctx);
      a._pgNext = b; // the rest waits until it is opened or the page is idle
      ctx.deferred = true;
      return;
    }
    children(a, b, ctx);
  }

  // Morph a's children into b's; with `start`/`stop`, only a's nodes from start up to (not including) stop.
  function children(a, b, ctx, start, stop) {
    var old = start === undefined ? a.firstChild : start, nb = b.firstChild, next, m, k, look, dead;
    if (stop === undefined) stop = null;
    while (nb) {
      next = nb.nextSibling;
      k = key(nb);
      for (m = old, look = 0; m && m !== stop && key(m) !== k && look < LOOKAHEAD; look++) m = m.nextSibling;
      if (m && m !== stop && key(m) === k) {
        while (old !== m) {
          dead = old;
          old = old.nextSibling;
          a.removeChild(dead);
        }
        old = m.nextSibling;
        morph(m, nb, ctx);
      } else {
        var fresh = resolve(nb, ctx);
        if (fresh) {
          fill(fresh, ctx);
          a.insertBefore(fresh, old);
        }
      }
      nb = next;
    }
    while (old && old !== stop) {
      dead = old;
      old = old.nextSibling;
      a.removeChild(dead);
    }
  }

  function holder(html) {
    var d = document.createElement("div");
    d.appendChild(parse(html));
    return d;
  }

  // The nodes of each block, from root._pgCounts (how many top-level nodes each block made).
  function ranges(root) {
    var out = [], node = root.firstChild, stop, i, k;
    for (i = 0; i < root._pgCounts.length; i++) {
      for (stop = node, k = 0; k < root._pgCounts[i] && stop; k++) stop = stop.nextSibling;
      out.push([node, stop]);
      node = stop;
    }
    return out;
  }

  // Off screen: none of the range's elements comes within MARGIN_PX of the viewport. Asked before the
  // patch changes anything, while layout is clean (reading it then costs nothing).
  function offscreen(range) {
    var top = Infinity, bottom = -Infinity, n, r;
    for (n = range[0]; n && n !== range[1]; n = n.nextSibling) {
      if (n.nodeType !== 1) continue;
      r = n.getBoundingClientRect();
      if (r.height === 0 && r.width === 0) continue; // hidden
      top = Math.min(top, r.top);
      bottom = Math.max(bottom, r.bottom);
    }
    return top !== Infinity && (bottom < -MARGIN_PX || top > window.innerHeight + MARGIN_PX);
  }

  function patchRange(root, range, html, ctx) {
    var h = holder(html);
    var made = h.childNodes.length;
    children(root, h, ctx, range[0], range[1]);
    return made;
  }

  // The output as blocks (site_py.html.blocks): null marks a block whose markup is the same as last time,
  // so it is neither parsed nor walked. A changed block that is off screen waits in root._pgPending and
  // is patched just after the frame, so the keystroke's frame lays out and paints only what is in view.
  function patchBlocks(root, parts, ctx) {
    var counts = root._pgCounts, made = [], i, h, spans, pending;
    if (!counts || counts.length !== parts.length) {
      var all = document.createElement("div");
      for (i = 0; i < parts.length; i++) {
        h = holder(parts[i] || "");
        made.push(h.childNodes.length);
        while (h.firstChild) all.appendChild(h.firstChild);
      }
      children(root, all, ctx);
      root._pgCounts = made;
      root._pgPending = null;
      return;
    }
    spans = ranges(root);
    pending = root._pgPending || [];
    var away = parts.map(function (part, j) { return part != null && offscreen(spans[j]); });
    for (i = 0; i < parts.length; i++) {
      if (parts[i] == null) {
        made.push(counts[i]); // unchanged since it was sent (a pending block stays pending)
      } else if (away[i]) {
        made.push(counts[i]);
        pending[i] = parts[i];
      } else {
        pending[i] = null;
        made.push(patchRange(root, spans[i], parts[i], ctx));
      }
    }
    root._pgCounts = made;
    root._pgPending = pending.some(function (x) { return x != null; }) ? pending : null;
  }

  // The prerendered output is the render of the default inputs: learn where its blocks begin and end (at
  // idle time), so that the first keystroke patches by block too. True if the page matches the blocks.
  function adopt(root, parts) {
    if (root._pgCounts) return true;
    var counts = [], firsts = [], node = root.firstChild, h, i, k;
    for (i = 0; i < parts.length; i++) {
      h = holder(parts[i] || "");
      counts.push(h.childNodes.length);
      firsts.push(h.firstChild);
    }
    for (i = 0; i < parts.length; i++) {
      for (k = 0; k < counts[i]; k++, node = node.nextSibling) {
        if (!node || (k === 0 && key(node) !== key(firsts[i]))) return false;
      }
    }
    if (node) return false;
    root._pgCounts = counts;
    return true;
  }

  function settling(root) {
    // Read by the browser tests (and Copy as Markdown): work is still to land after this frame.
    root.pgSettling = !!(root._pgAfter || root._pgIdle);
  }

  function idleCatchUp(root, ctx) {
    // Closed <details> left behind by a patch catch up once the typing pauses.
    clearTimeout(root._pgIdle);
    root._pgIdle = null;
    if (ctx.deferred) {
      root._pgIdle = setTimeout(function () {
        (window.requestIdleCallback || setTimeout)(function () { flush(root); });
      }, IDLE_AFTER_MS);
    }
  }

  function soon(root) {
    // Right after the frame is painted: the off-screen blocks, then the formula blocks that are on the page.
    var later = root._pgSoon, pending = root._pgPending, ctx = { resolve: root._pgResolve, deferred: false };
    root._pgSoon = root._pgPending = root._pgAfter = null;
    if (pending) {
      var spans = ranges(root);
      pending.forEach(function (html, i) {
        if (html != null) root._pgCounts[i] = patchRange(root, spans[i], html, ctx);
      });
      if (ctx.deferred) idleCatchUp(root, ctx);
    }
    if (later) {
      later.forEach(function (pair) {
        var b = pair[0].isConnected && resolve(pair[0], ctx, pair[1]);
        if (b) morph(pair[0], b, ctx);
      });
    }
    settling(root);
  }

  function flush(root) {
    soon(root);
    clearTimeout(root._pgIdle);
    root._pgIdle = null;
    root.querySelectorAll("details").forEach(function (d) {
      if (!d._pgNext) return;
      var b = d._pgNext;
      d._pgNext = null;
      children(d, b, { resolve: root._pgResolve });
    });
    settling(root);
  }

  // Run fn just after the frame that shows the current changes is drawn. A patch made before the
  // frame (Python renders right after the input event) waits for that frame; one made inside a frame
  // callback only for the task that follows it.
  function afterPaint(fn, inFrame) {
    if (inFrame) setTimeout(fn, 0);
    else requestAnimationFrame(function () { setTimeout(fn, 0); });
  }

  // Patch `root`'s children to the markup `html` (a string, or an array of blocks, see patchBlocks);
  // `resolve(n)` renders deferred block n (may be null); `inFrame`: called from a frame callback.
  function patch(root, html, resolve, inFrame) {
    var ctx = { resolve: resolve, deferred: false, later: [] };
    var widget = root.closest("[data-pg-widget]");
    var before = widget ? widget.getBoundingClientRect().height : 0; // layout is clean here: free to read
    root._pgResolve = resolve;
    if (typeof html === "string") {
      root._pgCounts = root._pgPending = null;
      children(root, holder(html), ctx);
    } else {
      patchBlocks(root, html, ctx);
    }
    root._pgSoon = ctx.later.length ? ctx.later : null; // a newer patch replaces the list: latest numbers only
    if ((root._pgSoon || root._pgPending) && !root._pgAfter) {
      root._pgAfter = true;
      afterPaint(function () { soon(root); }, inFrame);
    }
    idleCatchUp(root, ctx);
    if (widget) hold(widget, before, inFrame); // after the patch: its new nodes too
    settling(root);
  }

  // toggle does not bubble; a capturing listener sees every <details> opening.
  document.addEventListener("toggle", function (e) {
    var d = e.target;
    if (d && d._pgNext && d.open) {
      var root = d.closest("[data-pg-output]");
      var b = d._pgNext;
      d._pgNext = null;
      children(d, b, { resolve: root && root._pgResolve });
    }
  }, true);

  // A User Timing entry per render: the benchmark and the tests count and time them.
  function measure(label, start) {
    performance.measure(label, { start: start, end: performance.now() });
  }

  // A widget's animations run only while it is on screen and nobody is typing into it: an SVG or CSS
  // animation that is not compositor-only makes the browser style, hit-test and paint a frame 60 times
  // a second, the keystroke's own frame included. Paused through the Web Animations API, not a CSS
  // attribute rule, which would restyle the whole widget when it flips.
  function animate(widget) {
    var run = !widget._pgOffscreen && !widget._pgTyping;
    widget.getAnimations({ subtree: true }).forEach(function (a) {
      if (run && a.playState === "paused") a.play();
      else if (!run && a.playState === "running") a.pause();
    });
  }

  // While someone types into a widget (until STILL_MS after its last render) it holds still:
  // - its animations pause;
  // - it does not shrink: what is below stays put instead of jumping with every digit, and the page height
  //   (which Material watches with a ResizeObserver, reflowing its sidebars in the keystroke's frame)
  //   changes only when the widget grows. The min-height goes on the widget (a padded, border-box card),
  //   not the output: there it would stop the last child's margin collapsing and change the height.
  function hold(widget, height, inFrame) {
    if (height > (widget._pgKeep || 0)) {
      widget._pgKeep = height;
      widget.style.minHeight = height + "px";
    }
    widget._pgTyping = true;
    // Paused just after this frame is drawn, when styles are fresh: asking for animations now would
    // force the style recalculation into the keystroke's script time.
    if (widget.getAnimations) afterPaint(function () { animate(widget); }, inFrame);
    clearTimeout(widget._pgStill);
    widget._pgStill = setTimeout(function () {
      widget._pgKeep = 0;
      widget.style.minHeight = "";
      widget._pgTyping = false;
      if (widget.getAnimations) animate(widget);
    }, STILL_MS);
  }

  if ("IntersectionObserver" in window && Element.prototype.getAnimations) {
    var io = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        e.target._pgOffscreen = !e.isIntersecting;
        animate(e.target);
      });
    });
    document.querySelectorAll("[data-pg-widget]").forEach(function (el) { io.observe(el); });
  }

  window.pgPatch = patch;
  window.pgAdopt = adopt;
  window.pgFlush = flush;
  window.pgMeasure = measure;
})();
