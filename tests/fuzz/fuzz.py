#!/usr/bin/env python3
"""Fuzzes the API from its own OpenAPI document with schemathesis.

For each database (SQLite, and Postgres in a database of its own), it starts
the real binary on the demo organisation and runs schemathesis once for each
caller: nobody, an employee's link, a manager's link, the demo's owner
(admin and leader, owning its rounds), a leader with no admin role and an
admin with no leader role. Every response must be documented: no
5xx, a documented status, content type, headers and body schema.

Operations that end the caller's session (log out, log out everywhere,
change the password) run in a pass of their own after the rest, so they
can't turn the other operations' answers into 401s.

Prints one `# pass N` / `# fail N` line per run (the test command adds
them up) and exits non-zero on any failure or if fewer requests were made
than --min-requests per database.

    python3 tests/fuzz/fuzz.py [--bin target/debug/skipcheck] [--examples 8]
        [--databases sqlite,postgres] [--seed 1]

KEEP=1 keeps each run's directory (the server's log, schemathesis's ndjson
reports) instead of removing it.
"""

import argparse
import concurrent.futures
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)
# Operations that end the session they are called with.
SESSION_ENDERS = r"^(DELETE /api/session|DELETE /api/me/sessions|PUT /api/me/password)$"
# The header the server takes a client's address from, as behind a proxy.
CLIENT_HEADER = "X-Fuzz-Client"
POSTGRES = os.environ.get("SKIPCHECK_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/test")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base, method, path, body=None, headers=None):
    """One JSON request; returns (status, headers, parsed body or None)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req) as r:
            raw = r.read()
            return r.status, r.headers, json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        raw = e.read()
        return e.code, e.headers, json.loads(raw) if raw else None


def log_in(base, email, password):
    status, headers, _ = call(base, "POST", "/api/session", {"email": email, "password": password})
    assert status == 200, f"login of {email} answered {status}"
    cookies = [c.split(";", 1)[0] for c in headers.get_all("Set-Cookie") or []]
    cookie = next((c for c in cookies if c.startswith("skipcheck_session=")), "")
    assert "=" in cookie, "login set no session cookie"
    return cookie


def account(base, admin_cookie, name, is_admin, is_leader):
    """An account with one role, its password set through its one-time link; returns its cookie."""
    email = f"{name.lower()}-{uuid.uuid4().hex[:6]}@example.com"
    status, _, link = call(
        base,
        "POST",
        "/api/admin/accounts",
        {"name": name, "email": email, "is_admin": is_admin, "is_leader": is_leader},
        {"Cookie": admin_cookie},
    )
    assert status == 201, f"inviting {name} answered {status}"
    token = link_token(link["url"])
    password = uuid.uuid4().hex
    status, _, _ = call(
        base, "POST", "/api/password/link", {"password": password}, {"Authorization": f"Bearer {token}"}
    )
    assert status in (200, 204), f"setting {name}'s password answered {status}"
    return log_in(base, email, password)


def link_token(url):
    """The token of a personal or one-time link: its fragment is `#i=…`, `#m=…` or `#t=…`."""
    fragment = urllib.parse.urlsplit(url).fragment
    assert "=" in fragment, f"no token in {url}"
    return fragment.split("=", 1)[1]


class Server:
    def __init__(self, binary, database):
        self.dir = tempfile.mkdtemp(prefix="skipcheck-fuzz-")
        self.pg_name = None
        self.proc = None
        self.log = None
        try:
            self.start(binary, database)
        except BaseException:
            self.stop()
            raise

    def start(self, binary, database):
        args = ["--data-dir", self.dir]
        if database == "postgres":
            self.pg_name = f"skipcheck_fuzz_{uuid.uuid4().hex[:12]}"
            psql(f'CREATE DATABASE "{self.pg_name}"')
            url = urllib.parse.urlsplit(POSTGRES)._replace(path="/" + self.pg_name).geturl()
            args += ["--database-url", url]
        listen = f"127.0.0.1:{free_port()}"
        self.base = f"http://{listen}"
        demo = subprocess.run(
            [binary, "demo", "--json", *args], check=True, capture_output=True, text=True
        )
        self.demo = json.loads(demo.stdout)
        self.log = open(os.path.join(self.dir, "server.log"), "w")
        self.proc = subprocess.Popen(
            [binary, "serve", "--listen", listen, "--client-ip-header", CLIENT_HEADER, *args],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "RUST_LOG": "warn", "SKIPCHECK_LOG_FORMAT": "text"},
        )
        until = time.time() + 30
        while True:
            try:
                urllib.request.urlopen(self.base + "/healthz").read()
                break
            except OSError:
                if time.time() > until or self.proc.poll() is not None:
                    raise RuntimeError(f"the server did not start at {self.base}")
                time.sleep(0.1)

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=30)
        if self.log:
            self.log.close()
        if self.pg_name:
            psql(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
        if not os.environ.get("KEEP"):
            shutil.rmtree(self.dir, ignore_errors=True)

    def server_errors(self):
        with open(os.path.join(self.dir, "server.log")) as f:
            return [line for line in f if " ERROR " in line or "panicked" in line]


def psql(sql):
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", POSTGRES, "-c", sql], check=True)


def roles(server):
    """The credential header of each caller, by name."""
    demo = server.demo
    owner = log_in(server.base, demo["leader"]["email"], demo["leader"]["password"])
    return {
        "nobody": None,
        # Admin and leader at once, owning the demo's rounds, people and templates.
        "owner": "Cookie: " + owner,
        "employee": "Authorization: Bearer " + link_token(demo["invites"][0]["url"]),
        "manager": "Authorization: Bearer " + link_token(demo["manager_links"][0]["url"]),
        "leader": "Cookie: " + account(server.base, owner, "Leila", False, True),
        "admin": "Cookie: " + account(server.base, owner, "Adam", True, False),
    }


def schemathesis(base, header, client, examples, seed, report, only_enders):
    cmd = [
        os.path.join(os.path.dirname(sys.executable), "schemathesis"),
        "run",
        f"{base}/api/openapi.json",
        "--url",
        base,
        "--checks",
        CHECKS,
        "--max-examples",
        str(examples),
        "--seed",
        str(seed),
        "--workers",
        "1",
        "--phases",
        "examples,coverage,fuzzing",
        "--suppress-health-check",
        "all",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        report,
        "--no-color",
    ]
    cmd += ["--include-name-regex" if only_enders else "--exclude-name-regex", SESSION_ENDERS]
    # Each run logs in from an address of its own, with the budget of
    # attempts a new client has (the server takes it from CLIENT_HEADER): a
    # run's 429s are its own, answered at once, and checked as documented
    # like any answer. Waiting out each Retry-After took most of the time.
    cmd += ["--header", f"{CLIENT_HEADER}: {client}"]
    if header:
        cmd += ["--header", header]
    # In the run's own directory: schemathesis keeps a cache where it runs.
    return subprocess.run(cmd, capture_output=True, text=True, cwd=os.path.dirname(report))


def read_report(report):
    """From the ndjson event stream: how many requests were made, and the
    operations that answered 2xx at least once."""
    requests, accepted = 0, set()
    if not os.path.exists(report):
        return requests, accepted
    with open(report) as f:
        for line in f:
            body = json.loads(line).get("ScenarioFinished")
            if not body:
                continue
            recorder = body.get("recorder", {})
            for interaction in recorder.get("interactions", {}).values():
                requests += 1
                label = recorder.get("label", "")
                status = (interaction.get("response") or {}).get("status_code", 0)
                # Only the operation's own method: an OPTIONS probe answers 200 to anyone.
                if 200 <= status < 300 and label.startswith(interaction["request"]["method"] + " "):
                    accepted.add(label)
    return requests, accepted


def fuzz(database, args):
    """Every caller's runs against one database: (failures, lines to print)."""
    failed, lines = 0, []
    server = Server(args.bin, database)
    total = 0
    accepted_by = {}
    try:
        for i, (role, header) in enumerate(roles(server).items()):
            for only_enders in (False, True):
                report = os.path.join(server.dir, f"{role}-{int(only_enders)}.ndjson")
                client = f"10.0.{i}.{int(only_enders)}"
                began = time.monotonic()
                run = schemathesis(server.base, header, client, args.examples, args.seed, report, only_enders)
                took = time.monotonic() - began
                requests, accepted = read_report(report)
                accepted_by.setdefault(role, set()).update(accepted)
                total += requests
                what = f"{database}, {role}{' (session enders)' if only_enders else ''}"
                if run.returncode == 0:
                    lines.append(f"ok: {what}: {requests} requests in {took:.0f} s, every answer as documented")
                else:
                    failed += 1
                    lines.append(f"FAILED: {what}: {requests} requests\n{run.stdout[-20000:]}{run.stderr[-4000:]}")
        # Each credential must have worked: its caller got a 2xx from an
        # operation that refused everyone without one.
        for role, accepted in accepted_by.items():
            if role != "nobody" and not accepted - accepted_by["nobody"]:
                failed += 1
                lines.append(f"FAILED: {database}, {role}: no operation accepted this caller's credential")
        errors = server.server_errors()
        if errors:
            failed += 1
            lines.append(f"FAILED: {database}: the server logged errors:\n" + "".join(errors[:20]))
    finally:
        server.stop()
    if total < args.min_requests:
        failed += 1
        lines.append(f"FAILED: {database}: only {total} requests, fewer than {args.min_requests}")
    else:
        lines.append(f"{database}: {total} requests in all")
    return failed, lines


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bin", default="target/debug/skipcheck")
    p.add_argument("--databases", default="sqlite,postgres")
    # Generated examples an operation in the fuzzing phase (the examples and
    # coverage phases make their own). With 4, no request of the employee's
    # made it past validation to a 2xx, and the run failed: 8 it is.
    p.add_argument("--examples", type=int, default=8)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--min-requests", type=int, default=1000)
    args = p.parse_args()

    # The databases side by side, each with its own server and database:
    # nothing is shared, and each run waits on its server much of the time.
    databases = args.databases.split(",")
    with concurrent.futures.ThreadPoolExecutor(len(databases)) as pool:
        done = list(pool.map(lambda database: fuzz(database, args), databases))
    failed = 0
    for database_failed, lines in done:
        failed += database_failed
        print("\n".join(lines), flush=True)
    runs = len(databases) * 12
    print(f"# pass {runs - min(failed, runs)}\n# fail {failed}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
