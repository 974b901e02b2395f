/* Skipcheck's check-in on an intranet page. Load once per page:
 *   <script async src="https://skipcheck.example.com/embed.js"></script>
 * and place the widget where it belongs:
 *   <div data-skipcheck="ORGANISATION-ID" data-token="SIGNED-JWT"></div>
 * data-token-source="fnName" names a global function returning a fresh token
 * (or a promise of one) instead. Optional: data-lang, data-accent, data-font,
 * data-radius, data-scheme (light, dark, auto), data-title.
 * Events on the element: skipcheck:ready, skipcheck:submitted, skipcheck:error.
 * No eval, no inline script or style: it runs under a strict CSP. */
(function () {
  "use strict";
  var me = document.currentScript;
  var base = new URL(me ? me.src : "/embed.js", location.href).origin;
  var widgets = [];

  function emit(el, name, detail) {
    el.dispatchEvent(new CustomEvent("skipcheck:" + name, { bubbles: true, detail: detail || {} }));
  }

  function token(el) {
    var source = el.getAttribute("data-token-source");
    if (!source) return Promise.resolve(el.getAttribute("data-token") || "");
    return new Promise(function (resolve) {
      if (typeof window[source] !== "function") throw new Error(source + " is not a function");
      resolve(window[source]());
    });
  }

  function mount(el) {
    if (el.skipcheckFrame) return;
    var query = new URLSearchParams({ host: location.origin });
    ["lang", "accent", "font", "radius", "scheme"].forEach(function (name) {
      var value = el.getAttribute("data-" + name);
      if (value) query.set(name, value);
    });
    var frame = document.createElement("iframe");
    frame.src = base + "/embed/" + encodeURIComponent(el.getAttribute("data-skipcheck") || "") + "?" + query;
    frame.title = el.getAttribute("data-title") || "Skip-level check-in";
    // Style properties, never a style attribute: allowed by a strict CSP.
    frame.style.border = "0";
    frame.style.width = "100%";
    frame.style.height = "8rem";
    frame.style.display = "block";
    el.skipcheckFrame = frame;
    widgets.push(el);
    el.appendChild(frame);
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== base || !event.data || typeof event.data.skipcheck !== "string") return;
    var el = widgets.filter(function (w) { return w.skipcheckFrame.contentWindow === event.source; })[0];
    if (!el) return;
    var frame = el.skipcheckFrame, data = event.data;
    if (data.skipcheck === "height") {
      frame.style.height = Math.ceil(Number(data.height) || 0) + "px";
    } else if (data.skipcheck === "token") {
      token(el).then(function (t) {
        frame.contentWindow.postMessage({ skipcheck: "token", token: String(t || "") }, base);
      }, function (e) {
        frame.contentWindow.postMessage({ skipcheck: "token", token: "" }, base);
        emit(el, "error", { code: "token_source", message: String(e && e.message || e) });
      });
    } else if (["ready", "submitted", "error"].indexOf(data.skipcheck) >= 0) {
      emit(el, data.skipcheck, data.detail);
    }
  });

  function scan() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-skipcheck]"), mount);
  }
  window.Skipcheck = { scan: scan };
  scan();
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
})();
