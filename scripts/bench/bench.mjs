// The benchmark: Skipcheck's real server, measured with a load generator
// (wrk, with scripts/bench/load.lua) against references measured in the same run on the same
// machine, so that each figure is a ratio that holds from run to run.
//
//   node scripts/bench/bench.mjs [--smoke] [--databases sqlite,postgres]
//        [--bin target/release/skipcheck] [--raw target/release/examples/raw_txn]
//        [--people 10000] [--rounds 20] [--invites 4000] [--seconds 5] [--connections 8]
//        [--no-lighthouse] [--out target/bench]
//
// scripts/bench.sh builds the release binaries and runs this. --smoke runs
// every step briefly on a small organisation and checks only that every
// figure came out (the test command runs it, so the benchmark cannot rot).
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { freePort, sessionCookie, waitForHealth } from "../../tests/e2e/support.mjs";

const { values: opt } = parseArgs({
  options: {
    smoke: { type: "boolean", default: false },
    databases: { type: "string", default: "sqlite,postgres" },
    bin: { type: "string", default: "target/release/skipcheck" },
    raw: { type: "string", default: "target/release/examples/raw_txn" },
    wrk: { type: "string", default: "wrk" },
    people: { type: "string" },
    rounds: { type: "string" },
    invites: { type: "string" },
    seconds: { type: "string" },
    connections: { type: "string" },
    "no-lighthouse": { type: "boolean", default: false },
    out: { type: "string", default: "target/bench" },
  },
});
const smoke = opt.smoke;
const people = Number(opt.people ?? (smoke ? 400 : 10000));
const rounds = Number(opt.rounds ?? (smoke ? 2 : 20));
// Check-ins to submit in the current round: each person submits once, so
// these are what the submissions are measured over (a round's usual 400 or
// so go by in under half a second).
const invites = opt.invites ?? (smoke ? "300" : "6000");
const seconds = Number(opt.seconds ?? (smoke ? 1 : 5));
const connections = Number(opt.connections ?? (smoke ? 4 : 8));
const fixedRate = smoke ? 200 : 1000;
const postgres = process.env.SKIPCHECK_TEST_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/test";
const chromium = process.env.CHROMIUM ?? "/usr/bin/chromium";

const loadScript = join(import.meta.dirname, "load.lua");
// wrk's request files.
const scratch = mkdtempSync(join(tmpdir(), "skipcheck-bench-"));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const psql = (sql) => execFileSync("psql", ["-q", "-v", "ON_ERROR_STOP=1", postgres, "-c", sql]);

