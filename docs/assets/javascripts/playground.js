// Boot watchdog and offline support for pages with Python widgets. Everything else is Python.
(function () {
  "use strict";
  var BOOT_TIMEOUT_MS = 60000; // a cold Pyodide boot takes ~4 s here; a minute means it is not coming

  function unavailable(reason) {
    if (document.documentElement.dataset.pgReady === "true") return;
    document.documentElement.dataset.pgReady = "unavailable";
    document.querySelectorAll("[data-pg-widget]").forEach(function (el) {
      if (el.dataset.ready === "true") return;
      el.dataset.ready = "unavailable";
      var status = el.querySelector("[data-pg-status]");
      if (status) status.textContent = "Interactive mode unavailable";
      var notices = el.querySelector("[data-pg-notices]");
      if (notices && !notices.querySelector(".pg-unavailable")) {
        var p = document.createElement("p");
        p.className = "pg-notice pg-notice-warn pg-unavailable";
        p.textContent = "The Python runtime could not load (" + reason + "). The numbers shown are " +
          "computed for the default inputs; changing the inputs has no effect until the page loads fully.";
        notices.appendChild(p);
      }
    });
  }

  var hasWidgets = !!document.querySelector("[data-pg-widget]");
  if (hasWidgets) watch();

  function watch() {
  // A failed runtime download surfaces as a rejected module import or a script error.
  window.addEventListener("unhandledrejection", function (e) {
    var msg = String((e.reason && e.reason.message) || e.reason || "");
    if (/pyodide|pyscript|import|fetch|module/i.test(msg)) unavailable("a runtime file failed to load");
  });
  window.addEventListener("error", function (e) {
    var t = e.target;
    if (t && t !== window && (t.src || t.href)) unavailable("a runtime file failed to load");
  }, true);
  setTimeout(function () { unavailable("it took too long"); }, BOOT_TIMEOUT_MS);
  }

  // Offline after one visit: a service worker precaches the built site (never under `mkdocs serve`).
  // Registered once the widgets are live (or the page has loaded, where there are none), in an idle
  // moment: its precache downloads must not compete with the Python runtime's first-visit download.
  var me = document.currentScript;
  if (me && me.dataset.sw && "serviceWorker" in navigator && location.protocol !== "file:") {
    var sw = me.dataset.sw;
    var register = function () {
      (window.requestIdleCallback || setTimeout)(function () {
        navigator.serviceWorker.register(sw).catch(function () { /* offline support is optional */ });
      });
    };
    if (hasWidgets) document.addEventListener("pg:ready", register, { once: true });
    else if (document.readyState === "complete") register();
    else window.addEventListener("load", register, { once: true });
  }
})();
