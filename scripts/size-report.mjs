// Sizes of what a browser loads for each page bundle (wasm + js + css), raw and
// brotli (quality 11), against the budgets. A bundle over budget is reported
// loudly; with --enforce the script then exits 1.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants } from "node:zlib";

const budgets = { checkin: 90 * 1024, leader: 250 * 1024, admin: 250 * 1024, insights: 250 * 1024, templates: 250 * 1024 };
const kb = (n) => (n / 1024).toFixed(1) + " KB";
let over = false;
const rows = [];
for (const [bundle, budget] of Object.entries(budgets)) {
  const dir = join("frontend", "dist", bundle);
  let raw = 0, br = 0;
  for (const file of readdirSync(dir)) {
    if (!/\.(wasm|js|css)$/.test(file) || !statSync(join(dir, file)).isFile()) continue;
    const bytes = readFileSync(join(dir, file));
    const compressed = brotliCompressSync(bytes, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    }).length;
    raw += bytes.length;
    br += compressed;
    rows.push(`| ${bundle} | ${file.replace(/-[0-9a-f]{8,}/, "")} | ${kb(bytes.length)} | ${kb(compressed)} |`);
  }
  rows.push(`| **${bundle}, all** | wasm + js + css | ${kb(raw)} | **${kb(br)}** (budget ${kb(budget)}) |`);
  if (br > budget) over = true;
}
// The intranet's script (budget 3 KB), the framed page's own script, and
// each language's strings, which a page loads on demand (one language each).
const extras = [
  ["embed", "frontend/embed/embed.js", 3 * 1024],
  ["embed", "frontend/embed/frame.js", null],
];
// A language file as the server serves it: /i18n/xx.json, the check-in's
// part, and /i18n/xx.pages.json, both parts, for the other bundles.
for (const file of readdirSync("frontend/i18n").filter((f) => f.endsWith(".json"))) {
  const { checkin, pages } = JSON.parse(readFileSync(`frontend/i18n/${file}`, "utf8"));
  const lang = file.replace(/\.json$/, "");
  extras.push(["language", `${lang}.json`, null, JSON.stringify(checkin)]);
  extras.push(["language", `${lang}.pages.json`, null, JSON.stringify({ ...checkin, ...pages })]);
}
for (const [what, path, budget, text] of extras) {
  const bytes = text === undefined ? readFileSync(path) : Buffer.from(text);
  const compressed = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  const name = path.split("/").pop();
  rows.push(budget
    ? `| **${what}** | ${name} | ${kb(bytes.length)} | **${kb(compressed)}** (budget ${kb(budget)}) |`
    : `| ${what} | ${name} | ${kb(bytes.length)} | ${kb(compressed)} |`);
  if (budget && compressed > budget) over = true;
}
console.log("| bundle | file | raw | brotli |\n|---|---|---|---|\n" + rows.join("\n"));
if (over) {
  console.error("\n*** OVER BUDGET: a bundle is larger than its brotli budget (see the table). ***\n");
  if (process.argv.includes("--enforce")) process.exit(1);
}
