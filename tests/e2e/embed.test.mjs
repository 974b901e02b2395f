// The check-in inside an intranet page on another origin: the example
// intranet (frontend/embed/example/intranet.mjs) signs who is viewing on its
// own server side and embeds the widget under a strict CSP. Cross-origin
// frame, height that follows the content, signed identity, submit, the
// host's events, languages, and origins that are not on the list.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { assertAccessible, freePort, newPage, sessionCookie, startDemo } from "./support.mjs";

let base, demo, browser, stop;
const intranets = [];

async function startIntranet(env) {
  const port = await freePort();
  const child = spawn("node", ["frontend/embed/example/intranet.mjs"], {
    stdio: ["ignore", "pipe", "inherit"],
    env: {
      ...process.env,
      SKIPCHECK_URL: base,
      SKIPCHECK_ORG: demo.embed.org_id,
      SKIPCHECK_EMBED_SECRET: demo.embed.secret,
      INTRANET_PORT: String(port),
      INTRANET_USER: demo.invites[0].email,
      ...env,
    },
  });
  intranets.push(child);
  await new Promise((resolve, reject) => {
    child.stdout.once("data", resolve);
    child.once("exit", (code) => reject(new Error(`the intranet exited with ${code}`)));
  });
  return `http://127.0.0.1:${port}`;
}

/** Logs the demo admin in over the API and lists these origins. */
async function allowOrigins(origins) {
  const login = await fetch(`${base}/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: demo.leader.email, password: demo.leader.password }),
  });
  assert.equal(login.status, 200);
  const cookie = sessionCookie(login);
  const saved = await fetch(`${base}/api/admin/settings/embed`, {
    method: "PUT",
    headers: { "content-type": "application/json", cookie },
    body: JSON.stringify({ origins, theme: { accent: "#7a1f5c", font: "Georgia, serif", radius: 10, scheme: "light" } }),
  });
  assert.equal(saved.status, 200, await saved.text());
}

let listed, unlisted;

before(async () => {
  ({ base, demo, browser, stop } = await startDemo());
  listed = await startIntranet({});
  unlisted = await startIntranet({});
  await allowOrigins([listed]);
});

after(async () => {
  for (const child of intranets) child.kill();
  await stop?.();
});

/** The widget's frame on the intranet page, once it has loaded. */
async function widget(page) {
  const element = page.locator("#checkin iframe");
  await element.waitFor();
  const frame = await (await element.elementHandle()).contentFrame();
  return { element, frame };
}

async function events(page, name) {
  return page.locator(`#events li[data-event="${name}"]`);
}

test("an employee fills in the check-in inside the intranet, signed in by it", async () => {
  const page = await newPage(browser, { viewport: { width: 1000, height: 800 } });
  await page.goto(`${listed}/`);
  const { element, frame } = await widget(page);
  const person = demo.invites[0];
  await frame.getByRole("heading", { level: 1, name: /Your skip-level with/ }).waitFor();
  assert.match(await frame.locator("body").innerText(), new RegExp(`Hi ${person.name.split(" ")[0]}`));
  await (await events(page, "ready")).first().waitFor();
  assert.match(await (await events(page, "ready")).first().innerText(), /"state":"checkin"/);

  // The theme from the settings, inside the frame only.
  const accent = await frame.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue("--sc-accent").trim());
  assert.equal(accent, "#7a1f5c");
  assert.equal(await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue("--sc-accent")), "");

  // The frame is as tall as its content: no inner scrollbar, and it follows
  // the content as it grows and shrinks.
  const fits = async () => {
    const inner = await frame.evaluate(() => Math.ceil(document.documentElement.getBoundingClientRect().height));
    const outer = await element.evaluate((f) => f.getBoundingClientRect().height);
    return { inner, outer };
  };
  await page.waitForFunction(() => document.querySelector("#checkin iframe").getBoundingClientRect().height > 600);
  let { inner, outer } = await fits();
  assert.ok(Math.abs(inner - outer) <= 1, `frame ${outer}px for ${inner}px of content`);
  await frame.locator("details.intro summary").click();
  await page.waitForFunction((h) => document.querySelector("#checkin iframe").getBoundingClientRect().height < h - 20, outer);
  ({ inner, outer } = await fits());
  assert.ok(Math.abs(inner - outer) <= 1, `after closing the intro: frame ${outer}px for ${inner}px`);
  assert.equal(await frame.evaluate(() => document.documentElement.scrollHeight <= window.innerHeight + 1), true);

  await assertAccessible(frame, "the embedded check-in");

  await frame.getByLabel("How are things going for you personally?").fill("Good, from the intranet");
  await frame.getByRole("group", { name: /how supported do you feel/i }).getByRole("radio", { name: /^7 of 10\b/ }).check();
  await frame.getByRole("group", { name: /rate your morale/i }).getByRole("radio", { name: /^8 of 10\b/ }).check();
  await frame.getByRole("button", { name: "Submit check-in" }).click();
  await frame.getByText(/anonymous answers are in/i).waitFor();
  await (await events(page, "submitted")).first().waitFor();
  await assertAccessible(frame, "the embedded check-in, submitted");

  // What the widget sent is what the personal link shows.
  const link = await newPage(browser);
  await link.goto(person.url);
  await link.getByText(/Sent at/).waitFor();
  assert.equal(await link.getByLabel("How are things going for you personally?").inputValue(), "Good, from the intranet");
});

