/* The framed check-in's side of embed.js: asks the host page for the signed
 * identity, exchanges it for a personal link, tells the host its height and
 * what happened. Messages go to, and come from, the host's origin only. */
(function () {
  "use strict";
  var params = new URLSearchParams(location.search);
  var host = params.get("host");
  var org = location.pathname.split("/")[2] || "";
  var parent = window.parent;
  var asked = null;

  function post(type, extra) {
    if (parent === window || !host) return;
    var message = { skipcheck: type };
    for (var k in extra) message[k] = extra[k];
    parent.postMessage(message, host);
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== host || event.source !== parent) return;
    var data = event.data;
    if (data && data.skipcheck === "token" && asked) {
      var answer = asked;
      asked = null;
      answer(String(data.token || ""));
    }
  });

  // The host page's answer, or a refusal when there is no host page (the
  // frame opened on its own) or it never answers.
  function identity() {
    return new Promise(function (resolve, reject) {
      if (parent === window || !host) {
        return reject({ error: "not_embedded", message: "This page belongs inside your intranet." });
      }
      asked = resolve;
      post("token");
      setTimeout(function () {
        if (asked !== resolve) return;
        asked = null;
        reject({ error: "no_identity", message: "Your intranet didn't say who you are." });
      }, 20000);
    });
  }

  var state = "checkin";
  // What the check-in waits for: a personal link's token, or null when
  // there is nothing to fill in; rejected with the server's error body.
  window.skipcheckEmbed = identity().catch(function (body) {
    state = "error";
    post("error", { detail: { code: body.error, message: body.message } });
    throw body;
  }).then(function (jwt) {
    return fetch("/api/embed/" + encodeURIComponent(org) + "/session", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token: jwt })
    }).then(function (response) {
      // A proxy's error page is not JSON: say it as a network failure.
      return response.json().catch(function () {
        return { error: "network", message: "The server could not be reached." };
      }).then(function (body) {
        if (!response.ok || body.error) {
          state = "error";
          post("error", { detail: { code: body.error, message: body.message } });
          throw body;
        }
        if (!body.link) state = "nothing";
        return body.link || null;
      });
    });
  });

  // The check-in handles a refusal when it gets to it; until then the
  // browser must not report it as unhandled.
  window.skipcheckEmbed.catch(function () {});

  // The host sizes the frame to its content: no inner scrollbar.
  var last = 0;
  function measure() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height !== last) {
      last = height;
      post("height", { height: height });
    }
  }
  new ResizeObserver(measure).observe(document.documentElement);

  // A submitted check-in, seen as the page's own request succeeds.
  var send = window.fetch;
  window.fetch = function (input) {
    var sent = send.apply(this, arguments);
    if (/\/api\/checkin\/submit$/.test(typeof input === "string" ? input : input.url)) {
      sent.then(function (r) { if (r.ok) post("submitted", { detail: {} }); }, function () {});
    }
    return sent;
  };

  new MutationObserver(function (_, observer) {
    if (document.getElementById("main")) {
      observer.disconnect();
      measure();
      post("ready", { detail: { state: state } });
    }
  }).observe(document.documentElement, { childList: true, subtree: true });

  var problem = document.documentElement.getAttribute("data-theme-error");
  if (problem) post("error", { detail: { code: "theme", message: problem } });
})();
