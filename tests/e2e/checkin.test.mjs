// End to end in Debian's Chromium, driven by playwright-core: the whole loop
// from an invite link to the leader's briefing, against the real binary.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { assertFits, bin, launchBrowser, newPage, startServer, tabTo } from "./support.mjs";

let server, browser, demo, base;

before(async () => {
  server = await startServer((args) =>
    JSON.parse(execFileSync(bin, ["demo", "--json", ...args], { encoding: "utf8" })));
  demo = server.prepared;
  base = server.base;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

test("the printed links start with the public URL", () => {
  assert.ok(demo.invites.length >= 8);
  for (const link of [...demo.invites, ...demo.manager_links]) {
    assert.ok(link.url.startsWith(`${base}/checkin/#i=`) || link.url.startsWith(`${base}/estimate#m=`), link.url);
  }
});

test("an employee fills in the check-in and the leader reads it in the briefing", async () => {
  const invite = demo.invites[0];
  // Markup in an answer must reach the leader as text, never as HTML.
  const answer = `Shipping the migration <img src=x onerror="window.pwned=1"> <b>stretched</b> ${Date.now()}`;
  const page = await newPage(browser);

  await page.goto(invite.url);
  await page.getByRole("heading", { level: 1 }).waitFor();
  assert.match(await page.locator("body").innerText(), /Alex Rivera/);
  await page.getByLabel("How are things going for you personally?").fill(answer);
  // The draft is on the server before we reload.
  await page.getByText(/Draft saved/i).waitFor();
  await page.reload();
  assert.equal(await page.getByLabel("How are things going for you personally?").inputValue(), answer);

  await page.getByRole("group", { name: /how supported do you feel/i }).getByRole("radio", { name: /^7 of 10\b/ }).check();
  await page.getByRole("group", { name: /rate your morale/i }).getByRole("radio", { name: /^8 of 10\b/ }).check();
  await page.getByRole("button", { name: /submit/i }).click();
  await page.getByText(/anonymous answers are in/i).waitFor();

  const leader = await newPage(browser);
  await leader.goto(`${base}/`);
  await leader.getByLabel("Email").fill(demo.leader.email);
  await leader.getByLabel("Password").fill(demo.leader.password);
  await leader.getByRole("button", { name: /log in/i }).click();
  await leader.getByRole("link", { name: /Q4 skip-levels/ }).click();
  await leader.getByRole("link", { name: invite.name }).click();
  await leader.getByText(answer).waitFor();
  assert.match(await leader.locator("body").innerText(), /Anonymous/);
  assert.equal(await leader.locator("main img, main b").count(), 0, "the answer was rendered as HTML");
  assert.equal(await leader.evaluate(() => window.pwned), undefined);
  // Beside the answers, the round's anonymous figures: one answer is not enough for any.
  const figures = leader.getByRole("complementary", { name: "The round, anonymously" });
  await figures.getByText("Not shown until 5 people have answered (1 so far).").first().waitFor();
});

test("a wrong password is refused with a message and nothing else", async () => {
  const page = await newPage(browser);
  await page.goto(`${base}/`);
  await page.getByLabel("Email").fill(demo.leader.email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: /log in/i }).click();
  await page.getByText(/email or password is not right/i).waitFor();
});

test("a manager gives an estimate of the team's morale", async () => {
  const page = await newPage(browser);
  await page.goto(demo.manager_links[0].url);
  await page.getByRole("group", { name: /team's morale/i }).getByRole("radio", { name: /^6 of 10\b/ }).check();
  await page.getByRole("button", { name: /save/i }).click();
  await page.getByText(/saved/i).first().waitFor();
  const res = await fetch(`${base}/api/estimate`, {
    headers: { authorization: `Bearer ${demo.manager_links[0].url.split("#m=")[1]}` },
  });
  assert.equal((await res.json()).morale, 6);
});

test("the check-in and the briefing work with the keyboard alone", async () => {
  const invite = demo.invites[2];
  const answer = `Typed without a mouse ${Date.now()}`;
  const page = await newPage(browser);
  await page.goto(invite.url);
  await page.getByRole("heading", { level: 1 }).waitFor();

  await tabTo(page, "personal");
  await page.keyboard.type(answer);
  await tabTo(page, "support-0");
  for (let i = 0; i < 6; i++) await page.keyboard.press("ArrowRight");
  await tabTo(page, "morale-0");
  for (let i = 0; i < 4; i++) await page.keyboard.press("ArrowRight");
  await page.keyboard.press("Tab");
  while ((await page.evaluate(() => document.activeElement?.tagName)) !== "BUTTON") {
    await page.keyboard.press("Tab");
  }
  await page.keyboard.press("Enter");
  await page.getByText(/anonymous answers are in/i).waitFor();
  assert.equal(await page.locator("#support-6").isChecked(), true);
  assert.equal(await page.locator("#morale-4").isChecked(), true);

  const leader = await newPage(browser);
  await leader.goto(`${base}/`);
  await tabTo(leader, "email");
  await leader.keyboard.type(demo.leader.email);
  await leader.keyboard.press("Tab");
  await leader.keyboard.type(demo.leader.password);
  await leader.keyboard.press("Enter");
  const round = leader.getByRole("link", { name: /Q4 skip-levels/ });
  await round.waitFor();
  await round.focus();
  await leader.keyboard.press("Enter");
  const person = leader.getByRole("link", { name: invite.name });
  await person.waitFor();
  await person.focus();
  await leader.keyboard.press("Enter");
  await leader.getByText(answer).waitFor();
});

test("every page fits a 320 px wide phone without sideways scrolling", async () => {
  const page = await newPage(browser, { viewport: { width: 320, height: 640 } });
  const fits = (what) => assertFits(page, what);
  await page.goto(demo.invites[3].url);
  await page.getByRole("heading", { level: 1 }).waitFor();
  await fits("the check-in");
  await page.goto(demo.manager_links[1].url);
  await page.getByRole("heading", { level: 1 }).waitFor();
  await fits("the manager's form");
  await page.goto(`${base}/`);
  await page.getByLabel("Email").fill(demo.leader.email);
  await page.getByLabel("Password").fill(demo.leader.password);
  await page.getByRole("button", { name: /log in/i }).click();
  await page.getByRole("link", { name: /Q4 skip-levels/ }).click();
  await page.getByRole("heading", { name: "Meetings" }).waitFor();
  await fits("the round");
});

test("changes after a submit reach the leader only once they are submitted again", async () => {
  const invite = demo.invites[4];
  const page = await newPage(browser);
  await page.goto(invite.url);
  const field = page.getByLabel("How are things going for you personally?");
  await field.fill("First version");
  await page.getByRole("group", { name: /how supported do you feel/i }).getByRole("radio", { name: /^5 of 10\b/ }).check();
  await page.getByRole("group", { name: /rate your morale/i }).getByRole("radio", { name: /^5 of 10\b/ }).check();
  await page.getByRole("button", { name: /submit/i }).click();
  await page.getByText(/anonymous answers are in/i).waitFor();

  await field.fill("Second version");
  await page.getByText(/changed answers since you sent them/i).waitFor();
  await page.getByText(/Draft saved/i).waitFor();
  // The server knows too: after a reload the notice is still there.
  await page.reload();
  await page.getByText(/changed answers since you sent them/i).waitFor();
  assert.equal(await field.inputValue(), "Second version");
  const leader = await browser.newContext();
  const briefing = await newPage(leader);
  await briefing.goto(`${base}/`);
  await briefing.getByLabel("Email").fill(demo.leader.email);
  await briefing.getByLabel("Password").fill(demo.leader.password);
  await briefing.getByRole("button", { name: /log in/i }).click();
  await briefing.getByRole("link", { name: /Q4 skip-levels/ }).click();
  await briefing.getByRole("link", { name: invite.name }).click();
  await briefing.getByText("First version").waitFor();

  await page.getByRole("button", { name: /submit changes/i }).click();
  await page.getByText(/changed answers since you sent them/i).waitFor({ state: "detached" });
  await briefing.reload();
  await briefing.getByText("Second version").waitFor();
  await leader.close();
});
