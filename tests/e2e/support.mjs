// What the end-to-end tests share: a server of the real binary on a free
// port with its own data directory, and Debian's Chromium.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const bin = process.env.SKIPCHECK_BIN ?? "target/debug/skipcheck";
const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function waitForHealth(url, ms = 15000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the server did not answer at ${url}`);
}

/** The `Cookie` header that sends back the session a login's `response` set. */
export function sessionCookie(response) {
  const set = response.headers.getSetCookie().find((c) => c.startsWith("skipcheck_session="));
  if (!set) throw new Error("the login set no session cookie");
  return set.split(";")[0];
}

/**
 * A new data directory and address; `prepare(args)` runs before the server
 * starts (e.g. `skipcheck demo`). Returns { base, args, dataDir, stop }.
 */
export async function startServer(prepare = () => {}) {
  const dataDir = mkdtempSync(join(tmpdir(), "skipcheck-e2e-"));
  const listen = `127.0.0.1:${await freePort()}`;
  const base = `http://${listen}`;
  const args = ["--data-dir", dataDir, "--listen", listen];
  const prepared = prepare(args);
  const server = spawn(bin, ["serve", ...args], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? "warn" },
  });
  await waitForHealth(base);
  const stop = () => {
    server.kill("SIGTERM");
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { base, args, dataDir, prepared, stop };
}

/** Chromium with the flags this machine needs; Playwright gives every launch a fresh profile. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run",
    ],
  });
}

/** Presses Tab until the element with this id has the focus; fails after `max` presses. */
export async function tabTo(page, id, max = 80) {
  for (let i = 0; i < max; i++) {
    if ((await page.evaluate(() => document.activeElement?.id)) === id) return;
    await page.keyboard.press("Tab");
  }
  assert.fail(`Tab never reached #${id}`);
}

/** Presses Tab until the focused element's text is `text`; fails after `max` presses. */
export async function tabToText(page, text, max = 120) {
  for (let i = 0; i < max; i++) {
    if ((await page.evaluate(() => document.activeElement?.textContent?.trim())) === text) return;
    await page.keyboard.press("Tab");
  }
  assert.fail(`Tab never reached "${text}"`);
}

/** Fails when the page scrolls sideways at its current width. */
export async function assertFits(page, what, width = 320) {
  const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scroll <= width, `${what} is ${scroll}px wide`);
}

/** A page that fails the test on any script error. */
export async function newPage(browserOrContext, options) {
  const page = await browserOrContext.newPage(options);
  page.on("pageerror", (e) => assert.fail(`page error on ${page.url()}: ${e.message}`));
  // The pages run under a Content-Security-Policy that limits scripts: a
  // script or module it refuses fails the test.
  page.on("console", (message) => {
    const text = message.text();
    if (/Refused to (execute|load|compile|evaluate)/.test(text) && /Content Security Policy/.test(text)) {
      assert.fail(`CSP refused a script on ${page.url()}: ${text}`);
    }
  });
  return page;
}

/**
 * The real binary with the demo organisation (`skipcheck demo`) and a
 * browser: { base, demo, browser, stop }.
 */
export async function startDemo() {
  const server = await startServer((args) =>
    JSON.parse(execFileSync(bin, ["demo", "--json", ...args], { encoding: "utf8" })));
  const browser = await launchBrowser();
  return {
    base: server.base,
    demo: server.prepared,
    browser,
    stop: async () => {
      await browser.close();
      server.stop();
    },
  };
}

/** Logs the demo leader in from the start page and waits for their home. */
export async function logIn(page, base, demo) {
  await page.goto(`${base}/`);
  await page.getByLabel("Email").fill(demo.leader.email);
  await page.getByLabel("Password").fill(demo.leader.password);
  await page.getByRole("button", { name: /log in/i }).click();
  await page.getByRole("heading", { level: 1, name: "This week" }).waitFor();
}


const axeSource = readFileSync("node_modules/axe-core/axe.min.js", "utf8");

/**
 * Runs axe-core (WCAG 2.0 to 2.2, A and AA) on a page or frame as it is
 * now, and fails with every violation found.
 */
export async function assertAccessible(pageOrFrame, what) {
  if (!(await pageOrFrame.evaluate(() => typeof window.axe === "object"))) {
    await pageOrFrame.evaluate(axeSource);
  }
  const found = await pageOrFrame.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
    });
    return result.violations.map(
      (v) => `${v.id} (${v.impact}): ${v.help}, at ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("; ")}`,
    );
  });
  assert.deepEqual(found, [], `${what} has accessibility violations`);
}
