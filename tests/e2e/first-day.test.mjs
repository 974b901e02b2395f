// A company's first day, in Debian's Chromium against the real binary: an
// empty server, the setup page, the directory from a CSV file with its
// preview, a leader invited and their one-time link opened in another
// browser. Then the same pages with the keyboard alone and at 320 px.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { assertFits, launchBrowser, newPage, startServer, tabTo } from "./support.mjs";

let server, browser, base;

const admin = { email: "ada@acme.example", password: "a long first password" };
const people = [
  "email;name;title;manager_email;team",
  "ada@acme.example;Ada Admin;CTO;;Engineering",
  "lee@acme.example;Lee Leader;VP Engineering;ada@acme.example;Engineering",
  "mo@acme.example;Mo Manager;Engineering Manager;lee@acme.example;Payments",
  "eve@acme.example;Eve Engineer;Engineer;mo@acme.example;Payments",
  "sam@acme.example;Sam Engineer;Engineer;mo@acme.example;Payments",
].join("\n");

before(async () => {
  server = await startServer();
  base = server.base;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

test("a new admin sets up an empty server, imports the directory and invites a leader", async () => {
  const context = await browser.newContext();
  const page = await newPage(context);

  // The setup page fits a phone.
  const narrow = await newPage(browser, { viewport: { width: 320, height: 700 } });
  await narrow.goto(`${base}/admin/setup`);
  await narrow.getByRole("heading", { name: "Set up Skipcheck" }).waitFor();
  await assertFits(narrow, "the setup page");
  await narrow.close();

  // An empty server opens its setup page.
  await page.goto(`${base}/`);
  await page.waitForURL(`${base}/admin/setup`);
  await page.getByRole("heading", { name: "Set up Skipcheck" }).waitFor();
  // A bad form is refused with a summary that names each problem.
  await page.getByRole("button", { name: "Set up Skipcheck" }).click();
  const summary = page.getByRole("alert").filter({ hasText: "There is a problem" });
  await summary.waitFor();
  assert.match(await summary.innerText(), /Email/);
  await page.getByLabel("Organisation").fill("Acme");
  await page.getByLabel("Your name").fill("Ada Admin");
  await page.getByLabel("Email").fill(admin.email);
  await page.getByLabel("Password", { exact: true }).fill(admin.password);
  await page.getByLabel("Password again").fill(admin.password);
  await page.getByRole("button", { name: "Set up Skipcheck" }).click();

  // Next: the people, from a CSV file, with a preview before anything is written.
  await page.waitForURL(`${base}/admin/people`);
  await page.getByText("No one in the directory yet").waitFor();
  await page.getByLabel("CSV file").setInputFiles({ name: "people.csv", mimeType: "text/csv", buffer: Buffer.from(people) });
  const preview = page.locator("#import-preview");
  await preview.getByText(/5 people in the file: 5 new/).waitFor();
  assert.equal(await page.getByRole("cell", { name: /^Eve Engineer/ }).count(), 0, "a preview writes nothing");
  await page.getByRole("button", { name: "Import these changes" }).click();
  await page.getByText("Imported.").waitFor();
  await page.getByRole("cell", { name: /^Eve Engineer/ }).waitFor();
  const eve = page.getByRole("row", { name: /Eve Engineer/ });
  assert.match(await eve.innerText(), /Mo Manager\s+3\b/);

  // A bad file is refused whole, with its lines.
  await page.getByLabel("CSV file").setInputFiles({
    name: "bad.csv", mimeType: "text/csv",
    buffer: Buffer.from("email,name,manager_email\nx@acme.example,X,ghost@acme.example\n"),
  });
  await page.getByRole("alert").filter({ hasText: "Line 2" }).waitFor();

  // A leader is invited and gets a one-time link to hand over.
  await page.getByRole("link", { name: "Accounts" }).click();
  await page.getByLabel("Name").fill("Lee Leader");
  await page.getByLabel("Email").fill("lee@acme.example");
  await page.getByRole("button", { name: "Invite and make a link" }).click();
  const link = await page.getByLabel("One-time link", { exact: true }).inputValue();
  assert.match(link, new RegExp(`^${base}/admin/set-password#t=[0-9a-f]{64}$`));
  await page.getByRole("cell", { name: /until/ }).first().waitFor();

  // The leader opens it in their own browser, chooses a password, and is in.
  const theirs = await browser.newContext({ viewport: { width: 320, height: 800 } });
  const lee = await newPage(theirs);
  await lee.goto(link);
  await lee.getByRole("heading", { name: "Welcome to Skipcheck" }).waitFor();
  await assertFits(lee, "the page a one-time link opens");
  await lee.getByLabel("Password", { exact: true }).fill("lee's own long password");
  await lee.getByLabel("Password again").fill("lee's own long password");
  await lee.getByRole("button", { name: "Save and log in" }).click();
  await lee.getByRole("heading", { name: "Your rounds" }).waitFor();

  // Lee starts a quarterly skip-level series and is proposed the people two levels down.
  await lee.getByRole("link", { name: "Start a series" }).click();
  await lee.getByRole("heading", { name: "Start a series" }).waitFor();
  await assertFits(lee, "the new series page");
  await lee.getByRole("button", { name: "Start the series" }).click();
  await lee.getByRole("heading", { name: "Next to meet" }).waitFor();
  const proposals = lee.locator(".proposal");
  assert.equal(await proposals.count(), 2, "Eve and Sam, below Mo");
  assert.match(await proposals.first().innerText(), /No skip-level with you yet/);
  // Eve is scheduled for tomorrow; the invitation is written.
  await lee.getByRole("button", { name: "Schedule Eve Engineer" }).click();
  await lee.getByRole("button", { name: "Schedule and write the invitation" }).click();
  const invitation = lee.getByRole("region", { name: "Invitation for Eve Engineer" });
  await invitation.waitFor();
  assert.match(await invitation.getByLabel("Invitation").inputValue(), /Hi Eve,[\s\S]*only I read them/);
  const personal = await invitation.getByLabel("Personal link").inputValue();
  assert.match(personal, new RegExp(`^${base}/checkin/#i=[0-9a-f]{64}$`));
  assert.match(await invitation.getByLabel("Message to the manager").inputValue(), /Hi Mo,/);
  assert.match(await invitation.getByRole("link", { name: /calendar file/ }).getAttribute("href"), /^data:text\/calendar/);
  await lee.getByRole("row", { name: /Eve Engineer/ }).waitFor();

  // Eve opens her link in her own browser and sends her check-in.
  const evePage = await newPage(await browser.newContext());
  await evePage.goto(personal);
  await evePage.getByRole("heading", { level: 1 }).waitFor();
  const answer = `Eve's first check-in ${Date.now()}`;
  await evePage.getByLabel("How are things going for you personally?").fill(answer);
  await evePage.getByRole("group", { name: /how supported do you feel/i }).getByRole("radio", { name: /^7 of 10\b/ }).check();
  await evePage.getByRole("group", { name: /rate your morale/i }).getByRole("radio", { name: /^6 of 10\b/ }).check();
  await evePage.getByRole("button", { name: /submit/i }).click();
  await evePage.getByText(/anonymous answers are in/i).waitFor();

  // Lee reads it in the briefing.
  await lee.reload();
  await lee.getByRole("link", { name: "Eve Engineer" }).click();
  await lee.getByText(answer).waitFor();
  // The link worked once.
  const again = await newPage(await browser.newContext());
  await again.goto(link);
  await again.getByText(/not valid/).waitFor();

  // The leader is not an admin.
  await lee.goto(`${base}/admin/people`);
  await lee.getByRole("heading", { name: "Only for admins" }).waitFor();
  await context.close();
  await theirs.close();
});

test("a forgotten password is asked for on the login page and answered by an admin", async () => {
  const page = await newPage(browser);
  await page.goto(`${base}/`);
  await page.getByRole("button", { name: "Forgot your password?" }).click();
  await page.getByLabel("Your email").fill("lee@acme.example");
  await page.getByRole("button", { name: "Ask for a new link" }).click();
  await page.getByText(/admins can now see that you asked/).waitFor();

  const adminPage = await newPage(browser);
  await adminPage.goto(`${base}/admin/accounts`);
  await adminPage.getByLabel("Email").fill(admin.email);
  await adminPage.getByLabel("Password").fill(admin.password);
  await adminPage.getByRole("button", { name: "Log in" }).click();
  const row = adminPage.getByRole("row", { name: /Lee Leader/ });
  await row.getByText(/Asked for a new password/).waitFor();
  await row.getByRole("button", { name: /New link for/ }).click();
  const link = await adminPage.getByLabel("One-time link", { exact: true }).inputValue();
  assert.match(link, /\/set-password#t=/);
  await row.getByText(/Asked for a new password/).waitFor({ state: "detached" });
});

test("the admin's pages work with the keyboard alone and fit 320 px", async () => {
  const page = await newPage(browser, { viewport: { width: 320, height: 700 } });
  await page.goto(`${base}/admin/people`);
  await tabTo(page, "email");
  await page.keyboard.type(admin.email);
  await page.keyboard.press("Tab");
  await page.keyboard.type(admin.password);
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "People" }).waitFor();
  await page.getByRole("cell", { name: /^Eve Engineer/ }).waitFor();
  await assertFits(page, "the people page");

  // Add someone with the keyboard; a mistake is reported and fixed.
  await tabTo(page, "f-name");
  await page.keyboard.type("Kim Keyboard");
  await page.keyboard.press("Tab");
  await page.keyboard.type("not-an-email");
  await tabTo(page, "f-manager_email");
  await page.keyboard.type("mo@acme.example");
  await page.keyboard.press("Enter");
  const summary = page.getByRole("alert").filter({ hasText: "There is a problem" });
  await summary.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.className), "error-summary", "the summary takes the focus");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.activeElement?.id === "f-email"); // the summary's link leads to the field
  await page.keyboard.press("Control+A");
  await page.keyboard.type("kim@acme.example");
  await page.keyboard.press("Enter");
  await page.getByText("Saved Kim Keyboard.").waitFor();
  await page.getByRole("cell", { name: /^Kim Keyboard/ }).waitFor();
  await assertFits(page, "the people page after an edit");

  await page.goto(`${base}/admin/accounts`);
  await page.getByRole("heading", { name: "Everyone with an account" }).waitFor();
  await page.getByRole("cell", { name: /^Lee Leader/ }).waitFor();
  await assertFits(page, "the accounts page");
  await page.goto(`${base}/account`);
  await page.getByRole("heading", { name: "Your account" }).waitFor();
  await assertFits(page, "the account page");
});