/** A database of its own: { url, drop }. */
function database(kind, dir, name) {
  if (kind === "sqlite") return { url: `sqlite://${join(dir, name)}.db`, drop() {} };
  const db = `skipcheck_bench_${name}_${process.pid}`;
  psql(`CREATE DATABASE "${db}"`);
  const url = new URL(postgres);
  url.pathname = `/${db}`;
  return { url: url.toString(), drop: () => psql(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`) };
}

/** CPU time so far, in ms: the machine's, busy and idle (/proc/stat), the
 * server's (`pid`), Postgres's (every `postgres` process, with what the
 * backends that have exited used), the load generator's (this process's and
 * wrk's) and that of the child processes waited for (wrk, the raw reference). */
function cpu(pid) {
  const tick = 1000 / clockTicks;
  // utime, stime, cutime, cstime: fields 14 to 17 of /proc/PID/stat.
  const times = (proc) => {
    try {
      const fields = readFileSync(`/proc/${proc}/stat`, "utf8").split(") ")[1].split(" ");
      return fields.slice(11, 15).map(Number);
    } catch {
      return [0, 0, 0, 0]; // gone meanwhile
    }
  };
  let postgresTicks = 0;
  for (const proc of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    let comm = "";
    try {
      comm = readFileSync(`/proc/${proc}/comm`, "utf8");
    } catch {
      continue;
    }
    if (comm.startsWith("postgres")) postgresTicks += times(proc).reduce((a, b) => a + b, 0);
  }
  const machine = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = machine[3] + machine[4];
  const [utime, stime] = times(pid);
  const [, , cutime, cstime] = times("self");
  const own = process.cpuUsage();
  return {
    busy: (machine.reduce((a, b) => a + b, 0) - idle) * tick,
    idle: idle * tick,
    server: (utime + stime) * tick,
    postgres: postgresTicks * tick,
    children: (cutime + cstime) * tick,
    load: (own.user + own.system) / 1000 + (cutime + cstime) * tick,
  };
}
const clockTicks = Number(execFileSync("getconf", ["CLK_TCK"]).toString()) || 100;

/** CPU per request in ms between two readings of `cpu`, and the machine's
 * idle share meanwhile: near 0 when the CPU sets the pace, not the disk or
 * the writes waiting their turn. */
function cpuPerRequest(before, after, requests) {
  const per = (key) => (after[key] - before[key]) / requests;
  const idle = after.idle - before.idle;
  return {
    busy_ms: per("busy"),
    server_ms: per("server"),
    postgres_ms: per("postgres"),
    load_ms: per("load"),
    reference_ms: per("children"),
    idle_share: idle / (idle + after.busy - before.busy),
  };
}

/** `run()`'s result with the CPU per request it cost (`cpuPerRequest`),
 * the server being `pid`. */
function withCpu(pid, run) {
  const before = cpu(pid);
  const result = run();
  return { ...result, cpu: cpuPerRequest(before, cpu(pid), result.requests) };
}

/** What an employee's browser sends with a JSON body through their link. */
const asEmployee = (token) => ({ "content-type": "application/json", authorization: `Bearer ${token}` });

/** Resident memory of a process, in MB: now (VmRSS) and its peak (VmHWM). */
function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key) => Number(status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, "m"))[1]);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

/** One wrk run (scripts/bench/load.lua) of `requests` ({ method, path,
 * headers, body }; by default a GET of the URL's path), sent in turn for
 * `seconds`, or each once with `once`; as fast as they are answered, or
 * `rate` a second, evenly spaced. Fails loudly on any socket error or
 * answer other than 2xx (or than `expect`, a status every request must get). */
function load(name, { url, requests, once = false, expect, connections: c = connections, rate }) {
  const target = new URL(url);
  const list = requests ?? [{ path: target.pathname }];
  const file = join(scratch, "requests");
  writeFileSync(file, list.map((r) => `${httpRequest(target.host, r)}\0`).join(""));
  const args = ["-t1", `-c${c}`, `-d${once ? 600 : seconds}s`, "--timeout", "10s", "-s", loadScript];
  args.push(target.origin, "--", file, once ? "once" : "cycle");
  if (rate) args.push(String(rate));
  const out = execFileSync(opt.wrk, args, { maxBuffer: 64 << 20 }).toString();
  const line = out.split("\n").find((l) => l.startsWith("RESULT "));
  assert.ok(line, `${name}: wrk printed no result:\n${out}`);
  const result = JSON.parse(line.slice("RESULT ".length));
  const counts = Object.entries(result.statuses);
  const good = counts.filter(([s]) => (expect ? s === String(expect) : s.startsWith("2"))).reduce((n, [, k]) => n + k, 0);
  const answered = counts.reduce((n, [, k]) => n + k, 0);
  const bad = answered - good + result.errors;
  assert.equal(bad, 0, `${name}: ${bad} unexpected answers or socket errors: ${JSON.stringify(result)}`);
  assert.ok(good > 0, `${name}: nothing answered`);
  if (once) assert.equal(good, list.length, `${name}: not every request was answered`);
  return { rate: good / (result.duration_us / 1e6), p50: result.p50_us / 1000, p99: result.p99_us / 1000, requests: good };
}

/** A whole HTTP/1.1 request, as wrk sends it. */
function httpRequest(host, { method = "GET", path, headers = {}, body }) {
  const lines = [`${method} ${path} HTTP/1.1`, `Host: ${host}`];
  for (const [key, value] of Object.entries(headers)) lines.push(`${key}: ${value}`);
  if (body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join("\r\n")}\r\n\r\n${body ?? ""}`;
}

/** A copy of `values` in random order (Fisher–Yates). */
function shuffled(values) {
  const out = [...values];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function raw(url) {
  const before = cpu(process.pid);
  const out = execFileSync(opt.raw, [url, String(connections), String(seconds)], {
    env: { ...process.env, RUST_LOG: "warn" },
  });
  const result = JSON.parse(out.toString());
  return { ...result, cpu: cpuPerRequest(before, cpu(process.pid), result.transactions) };
}

async function benchDatabase(kind) {
  const dir = mkdtempSync(join(tmpdir(), `skipcheck-bench-${kind}-`));
  const main = database(kind, dir, "server");
  const reference = database(kind, dir, "raw");
  const args = ["--data-dir", dir, "--database-url", main.url];
  const results = { database: kind };
  let server;
  try {
    let began = Date.now();
    const demo = JSON.parse(
      execFileSync(
        opt.bin,
        ["demo", "--json", "--people", String(people), "--rounds", String(rounds), "--invites", invites, ...args],
        { maxBuffer: 64 << 20, env: { ...process.env, RUST_LOG: "warn" } },
      ).toString(),
    );
    results.generate_s = (Date.now() - began) / 1000;
    // The first link stays untouched for Lighthouse: a check-in not yet begun.
    const [fresh, ...tokens] = demo.invites.map((i) => i.url.split("#i=")[1]);
    const listen = `127.0.0.1:${await freePort()}`;
    const base = `http://${listen}`;
    server = spawn(opt.bin, ["serve", "--listen", listen, ...args], {
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, RUST_LOG: "warn" },
    });
    await waitForHealth(base, 30000);
    await sleep(1000);
    results.rss_idle_mb = memory(server.pid).rss;

    // 1. Writes against raw single-row transactions on the same disk or server.
    results.raw = raw(reference.url);
    const draft = (n) => JSON.stringify({ answers: { personal: { text: `draft ${n}` } } });
    // A round's worth of people saving drafts.
    const drafts = tokens.slice(0, 500).map((token, n) => ({
      method: "PUT",
      path: "/api/checkin/draft",
      headers: asEmployee(token),
      body: draft(n),
    }));
    results.drafts = withCpu(server.pid, () => load("drafts", { url: base, requests: drafts }));
    // At the fixed rate, as the submissions below.
    results.drafts_fixed = load("drafts at a fixed rate", {
      url: base,
      requests: [drafts[0]],
      rate: fixedRate,
      connections: 4 * connections,
    });
    results.rss_load_mb = memory(server.pid).peak;
    // People answer in no particular order: the demo's invitations come team
    // by team, and sent in that order every submission would wait on the one
    // before it for its team's count.
    const submitters = shuffled(tokens);
    const submission = JSON.stringify({
      answers: { personal: { text: "Busy but good." }, support: { scale: 6 }, morale: { scale: 7 } },
    });
    const submit = (list) => ({
      url: base,
      once: true,
      requests: list.map((token) => ({
        method: "POST",
        path: "/api/checkin/submit",
        headers: asEmployee(token),
        body: submission,
      })),
    });
    // Every submission is a person's only one, so there are no more than the
    // demo's invites (--invites): a second's worth at the fixed rate (at
    // most half of them) for the latency; of the rest, the first tenth warms
    // the server up (its connections prepare their statements the first
    // times they run them), the rest is measured as fast as it is answered.
    const atRate = submitters.splice(0, Math.min(fixedRate, Math.floor(submitters.length / 2)));
    const warm = Math.ceil(submitters.length / 10);
    load("submissions, warming up", submit(submitters.slice(0, warm)));
    results.submissions = withCpu(server.pid, () => load("submissions", submit(submitters.slice(warm))));
    // At the fixed rate, with enough connections that one slow answer holds
    // back no other request.
    results.submissions_fixed = load("submissions at a fixed rate", {
      ...submit(atRate),
      rate: fixedRate,
      connections: 4 * connections,
    });
    results.rss_load_mb = Math.max(results.rss_load_mb, memory(server.pid).peak);

    // 2. Static pages and assets against a trivial JSON route of the same server.
    const html = await (await fetch(`${base}/checkin/`)).text();
    const script = html.match(/\/checkin\/checkin-[0-9a-f]+\.js/)?.[0];
    assert.ok(script, "no script in the check-in page");
    // The trivial JSON route: a refusal that reads no database, through every layer.
    results.trivial = load("trivial JSON", { url: `${base}/api/me`, expect: 401 });
    results.static_page = load("check-in page", { url: `${base}/checkin/` });
    results.static_asset = load("check-in script", { url: `${base}${script}` });

    // 3. The briefing and the report, one request at a time.
    const login = await fetch(`${base}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(demo.leader),
    });
    assert.equal(login.status, 200);
    const cookie = sessionCookie(login);
    const get = async (path) => {
      const r = await fetch(`${base}${path}`, { headers: { cookie } });
      assert.equal(r.status, 200, path);
      return r.json();
    };
    const list = await get("/api/rounds");
    const roundsList = Array.isArray(list) ? list : list.rounds;
    // The biggest finished round, and a briefing there with answers in.
    const current = roundsList.find((r) => r.name === "Q4 skip-levels") ?? roundsList[0];
    const past = roundsList
      .filter((r) => r.id !== current.id)
      .reduce((a, b) => (b.meetings > a.meetings ? b : a));
    const detail = await get(`/api/rounds/${past.id}`);
    const meeting = (detail.meetings.find((m) => m.status === "submitted") ?? detail.meetings[0]).id;
    const leader = (path) => ({ url: base, connections: 1, requests: [{ path, headers: { cookie } }] });
    results.briefing = load("briefing", leader(`/api/meetings/${meeting}`));
    results.report = load("report", leader(`/api/rounds/${past.id}/report`));
    results.meetings_in_round = detail.meetings.length;

    // 5. The widget's time to interactive on a throttled phone (SQLite only).
    if (kind === "sqlite" && !opt["no-lighthouse"]) results.lighthouse = lighthouse(`${base}/checkin/#i=${fresh}`);
  } finally {
    if (server) server.kill("SIGTERM");
    await sleep(300);
    main.drop();
    reference.drop();
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

/** Lighthouse's mobile profile (simulated slow 4G, 4x CPU slowdown) on Debian's Chromium. */
function lighthouse(url) {
  const out = execFileSync(
    join("scripts", "bench", "node_modules", ".bin", "lighthouse"),
    [
      url,
      "--output=json",
      "--quiet",
      "--only-categories=performance",
      `--chrome-path=${chromium}`,
      `--chrome-flags=--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run --user-data-dir=${mkdtempSync(join(tmpdir(), "lh-"))}`,
    ],
    { maxBuffer: 64 << 20, env: { ...process.env, CHROME_PATH: chromium } },
  );
  const report = JSON.parse(out.toString());
  return {
    tti_ms: report.audits.interactive.numericValue,
    fcp_ms: report.audits["first-contentful-paint"].numericValue,
    score: Math.round(report.categories.performance.score * 100),
  };
}

function sizes() {
  const out = execFileSync("node", ["scripts/size-report.mjs"]).toString();
  const brotli = (bundle) => Number(out.match(new RegExp(`\\*\\*${bundle}, all\\*\\*.*?\\*\\*([0-9.]+) KB`))?.[1]);
  return { checkin_kb: brotli("checkin"), leader_kb: brotli("leader") };
}

const fixed = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : "–");
const ms = (x) => fixed(x, x < 10 ? 1 : 0);
const rows = [];
const row = (figure, measured, reference, ratio, goal, met) =>
  rows.push(`| ${figure} | ${measured} | ${reference} | ${ratio} | ${goal} | ${met === undefined ? "" : met ? "yes" : "**no**"} |`);

const all = [];
for (const kind of opt.databases.split(",")) all.push(await benchDatabase(kind));
rmSync(scratch, { recursive: true, force: true });
const size = sizes();

for (const r of all) {
  const db = r.database === "sqlite" ? "SQLite" : "Postgres";
  const ratio = (a, b) => a / b;
  const d = ratio(r.drafts.rate, r.raw.tps);
  const s = ratio(r.submissions.rate, r.raw.tps);
  row(`${db}: draft saves/s`, fixed(r.drafts.rate, 0), `${fixed(r.raw.tps, 0)} raw txn/s`, fixed(d, 2), "≥ 0.8", d >= 0.8);
  row(`${db}: submissions/s`, fixed(r.submissions.rate, 0), `${fixed(r.raw.tps, 0)} raw txn/s`, fixed(s, 2), "≥ 0.5", s >= 0.5);
  // Where the time goes when the machine, not the disk, sets the pace: CPU
  // per write, all processes, against the raw reference's per transaction.
  const rawParts = [`its client ${fixed(r.raw.cpu.reference_ms, 2)}`];
  if (r.database === "postgres") rawParts.push(`Postgres ${fixed(r.raw.cpu.postgres_ms, 2)}`);
  for (const [name, w] of [["draft save", r.drafts], ["submission", r.submissions]]) {
    const c = w.cpu;
    const parts = [`server ${fixed(c.server_ms, 2)}`];
    if (r.database === "postgres") parts.push(`Postgres ${fixed(c.postgres_ms, 2)}`);
    parts.push(`load generator ${fixed(c.load_ms, 2)}`);
    row(
      `${db}: CPU per ${name}`,
      `${fixed(c.busy_ms, 2)} ms (${parts.join(", ")}; machine ${fixed(100 * c.idle_share, 0)}% idle)`,
      `raw ${fixed(r.raw.cpu.busy_ms, 2)} ms per txn (${rawParts.join(", ")}; ${fixed(100 * r.raw.cpu.idle_share, 0)}% idle)`,
      fixed(ratio(r.raw.cpu.busy_ms, c.busy_ms), 2),
      "",
      undefined,
    );
  }
  for (const [name, f] of [["draft", r.drafts_fixed], ["submission", r.submissions_fixed]]) {
    const seen = `${ms(f.p99)} ms (p50 ${ms(f.p50)}, ${fixed(f.rate, 0)}/s over ${f.requests})`;
    row(`${db}: ${name} p99 at ${fixedRate}/s`, seen, `raw p99 ${fixed(r.raw.p99_ms)} ms`, "", "≤ 5 ms", f.p99 <= 5);
  }
  const sp = ratio(r.static_page.rate, r.trivial.rate);
  const sa = ratio(r.static_asset.rate, r.trivial.rate);
  row(`${db}: static page/s`, fixed(sp * r.trivial.rate, 0), `${fixed(r.trivial.rate, 0)} trivial JSON/s`, fixed(sp, 2), "≥ 0.5", sp >= 0.5);
  row(`${db}: static asset/s`, fixed(sa * r.trivial.rate, 0), `${fixed(r.trivial.rate, 0)} trivial JSON/s`, fixed(sa, 2), "≥ 0.5", sa >= 0.5);
  const org = `${people} people, ${rounds} rounds`;
  row(`${db}: briefing p50 / p99 (${org})`, `${ms(r.briefing.p50)} / ${ms(r.briefing.p99)} ms`, "", "", "≤ 20 / 60 ms", r.briefing.p50 <= 20 && r.briefing.p99 <= 60);
  row(`${db}: report p50 / p99 (${org})`, `${ms(r.report.p50)} / ${ms(r.report.p99)} ms`, "", "", "≤ 20 / 60 ms", r.report.p50 <= 20 && r.report.p99 <= 60);
  row(`${db}: memory idle / under load`, `${fixed(r.rss_idle_mb)} / ${fixed(r.rss_load_mb)} MB`, "", "", "≤ 25 / 100 MB", r.rss_idle_mb <= 25 && r.rss_load_mb <= 100);
  if (r.lighthouse) {
    row("check-in time to interactive (Lighthouse mobile)", `${fixed(r.lighthouse.tti_ms, 0)} ms`, `FCP ${fixed(r.lighthouse.fcp_ms, 0)} ms, score ${r.lighthouse.score}`, "", "", undefined);
  }
}
row("check-in bundle, brotli", `${fixed(size.checkin_kb)} KB`, "", "", "≤ 90 KB", size.checkin_kb <= 90);

const table = [
  "| figure | measured | reference, same run | ratio | goal | met |",
  "|---|---|---|---|---|---|",
  ...rows,
].join("\n");
mkdirSync(opt.out, { recursive: true });
writeFileSync(join(opt.out, "results.json"), JSON.stringify({ people, rounds, seconds, connections, all, size }, null, 2));
writeFileSync(join(opt.out, "results.md"), table + "\n");
console.log(table);

if (smoke) {
  // Every figure came out as a number: the benchmark still runs end to end.
  const numbers = JSON.stringify(all).match(/-?\d+(\.\d+)?(e[+-]?\d+)?|null/g);
  assert.ok(!numbers.includes("null"), "a figure is missing");
  for (const r of all) {
    for (const key of ["drafts", "drafts_fixed", "submissions", "submissions_fixed", "trivial", "static_page", "static_asset", "briefing", "report"]) {
      assert.ok(r[key].rate > 0 && r[key].requests > 0, `${r.database}: ${key}`);
    }
    assert.ok(r.raw.tps > 0 && r.rss_idle_mb > 0 && r.rss_load_mb >= r.rss_idle_mb);
    if (!opt["no-lighthouse"] && r.database === "sqlite") assert.ok(r.lighthouse.tti_ms > 0);
  }
  assert.ok(size.checkin_kb > 0);
  console.log("# pass 1\n# fail 0");
}
