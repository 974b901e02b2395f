// The meeting view in Chromium: the leader writes a private note and two
// action items in last quarter's meeting with Amara, closes one, and finds
// the other in this quarter's briefing with her and in "Circle back".
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

const logIn = (page) => logInAs(page, base, demo);

/** The briefing of the demo's first person in a round, from the home page. */
async function openBriefing(page, round) {
  await page.goto(`${base}/`);
  await page.getByRole("link", { name: new RegExp(round) }).click();
  await page.getByRole("link", { name: demo.invites[0].name }).click();
  await page.getByRole("heading", { level: 1, name: /Briefing/ }).waitFor();
}

test("notes and action items in one meeting carry to the next briefing and to circle back", async () => {
  const page = await newPage(browser);
  await logIn(page);
  await openBriefing(page, "Q3 skip-levels");
  await page.getByRole("link", { name: /Open the meeting view/ }).click();
  await page.getByRole("heading", { level: 1, name: /Meeting with/ }).waitFor();

  // A private note, saved as it is typed.
  const note = `Wants to move towards data engineering ${Date.now()}`;
  await page.getByLabel("Your private notes").fill(note);
  await page.getByText(/^Saved /).waitFor();

  const today = await page.evaluate(() => {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  });
  const add = async (title, due) => {
    await page.getByLabel("What is to be done").fill(title);
    await page.getByLabel("Due (optional)").fill(due);
    await page.getByRole("button", { name: "Add the item" }).click();
    await page.getByRole("button", { name: `Done: ${title}` }).waitFor();
  };
  await add("Send the team charter", today);
  await add("Book a session with the data lead", today);
  await page.getByRole("button", { name: "Done: Send the team charter" }).click();
  await page.getByRole("button", { name: "Reopen: Send the team charter" }).waitFor();

  // The note is there after a reload: it was saved.
  await page.reload();
  assert.equal(await page.getByLabel("Your private notes").inputValue(), note);

  // This quarter's briefing with the same person lists the open one only.
  await openBriefing(page, "Q4 skip-levels");
  const followUps = page.getByRole("region", { name: "Open follow-ups" });
  await followUps.getByText("Book a session with the data lead").waitFor();
  assert.doesNotMatch(await followUps.innerText(), /team charter/);

  // And the home page's "Circle back" has it, due today.
  await page.goto(`${base}/`);
  await page.getByRole("heading", { name: "Circle back" }).waitFor();
  const link = page.getByRole("link", { name: "Book a session with the data lead" });
  await link.waitFor();
  assert.equal(await page.getByRole("link", { name: "Send the team charter" }).count(), 0);
});

test("the meeting view works with the keyboard alone and at 320 px", async () => {
  const page = await newPage(browser, { viewport: { width: 320, height: 640 } });
  await logIn(page);
  await openBriefing(page, "Q4 skip-levels");
  const open = page.getByRole("link", { name: /Open the meeting view/ });
  await open.focus();
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { level: 1, name: /Meeting with/ }).waitFor();
  await assertFits(page, "the meeting view");

  await tabTo(page, "notes");
  await page.keyboard.type("Typed by keyboard");
  await tabTo(page, "f-title");
  await page.keyboard.type("Follow up by keyboard");
  await page.keyboard.press("Enter");
  await page.getByRole("button", { name: "Done: Follow up by keyboard" }).waitFor();
  // An empty title is refused with a message, focus on the problem.
  await tabTo(page, "f-title");
  await page.keyboard.press("Enter");
  await page.getByText("Say what is to be done.").first().waitFor();
  await assertFits(page, "the meeting view with an error");
});

