// The template editor in Chromium: the leader copies the built-in template,
// changes a question and sees the check-in as an employee will, saves a new
// version, and a broken template is refused with the question named.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { assertFits, logIn as logInAs, newPage, startDemo, tabTo, tabToText } from "./support.mjs";

let app, browser, demo, base;

before(async () => {
  app = await startDemo();
  ({ browser, demo, base } = app);
});

after(async () => {
  await app?.stop();
});

test("a leader copies a template, edits it with the preview beside it, and saves a version", async () => {
  const page = await newPage(browser);
  await logInAs(page, base, demo);
  await page.getByRole("link", { name: "Templates" }).first().click();
  await page.getByRole("heading", { level: 1, name: "Templates" }).waitFor();
  await page.getByRole("button", { name: "Make a copy of Skip-level 1:1", exact: true }).click();
  await page.getByRole("heading", { level: 1, name: /Edit Skip-level 1:1 \(my copy\)/ }).waitFor();

  await page.getByRole("group", { name: "Section 1" }).getByLabel("Question 1", { exact: true }).fill("What made you proud this month?");
  const preview = page.getByRole("complementary", { name: "What an employee sees" });
  await preview.getByText("What made you proud this month?").waitFor();
  await page.getByRole("button", { name: "Save as a new version" }).click();
  await page.getByText(/^Saved as version 2\./).waitFor();

  // Free text can't be anonymous: refused, the question named, nothing saved.
  await page.locator("#f-personal-anon").check();
  await page.getByRole("button", { name: "Save as a new version" }).click();
  await page.getByText("Only scales, choices and yes/no questions can be anonymous.").first().waitFor();
  assert.match(await page.locator("p.meta").innerText(), /Version 2/);
});

test("the template pages fit a phone", async () => {
  const page = await newPage(browser, { viewport: { width: 320, height: 640 } });
  await logInAs(page, base, demo);
  await page.goto(`${base}/templates`);
  await page.getByRole("heading", { level: 1, name: "Templates" }).waitFor();
  await assertFits(page, "the templates list");
  await page.getByRole("button", { name: "Make a copy of Peer 1:1", exact: true }).click();
  await page.getByRole("heading", { level: 1, name: /Edit/ }).waitFor();
  await assertFits(page, "the template editor");
});

test("the template editor works with the keyboard alone", async () => {
  const page = await newPage(browser);
  await logInAs(page, base, demo);
  await page.goto(`${base}/templates`);
  const copy = page.getByRole("button", { name: "Make a copy of Peer 1:1", exact: true });
  await copy.focus();
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { level: 1, name: /Edit/ }).waitFor();
  await tabTo(page, "f-name");
  await page.keyboard.press("Control+A");
  await page.keyboard.type("Peers, by keyboard");
  await tabToText(page, "Save as a new version");
  await page.keyboard.press("Enter");
  await page.getByText(/^Saved as version 2\./).waitFor();
  await page.getByRole("heading", { level: 1, name: "Edit Peers, by keyboard" }).waitFor();
});
