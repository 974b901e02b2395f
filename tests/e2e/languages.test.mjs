// The signed-in pages in the reader's language: a browser set to German
// gets every page in German (no English string of the pages left on
// screen), with German dates, and the pages stay accessible.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { assertAccessible, newPage, startDemo } from "./support.mjs";

let base, demo, browser, stop;

before(async () => {
  ({ base, demo, browser, stop } = await startDemo());
});

after(async () => {
  await stop?.();
});

const english = JSON.parse(readFileSync("frontend/i18n/en.json", "utf8"));
const german = JSON.parse(readFileSync("frontend/i18n/de.json", "utf8"));
// The pages' English phrases (single words could be names) that German says otherwise: none
// of them may be on a German page.
const telltales = Object.entries(english.pages)
  .filter(([key, text]) => german.pages[key] !== text && text.length >= 8 && text.includes(" ") && !text.includes("{"))
  .map(([, text]) => text);

async function assertGerman(page, what) {
  assert.equal(await page.evaluate(() => document.documentElement.lang), "de", what);
  const shown = await page.evaluate(() => document.body.innerText);
  const left = telltales.filter((text) => shown.includes(text));
  assert.deepEqual(left, [], `English left on ${what}`);
  await assertAccessible(page, `${what} (German)`);
}

test("a German browser gets the leader's and the admin's pages in German", async () => {
  const context = await browser.newContext({ locale: "de-DE" });
  const page = await newPage(context);
  await page.goto(`${base}/`);
  await page.getByLabel("E-Mail-Adresse").fill(demo.leader.email);
  await page.getByLabel("Passwort").fill(demo.leader.password);
  await assertGerman(page, "the login page");
  await page.getByRole("button", { name: "Anmelden" }).click();
  await page.getByRole("heading", { level: 1, name: "Diese Woche" }).waitFor();
  await page.waitForLoadState("networkidle");
  await assertGerman(page, "the leader's home");

  await page.getByRole("link", { name: /Q4 skip-levels/ }).first().click();
  await page.getByRole("heading", { level: 1, name: /Q4 skip-levels/ }).waitFor();
  await page.waitForLoadState("networkidle");
  await assertGerman(page, "a round");

  await page.getByRole("link", { name: demo.invites[0].name }).first().click();
  await page.getByRole("heading", { level: 1 }).waitFor();
  await page.waitForLoadState("networkidle");
  await assertGerman(page, "a briefing");
  // The built-in questions are German too.
  await page.getByText("Wie geht es Ihnen persönlich?").first().waitFor();

  await page.goto(`${base}/insights/trends`);
  await page.getByRole("heading", { level: 1, name: "Trends" }).waitFor();
  await page.waitForLoadState("networkidle");
  await assertGerman(page, "the trends");

  await page.goto(`${base}/templates/`);
  await page.getByRole("heading", { level: 1, name: "Vorlagen" }).waitFor();
  await page.waitForLoadState("networkidle");
  await assertGerman(page, "the templates");

  for (const [path, heading] of [
    ["/admin/people", "Personen"],
    ["/admin/accounts", "Konten"],
    ["/admin/settings", "Einstellungen"],
  ]) {
    await page.goto(`${base}${path}`);
    await page.getByRole("heading", { level: 1, name: heading }).waitFor();
    await page.waitForLoadState("networkidle");
    await assertGerman(page, path);
  }

  // A server's refusal, in German: a plain-http origin for the widget.
  await page.locator("#f-origins").fill("http://intranet.example.com");
  await page.getByRole("button", { name: /Widget-Einstellungen speichern/ }).click();
  // The field's error appears once the server has answered.
  await page.locator("#f-origins-err").getByText(/https/).waitFor();
  const error = await page.locator("#f-origins-err").innerText();
  assert.match(error, /https/);
  assert.doesNotMatch(error, /\bonly\b|\borigins\b/, error);
  await context.close();
});