test("the history lists every meeting with the person and downloads as Markdown", async () => {
  const page = await newPage(browser);
  await logIn(page);
  await openBriefing(page, "Q4 skip-levels");
  await page.getByRole("link", { name: /Open the meeting view/ }).click();
  await page.getByRole("link", { name: "Every meeting with them" }).click();
  await page.getByRole("heading", { level: 1, name: /History with/ }).waitFor();
  // This quarter's meeting first, then last quarter's with its check-in.
  const headings = await page.getByRole("heading", { level: 2 }).allInnerTexts();
  assert.equal(headings.length, 2, headings.join(" | "));
  assert.match(headings[0], /Q4 skip-levels/);
  assert.match(headings[1], /Q3 skip-levels/);
  await page.getByText("Busy but good.").waitFor();
  const href = await page.getByRole("link", { name: /all meetings \(Markdown\)/ }).getAttribute("href");
  const markdown = await page.evaluate(async (url) => (await fetch(url)).text(), href);
  assert.match(markdown, /^# Skip-levels with /);
  assert.match(markdown, /> Busy but good\./);
});

test("an admin deletes a person's data on request, after confirming", async () => {
  const page = await newPage(browser);
  await logIn(page);
  await page.goto(`${base}/admin/people`);
  const name = demo.invites[1].name;
  await page.getByRole("button", { name: `Edit ${name}` }).click();
  await page.getByText("Delete their data on request").click();
  await page.getByRole("button", { name: "Delete their data…" }).click();
  await page.getByRole("button", { name: "Delete for good" }).click();
  await page.getByText(/^Deleted: \d+ check-ins, \d+ sets of meeting notes, \d+ action items\.$/).waitFor();
});

test("the leader shares themes with one manager, who reads them on their page", async () => {
  const page = await newPage(browser);
  await logIn(page);
  await page.getByRole("link", { name: /Q4 skip-levels/ }).click();
  await page.getByRole("link", { name: /Open the round report/ }).click();
  await page.getByRole("link", { name: /Share the broad themes/ }).click();
  await page.getByRole("heading", { level: 1, name: "Themes for managers" }).waitFor();

  // An empty theme is refused, with the field named.
  await page.getByRole("button", { name: "Save the themes" }).click();
  await page.getByText("Write the theme, or remove it.").first().waitFor();
  await page.getByLabel("Theme 1", { exact: true }).fill("Release pressure is high across teams");
  await page.getByRole("button", { name: "Add a theme" }).click();
  await page.getByLabel("Theme 2", { exact: true }).fill("People want clearer career paths");
  await page.getByRole("button", { name: "Save the themes" }).click();
  await page.getByText(/^Saved\./).waitFor();
  const manager = demo.manager_links[2];
  await page.getByLabel(new RegExp(`^${manager.name} \\(not sent yet\\)`)).check();
  await page.getByRole("button", { name: "Send the saved themes" }).click();
  await page.getByText(/^Sent:/).waitFor();

  const theirs = await newPage(browser);
  await theirs.goto(manager.url);
  await theirs.getByRole("heading", { name: /Themes from/ }).waitFor();
  await theirs.getByText("People want clearer career paths").waitFor();
  const someoneElse = await newPage(browser);
  await someoneElse.goto(demo.manager_links[3].url);
  await someoneElse.getByRole("heading", { level: 1 }).waitFor();
  assert.equal(await someoneElse.getByText("People want clearer career paths").count(), 0);
});

test("the history and the themes pages fit a phone and work by keyboard", async () => {
  const page = await newPage(browser, { viewport: { width: 320, height: 640 } });
  await logIn(page);
  await openBriefing(page, "Q3 skip-levels");
  await page.getByRole("link", { name: /Open the meeting view/ }).click();
  await page.getByRole("link", { name: "Every meeting with them" }).click();
  await page.getByRole("heading", { level: 1, name: /History with/ }).waitFor();
  await assertFits(page, "the history");

  const rounds = await (await page.evaluate(async () => (await fetch("/api/rounds")).json()));
  const q3 = rounds.find((r) => r.name === "Q3 skip-levels");
  await page.goto(`${base}/insights/rounds/${q3.id}/themes`);
  await page.getByRole("heading", { level: 1, name: "Themes for managers" }).waitFor();
  await assertFits(page, "the themes page");
  await tabTo(page, "f-themes.0");
  await page.keyboard.type("Typed without a mouse");
  await page.keyboard.press("Tab");
  await tabToText(page, "Save the themes");
  await page.keyboard.press("Enter");
  await page.getByText(/^Saved\./).waitFor();
});