test("the settings page says what email does, and refuses a bad server with a summary", async () => {
  const page = await newPage(browser, { viewport: { width: 320, height: 800 } });
  await page.goto(`${base}/admin/settings`);
  await page.getByLabel("Email").fill(admin.email);
  await page.getByLabel("Password").fill(admin.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByText(/No SMTP server: nothing is emailed/).waitFor();
  await assertFits(page, "the settings page");
  await page.getByLabel("Host").fill("smtp example");
  await page.getByLabel("Sender").fill("not an address");
  await page.getByRole("button", { name: "Save email settings" }).click();
  const summary = page.getByRole("alert").filter({ hasText: "There is a problem" });
  await summary.waitFor();
  assert.match(await summary.innerText(), /Host[\s\S]*Sender/);
  await assertFits(page, "the settings page with errors");
});

test("a leader schedules from the series page with the keyboard alone, at 320 px", async () => {
  const page = await newPage(browser, { viewport: { width: 320, height: 800 } });
  await page.goto(`${base}/`);
  await tabTo(page, "email");
  await page.keyboard.type("lee@acme.example");
  await page.keyboard.press("Tab");
  await page.keyboard.type("lee's own long password");
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "Your series" }).waitFor();
  await assertFits(page, "the leader's home");
  const series = page.getByRole("link", { name: "Skip-levels", exact: true }).first();
  await series.focus();
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "Next to meet" }).waitFor();
  await assertFits(page, "the series page");
  const schedule = page.getByRole("button", { name: "Schedule Sam Engineer" });
  await schedule.focus();
  await page.keyboard.press("Enter");
  // The focus moves to the time; the defaults (tomorrow, 30 minutes) are fine.
  await page.waitForFunction(() => document.activeElement?.id?.startsWith("when-"));
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await page.getByRole("region", { name: "Invitation for Sam Engineer" }).waitFor();
  await page.waitForFunction(() => document.activeElement?.id === "invitation"); // the invitation takes the focus
  await assertFits(page, "the series page with an invitation");

  // Scheduled by mistake: cancelled after a confirmation, and proposed again.
  page.once("dialog", (dialog) => dialog.accept());
  await page.getByRole("button", { name: "Cancel the meeting with Sam Engineer" }).click();
  await page.getByRole("button", { name: "Cancel the meeting with Sam Engineer" }).waitFor({ state: "detached" });
  await page.getByRole("button", { name: "Schedule Sam Engineer" }).waitFor();
});
