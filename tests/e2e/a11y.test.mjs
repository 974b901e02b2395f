// axe-core (WCAG 2.0 to 2.2, A and AA) on the pages people use: the check-in
// empty, with errors and sent; the manager's page; the login page; the
// leader's pages. The embedded widget is checked in embed.test.mjs.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { assertAccessible, assertFits, logIn, newPage, startDemo } from "./support.mjs";

let base, demo, browser, stop;

before(async () => {
  ({ base, demo, browser, stop } = await startDemo());
});

after(async () => {
  await stop?.();
});

test("the check-in meets WCAG 2.2 AA empty, with errors and sent", async () => {
  const page = await newPage(browser);
  await page.goto(demo.invites[3].url);
  await page.getByRole("heading", { level: 1, name: /Your skip-level with/ }).waitFor();
  await assertAccessible(page, "the empty check-in");

  await page.getByRole("button", { name: "Submit check-in" }).click();
  await page.getByRole("alert").first().waitFor();
  await assertAccessible(page, "the check-in with errors");

  await page.getByLabel("How are things going for you personally?").fill("Fine");
  await page.getByRole("group", { name: /how supported do you feel/i }).getByRole("radio", { name: /^6 of 10\b/ }).check();
  await page.getByRole("group", { name: /rate your morale/i }).getByRole("radio", { name: /^7 of 10\b/ }).check();
  await page.getByRole("button", { name: "Submit check-in" }).click();
  await page.getByText(/anonymous answers are in/i).waitFor();
  await assertAccessible(page, "the sent check-in");
});

test("a scale is a radio group the arrow keys move through", async () => {
  const page = await newPage(browser);
  await page.goto(demo.invites[4].url);
  const group = page.getByRole("group", { name: /rate your morale/i });
  await group.getByRole("radio", { name: /^5 of 10\b/ }).check();
  await page.keyboard.press("ArrowRight");
  assert.equal(await group.getByRole("radio", { name: /^6 of 10\b/ }).isChecked(), true);
  const name = await page.evaluate(() => document.activeElement.getAttribute("aria-label"));
  assert.equal(name, "6 of 10");
  await page.keyboard.press("ArrowLeft");
  await page.keyboard.press("ArrowLeft");
  assert.equal(await group.getByRole("radio", { name: /^4 of 10\b/ }).isChecked(), true);
  const last = await group.getByRole("radio", { name: /^10 of 10\b/ }).getAttribute("aria-label");
  assert.equal(last, "10 of 10, Very high");
});

test("the manager's page, the login page and the leader's pages meet WCAG 2.2 AA", async () => {
  const manager = await newPage(browser);
  await manager.goto(demo.manager_links[0].url);
  await manager.getByRole("heading", { level: 1, name: "Your team's morale" }).waitFor();
  await assertAccessible(manager, "the manager's page");

  const page = await newPage(browser);
  await page.goto(`${base}/`);
  await page.getByLabel("Email").waitFor();
  await assertAccessible(page, "the login page");
  await logIn(page, base, demo);
  await assertAccessible(page, "the leader's home");
  await page.getByRole("link", { name: /Q4 skip-levels/ }).first().click();
  await page.getByRole("heading", { level: 1, name: /Q4 skip-levels/ }).waitFor();
  await assertAccessible(page, "a round");
  await page.getByRole("link", { name: demo.invites[0].name }).first().click();
  await page.getByRole("heading", { level: 1 }).waitFor();
  await page.waitForLoadState("networkidle");
  await assertAccessible(page, "a briefing");
  await page.goto(`${base}/insights/trends`);
  await page.getByRole("heading", { level: 1, name: "Trends" }).waitFor();
  await assertAccessible(page, "the trends");
  await page.goto(`${base}/templates/`);
  await page.getByRole("heading", { level: 1, name: "Templates" }).waitFor();
  await assertAccessible(page, "the templates");
  await page.goto(`${base}/admin/settings`);
  await page.getByRole("heading", { level: 1, name: "Settings" }).waitFor();
  await page.getByRole("heading", { name: "Intranet widget" }).waitFor();
  await assertAccessible(page, "the settings");

  // The snippet names this server and the organisation.
  const snippet = await page.locator("#embed-snippet").inputValue();
  assert.ok(snippet.includes(`<script async src="${base}/embed.js"></script>`), snippet);
  assert.ok(snippet.includes(`data-skipcheck="${demo.embed.org_id}"`), snippet);
  // A plain-http origin and a failing accent are refused, each at its field.
  await page.locator("#f-origins").fill("http://intranet.example.com");
  await page.locator("#f-accent").fill("#ffee00");
  await page.getByRole("button", { name: "Save widget settings" }).click();
  await page.locator("#f-origins-err").getByText(/only https origins/).waitFor();
  await page.locator("#f-accent-err").getByText(/contrast/).waitFor();
  await assertAccessible(page, "the settings with errors");
  await page.locator("#f-origins").fill("https://intranet.example.com");
  await page.locator("#f-accent").fill("#7a1f5c");
  await page.getByRole("button", { name: "Save widget settings" }).click();
  await page.getByText("Saved.").first().waitFor();
  // A second secret, then no third.
  const add = page.getByRole("button", { name: "Add a secret" });
  await add.focus();
  await page.keyboard.press("Enter");
  await page.getByText(/Secret added\. Give it/).waitFor();
  assert.equal(await page.getByRole("button", { name: "Remove this secret" }).count(), 2);
  assert.equal(await add.isDisabled(), true);
  await page.setViewportSize({ width: 320, height: 640 });
  await assertFits(page, "the settings with the widget's form");
});