test("the widget speaks German when the intranet asks", async () => {
  const page = await newPage(browser, { viewport: { width: 320, height: 700 } });
  await page.goto(`${listed}/?lang=de&as=${encodeURIComponent(demo.invites[1].email)}`);
  const { frame } = await widget(page);
  await frame.getByRole("heading", { level: 1, name: /Ihr Skip-Level-Gespräch mit/ }).waitFor();
  assert.equal(await frame.evaluate(() => document.documentElement.lang), "de");
  await frame.getByRole("group", { name: /Wie würden Sie Ihre Stimmung/ }).waitFor();
  await frame.getByRole("radio", { name: /^10 von 10, Sehr gut/ }).first().waitFor();
  await frame.getByRole("button", { name: "Check-in senden" }).click();
  await frame.getByText("Bitte beantworten Sie diese Frage.").first().waitFor();
  const scroll = await frame.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scroll <= 320, `the German widget is ${scroll}px wide at 320px`);
  await assertAccessible(frame, "the embedded check-in in German, with errors");
});

test("two widgets on one page each size themselves, and a refused accent is reported", async () => {
  const page = await newPage(browser);
  await page.goto(`${listed}/?widgets=2&accent=${encodeURIComponent("#ffee00")}&as=${encodeURIComponent(demo.invites[2].email)}`);
  for (const id of ["checkin", "checkin-dark"]) {
    await page.locator(`#events li[data-event="ready"][data-widget="${id}"]`).waitFor();
    const frame = await (await page.locator(`#${id} iframe`).elementHandle()).contentFrame();
    await frame.getByRole("heading", { level: 1, name: /Your skip-level with/ }).waitFor();
    await page.waitForFunction((id) => document.querySelector(`#${id} iframe`).getBoundingClientRect().height > 600, id);
  }
  const dark = await (await page.locator("#checkin-dark iframe").elementHandle()).contentFrame();
  assert.equal(await dark.evaluate(() => getComputedStyle(document.body).colorScheme), "dark");
  await assertAccessible(dark, "the embedded check-in, dark");
  const problem = page.locator('#events li[data-event="error"][data-widget="checkin"]');
  await problem.waitFor();
  assert.match(await problem.innerText(), /"code":"theme".*data-accent: #ffee00 has a contrast of/);
  assert.equal(await page.locator('#events li[data-event="error"][data-widget="checkin-dark"]').count(), 0);
});

test("someone with nothing open, or unknown, is told so in the widget", async () => {
  const page = await newPage(browser);
  await page.goto(`${listed}/?as=${encodeURIComponent(demo.manager_links[0].email)}`);
  let { frame } = await widget(page);
  await frame.getByRole("heading", { name: "Nothing to fill in right now" }).waitFor();
  await (await events(page, "ready")).first().waitFor();
  assert.match(await (await events(page, "ready")).first().innerText(), /"state":"nothing"/);

  // The widget's page opened on its own, outside any intranet page.
  await page.goto(`${base}/embed/${demo.embed.org_id}?host=${encodeURIComponent(listed)}`);
  await page.getByText("This page belongs inside your intranet", { exact: false }).waitFor();

  await page.goto(`${listed}/?as=nobody@demo.skipcheck.test`);
  ({ frame } = await widget(page));
  await frame.getByText("Skipcheck doesn't know you yet.", { exact: false }).waitFor();
  await (await events(page, "error")).first().waitFor();
  assert.match(await (await events(page, "error")).first().innerText(), /identity_unknown/);
});

test("an intranet that is not on the list can't frame the widget or call its API", async () => {
  const page = await browser.newPage();
  await page.goto(`${unlisted}/`);
  await page.locator("#checkin iframe").waitFor();
  await page.waitForTimeout(1500);
  const frame = page.frames().find((f) => f !== page.mainFrame());
  const shown = frame ? await frame.locator("#main, #loading").count().catch(() => 0) : 0;
  assert.equal(shown, 0, `the check-in showed on an origin that is not listed (${frame?.url()})`);
  assert.equal(await page.locator("#events li").count(), 0);
  // From a page of each origin without a CSP of its own (the token
  // endpoint), so only Skipcheck's CORS answer decides.
  const call = async (origin) => {
    await page.goto(`${origin}/token`);
    return page.evaluate(async ({ base, org }) => {
      try {
        const r = await fetch(`${base}/api/embed/${org}/session`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ token: "x" }),
        });
        return `answered ${r.status}`;
      } catch {
        return "refused";
      }
    }, { base, org: demo.embed.org_id });
  };
  assert.equal(await call(listed), "answered 401");
  const called = await call(unlisted);
  assert.equal(called, "refused");
});
