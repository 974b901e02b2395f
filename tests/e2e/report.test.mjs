// The round report in Chromium: the leader opens last quarter's demo round,
// reads the breakdown by manager with one team suppressed (and the
// next-smallest hidden beside it), reads a chart through its table, and
// finds the trend; all with the keyboard and at 320 px.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { assertFits, logIn as logInAs, newPage, startDemo, tabTo } from "./support.mjs";

let app, browser, demo, base;

before(async () => {
  app = await startDemo();
  ({ browser, demo, base } = app);
});

after(async () => {
  await app?.stop();
});

const logIn = (page) => logInAs(page, base, demo);

test("the leader reads the breakdown with a team suppressed and a chart as a table", async () => {
  const page = await newPage(browser);
  await logIn(page);
  await page.getByRole("link", { name: /Q3 skip-levels/ }).click();
  await page.getByRole("link", { name: /Open the round report/ }).click();
  await page.getByRole("heading", { level: 1, name: /Report: Q3 skip-levels/ }).waitFor();

  // Response: 22 meetings, 15 answers, all 15 counted.
  const stats = page.locator("dl.stats");
  assert.match(await stats.innerText(), /Meetings planned\s+22/);
  assert.match(await stats.innerText(), /Counted in the figures\s+15/);

  const breakdown = page.getByRole("table", { name: /per team/ });
  const row = (name) => breakdown.getByRole("row", { name: new RegExp(`Team of ${name}`) });
  assert.match(await row("Lukas Becker").innerText(), /Fewer than 5 of this team meet you/);
  // The next-smallest team is hidden beside it, so nothing can be subtracted.
  assert.match(await row("Grace Okafor").innerText(), /Hidden/);
  assert.doesNotMatch(await row("Grace Okafor").innerText(), /\d\.\d/);
  for (const shown of ["Priya Natarajan", "Tomás Herrera"]) {
    assert.match(await row(shown).innerText(), /\b5\b.*\d\.\d/s, shown);
  }
  // The manager's estimate and the gap, beside the team's own figure.
  assert.match(await row("Priya Natarajan").innerText(), /thinks \d\.\d (higher|lower)|the same/);

  // The whole round's morale: one chart, and the same numbers as a table.
  const chart = page.locator("svg[role=img][aria-label*='rate your morale']");
  assert.equal(await chart.count(), 1);
  assert.match(await chart.getAttribute("aria-label"), /Mean \d\.\d, median \d/);
  const table = page.getByRole("table", { name: /rate your morale.*people per answer/ });
  const counts = await table.locator("tbody td").allInnerTexts();
  assert.equal(counts.length, 10);
  assert.equal(counts.map(Number).reduce((a, b) => a + b, 0), 15);

  // The download holds what the page shows: no figure for the hidden teams.
  const href = await page.getByRole("link", { name: "CSV" }).getAttribute("href");
  const csv = await page.evaluate(async (url) => (await fetch(url)).text(), href);
  const lines = csv.trim().split("\n");
  assert.ok(lines.some((l) => /,Grace Okafor,1,hidden,0,/.test(l)), csv);
  assert.ok(lines.some((l) => /,Lukas Becker,1,too_small,0,/.test(l)), csv);
});

test("the report and the trend work with the keyboard alone and at 320 px", async () => {
  const page = await newPage(browser, { viewport: { width: 320, height: 640 } });
  await logIn(page);
  const trends = page.getByRole("link", { name: /Trends across your rounds/ });
  await trends.waitFor();
  await trends.focus();
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { level: 1, name: /Trends/ }).waitFor();
  await assertFits(page, "the trend");
  const perRound = page.getByRole("table", { name: /rate your morale.*per round/ });
  assert.match(await perRound.getByRole("row", { name: /Q3 skip-levels/ }).innerText(), /\d\.\d/);
  assert.match(await perRound.getByRole("row", { name: /Q4 skip-levels/ }).innerText(), /not shown/);

  await page.goto(`${base}/`);
  const q3 = page.getByRole("link", { name: /Q3 skip-levels/ });
  await q3.waitFor();
  const id = (await q3.getAttribute("href")).split("/").pop();
  await page.goto(`${base}/insights/rounds/${id}`);
  await page.getByRole("heading", { level: 1 }).waitFor();
  await assertFits(page, "the round report");
  await page.getByRole("link", { name: "CSV" }).evaluate((a) => { a.id = "csv"; });
  await tabTo(page, "csv");
});
