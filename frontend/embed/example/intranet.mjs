// An "intranet" on its own origin that embeds Skipcheck's check-in, as a
// company's portal would: its server signs who is viewing (an HS256 JWT with
// the shared secret), its page loads embed.js under a strict CSP with a nonce.
// No dependencies: `node frontend/embed/example/intranet.mjs`, or
// scripts/intranet.sh, which fills in the demo's organisation and secret.
//
//   SKIPCHECK_URL          Skipcheck's public URL (default http://127.0.0.1:8080)
//   SKIPCHECK_ORG          the organisation's id (the snippet's data-skipcheck)
//   SKIPCHECK_EMBED_SECRET a signing secret from Skipcheck's settings page
//   INTRANET_PORT          this server's port (default 8090)
//   INTRANET_USER          who is "logged in" (default the first demo employee);
//                          ?as=email on the page switches, for trying it out
import { createHmac, randomBytes } from "node:crypto";
import { createServer } from "node:http";

const skipcheck = (process.env.SKIPCHECK_URL ?? "http://127.0.0.1:8080").replace(/\/$/, "");
const org = process.env.SKIPCHECK_ORG ?? "";
const secret = process.env.SKIPCHECK_EMBED_SECRET ?? "";
const port = Number(process.env.INTRANET_PORT ?? 8090);
const defaultUser = process.env.INTRANET_USER ?? "amara.diallo@demo.skipcheck.test";

// The ten lines a real intranet needs: sign who is viewing, for 5 minutes.
const b64 = (data) => Buffer.from(data).toString("base64url");
function sign(email) {
  const header = b64(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const now = Math.floor(Date.now() / 1000);
  const claims = b64(JSON.stringify({ sub: email, aud: skipcheck, iat: now, exp: now + 300 }));
  const signature = createHmac("sha256", secret).update(`${header}.${claims}`).digest("base64url");
  return `${header}.${claims}.${signature}`;
}

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(user, nonce, query) {
  // ?lang=de, ?accent=#rrggbb and ?widgets=2 try out the data attributes
  // and two widgets on one page.
  const attr = (name) => (query.get(name) ? ` data-${name}="${escape(query.get(name))}"` : "");
  const widget = (id, extra) =>
    `<div id="${id}" class="widget" data-skipcheck="${escape(org)}" data-token-source="skipcheckToken"${attr("lang")}${extra}></div>`;
  const widgets = [widget("checkin", attr("accent"))];
  if (query.get("widgets") === "2") widgets.push(widget("checkin-dark", ' data-scheme="dark" data-title="Skip-level check-in (dark)"'));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acme intranet</title>
<link rel="stylesheet" href="/intranet.css">
</head>
<body>
<header><strong>Acme intranet</strong> · signed in as <span id="who">${escape(user)}</span></header>
<main>
<h1>Good morning</h1>
<p>Your skip-level check-in, without leaving the intranet:</p>
${widgets.join("\n")}
<h2>What the widget said</h2>
<ul id="events"></ul>
</main>
<script nonce="${nonce}">
  // A fresh token from this intranet's own server, each time the widget asks.
  window.skipcheckToken = () =>
    fetch("/token?as=${encodeURIComponent(user)}").then((r) => r.json()).then((b) => b.token);
  const log = document.getElementById("events");
  for (const widget of document.querySelectorAll(".widget")) {
    for (const name of ["ready", "submitted", "error"]) {
      widget.addEventListener("skipcheck:" + name, (e) => {
        const li = document.createElement("li");
        li.textContent = widget.id + ": " + name + " " + JSON.stringify(e.detail);
        li.dataset.event = name;
        li.dataset.widget = widget.id;
        log.appendChild(li);
      });
    }
  }
</script>
<script async src="${skipcheck}/embed.js" nonce="${nonce}"></script>
</body>
</html>`;
}

const css = `body{margin:0;font:16px/1.5 Georgia,serif;background:#f6f1e7;color:#222}
header{background:#3b2f2f;color:#fff;padding:.75rem 1rem}main{max-width:48rem;margin:0 auto;padding:1rem}
.widget{background:#fff;border:1px solid #d8cfc0;border-radius:8px;margin:1rem 0}`;

createServer((req, res) => {
  const url = new URL(req.url, `http://${req.headers.host}`);
  const user = url.searchParams.get("as") || defaultUser;
  if (url.pathname === "/token") {
    res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
    return res.end(JSON.stringify({ token: sign(user) }));
  }
  if (url.pathname === "/intranet.css") {
    res.writeHead(200, { "content-type": "text/css" });
    return res.end(css);
  }
  if (url.pathname === "/") {
    const nonce = randomBytes(16).toString("base64");
    res.writeHead(200, {
      "content-type": "text/html; charset=utf-8",
      // As strict as an intranet gets: no inline script or style without the nonce.
      "content-security-policy": `default-src 'self'; script-src 'nonce-${nonce}'; style-src 'self'; frame-src ${skipcheck}; connect-src 'self'; object-src 'none'; base-uri 'none'`,
    });
    return res.end(page(user, nonce, url.searchParams));
  }
  res.writeHead(404, { "content-type": "text/plain" });
  res.end("not found");
}).listen(port, "127.0.0.1", () => {
  console.log(`Intranet example on http://127.0.0.1:${port}/ (embedding ${skipcheck}, organisation ${org || "not set"})`);
  if (!org || !secret) console.log("Set SKIPCHECK_ORG and SKIPCHECK_EMBED_SECRET, or start it with scripts/intranet.sh.");
});
