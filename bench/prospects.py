"""Benchmark: the prospects API on a workspace of 1,000 prospects and one of 100,000, with notes.

Both workspaces have the same shape: 20 salesmen (users made through the directory API), prospects
spread over the six follow-up statuses, a client (company id) for every `active_client`, a partner
in fifty, follow-up data, two notes each (a logged contact, and one scheduled within half a year
either side of today), the maintained totals computed from the same rows. They are loaded with
INSERT ... SELECT straight into the prospects database (column lists checked against the models).

Each request is timed as the workspace owner (all permissions) on one keep-alive connection
(bench/loadgen.py), the small and the big workspace in turn (so both see the same load of the
machine): the Kanban with counters, the first list page, the list page at start=90000, the KPIs and
this month's activities; p50/p99 and the big one's ratio to the small one (the target: within 2x).
Then an import of 10,000 new rows into the big workspace: `POST /prospects/process`, then
`POST /prospects`, in calls of 5,000 (rows/s).

    .venv/bin/python -m bench.prospects [--quick] [--seconds S]

As a scenario module of `make bench` (bench/run.py), `run(bench, quick)` loads the same two
workspaces into the run's system, adds a row per request on the big one, and keeps the comparison
with the 1k workspace and the import in the first row's JSON.
"""
import argparse
import asyncio
import time
import uuid
from datetime import datetime, timedelta, timezone

import psycopg2

from bench import loadgen
from bench.dataset import checked_columns
from bench.support import bench_environment, machine_lock, summarize, write_result
from contracts.permissions import LOCATIONS, PROSPECTS
from services.prospects.models import Note, Prospect

SALESMEN = 20
IMPORT_CALL = 5000

PROSPECT_COLUMNS = checked_columns(Prospect.__table__, (
    "uuid", "workspace_id", "type", "source", "seq", "status", "name", "company_name", "search_key", "email",
    "email_key", "phone_code", "phone", "phone_key", "locale_id", "follow_up_id", "follow_changed_at", "created_by",
    "created_at", "updated_at", "version", "channel", "account_value", "balance", "monthly_shipments",
    "ecommerce_type_id", "weight_id", "account_type", "estimated_close_date", "campaign", "lead_status",
    "has_recharge", "verified", "tier", "services", "first_contact", "last_contact"))
NOTE_COLUMNS = checked_columns(Note.__table__, (
    "workspace_id", "prospect_id", "action", "comment", "scheduled_date", "contact_at", "created_by", "created_at",
    "updated_at"))

LOAD = """
INSERT INTO prospects ({prospects})
SELECT md5(%(ws)s || '-' || i)::uuid::text, %(ws)s, kind, CASE WHEN kind = 3 THEN 2 ELSE 1 END,
       row_number() OVER (PARTITION BY kind = 3 ORDER BY i), 1,
       'Contact ' || i, 'Company ' || i, 'company ' || i || '|contact ' || i,
       'lead-' || i || '@ws' || %(ws)s || '.example', 'lead-' || i || '@ws' || %(ws)s || '.example',
       '52', (5500000000 + i)::text, '52' || (5500000000 + i)::text, 1, follow, made, salesman, made, made, 1,
       'web', (i %% 97) * 100, 0, (i * 13) %% 6000, 1 + i %% 4, 1 + i %% 3, 'sme', current_date + (i %% 120),
       'Q' || (1 + i %% 4) || '-2026', 'warm', i %% 2 = 0, false, 'silver', '1,3', made + interval '1 day',
       made + interval '2 days'
FROM (SELECT i, 1 + i %% 6 AS follow,
             CASE WHEN i %% 50 = 0 THEN 3 WHEN i %% 6 = 4 THEN 2 ELSE 1 END AS kind,
             (%(salesmen)s::bigint[])[1 + i %% %(n_salesmen)s] AS salesman,
             now() at time zone 'utc' - (%(n)s - i) * (interval '365 days' / %(n)s) AS made
      FROM generate_series(1, %(n)s) AS i) AS rows
ORDER BY i;
INSERT INTO prospect_sequences (workspace_id, source, last_seq)
SELECT workspace_id, source, max(seq) FROM prospects WHERE workspace_id = %(ws)s GROUP BY workspace_id, source;
INSERT INTO notes ({notes})
SELECT p.workspace_id, p.id, 'call', 'first call', NULL, p.first_contact, p.created_by, p.first_contact,
       p.first_contact
FROM prospects p WHERE p.workspace_id = %(ws)s;
INSERT INTO notes ({notes})
SELECT p.workspace_id, p.id, 'meeting', 'follow-up',
       now() at time zone 'utc' + ((p.id * 7919) %% 365 - 182) * interval '1 day' + (p.id %% 10) * interval '1 hour',
       p.last_contact, p.created_by, p.last_contact, p.last_contact
FROM prospects p WHERE p.workspace_id = %(ws)s;
INSERT INTO companies (workspace_id, prospect_id, created_at)
SELECT workspace_id, id, created_at FROM prospects WHERE workspace_id = %(ws)s AND follow_up_id = 5;
UPDATE prospects p SET company_id = c.id, onboarding_status = 0
FROM companies c WHERE c.prospect_id = p.id AND p.workspace_id = %(ws)s;
INSERT INTO prospect_totals (workspace_id, created_by, type, follow_up_id, prospects, account_value)
SELECT workspace_id, created_by, type, follow_up_id, count(*), sum(account_value)
FROM prospects WHERE workspace_id = %(ws)s GROUP BY workspace_id, created_by, type, follow_up_id;
""".format(prospects=", ".join(PROSPECT_COLUMNS), notes=", ".join(NOTE_COLUMNS))


def salesmen(api, ws):
    """The owner and SALESMEN - 1 users (directory API): {id: name}."""
    team = {ws.owner["id"]: "{} {}".format(ws.owner["first_name"], ws.owner["last_name"])}
    for number in range(SALESMEN - 1):
        response = api.post("/api/directory/users", {
            "email": "seller-{}@bench.example".format(uuid.uuid4().hex[:10]), "password": "bench-password-123",
            "first_name": "Seller", "last_name": str(number), "permissions": [PROSPECTS, LOCATIONS]}, token=ws.token)
        assert response.status_code == 200, response.text
        team[response.json()["data"]["id"]] = "Seller {}".format(number)
    return team


def load(database_url, ws, team, count):
    connection = psycopg2.connect(database_url)
    with connection, connection.cursor() as cursor:
        cursor.execute(LOAD, {"ws": ws.workspace["id"], "n": count, "salesmen": sorted(team),
                              "n_salesmen": len(team)})
        cursor.executemany("INSERT INTO salesmen (workspace_id, user_id, name) VALUES (%s, %s, %s)",
                           [(ws.workspace["id"], user_id, name) for user_id, name in team.items()])
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.close()


def requests_of():
    today = datetime.now(timezone.utc).date()
    first = today.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return {"kanban_with_counters": "/prospects/grouped?counters=true",
            "list_first_page": "/prospects/list?start=0&length=25",
            "list_start_90000": "/prospects/list?start=90000&length=25",
            "kpis": "/prospects/kpis",
            "activities_month": "/prospects/activities?startDate={}&endDate={}".format(first, last)}


async def _alternate(base_url, paths_and_tokens, seconds, warmup):
    """Requests in turn on one keep-alive connection (small, big, small, ...), each timed, so both
    workspaces are measured under the same load of the machine: {key: [ms, ...]}."""
    host, port = loadgen._host_port(base_url)
    connection = loadgen.Connection(host, port)
    latencies = {key: [] for key in paths_and_tokens}
    warm_until = time.perf_counter() + warmup
    deadline = warm_until + seconds
    try:
        while time.perf_counter() < deadline:
            for key, (path, token) in paths_and_tokens.items():
                started = time.perf_counter()
                status, _ = await connection.request("GET", path, {"Authorization": "Bearer " + token}, None)
                assert status == 200, (path, status)
                if started >= warm_until:
                    latencies[key].append((time.perf_counter() - started) * 1000)
    finally:
        connection.close()
    return latencies


def measure(base_url, path, tokens, seconds, warmup):
    """{key: summary} of `path` requested as each of `tokens` ({key: token}) in turn."""
    latencies = asyncio.run(_alternate(base_url, {key: (path, token) for key, token in tokens.items()}, seconds,
                                       warmup))
    return {key: {name: value for name, value in summarize(values).items() if name != "p95_ms"}
            for key, values in latencies.items()}


def import_rows(api, ws, count):
    """Times `count` new rows through process, then POST /prospects, in calls of IMPORT_CALL rows."""
    rows = [{"name": "Imported {}".format(i), "company": "Import Co {}".format(i),
             "email": "import-{}-{}@bench.example".format(i, uuid.uuid4().hex[:6]), "phone": 7700000000 + i, "code": 52,
             "locale": 1, "monthly_shipments": 150} for i in range(count)]
    calls = [rows[start:start + IMPORT_CALL] for start in range(0, count, IMPORT_CALL)]
    timings = {}
    for name, path in (("process", "/prospects/process"), ("create", "/prospects")):
        started = time.perf_counter()
        for call in calls:
            response = api.post(path, call, token=ws.token, timeout=300)
            assert response.status_code == 200 and not response.json()["errors"], response.text[:500]
        seconds = time.perf_counter() - started
        timings[name] = {"rows": count, "calls": len(calls), "seconds": round(seconds, 3),
                         "rows_per_second": round(count / seconds, 1)}
    return timings


def prepare(env, big_count):
    """The two workspaces, loaded: (small, big, seconds the loading took)."""
    api, url = env.api, env.database_urls["prospects"]
    small, big = api.signup(workspace="prospects-1k"), api.signup(workspace="prospects-big")
    started = time.perf_counter()
    load(url, small, salesmen(api, small), 1_000)
    load(url, big, salesmen(api, big), big_count)
    return small, big, round(time.perf_counter() - started, 1)


def compare(base_url, small, big, seconds, warmup):
    """Each request on both workspaces in turn: {request: {"small", "big", "p50_ratio", "p99_ratio"}}."""
    results = {}
    for name, path in requests_of().items():
        results[name] = measure(base_url, path, {"small": small.token, "big": big.token}, seconds, warmup)
        for percentile in ("p50", "p99"):
            results[name][percentile + "_ratio"] = round(results[name]["big"][percentile + "_ms"] /
                                                         results[name]["small"][percentile + "_ms"], 2)
    return results


def run(bench, quick):
    """Scenario module of `make bench` (bench/run.py): a row per request on the big workspace through
    the harness's phases, the 1k-versus-big comparison and the import kept in the first row's JSON."""
    big_count = 20_000 if quick else 100_000
    small, big, loaded = prepare(bench.env, big_count)
    bench.log("prospects: 1,000 and {:,} prospects loaded in {}s".format(big_count, loaded))
    comparison = compare(bench.env.system.base_url, small, big, 4 if quick else 10, 1 if quick else 2)
    headers = {"Authorization": "Bearer " + big.token}
    rows = {"prospects {}".format(name.replace("_", " ")): bench.measure(
                "prospects {}".format(name.replace("_", " ")), lambda i, path=path: ("GET", path, headers, None))
            for name, path in requests_of().items()}
    first = next(iter(rows.values()))
    first.update({"prospects_big": big_count, "load_seconds": loaded, "compared_with_1k": comparison,
                  "import": import_rows(bench.env.api, big, 2_000 if quick else 10_000)})
    return rows


def print_table(results, imported):
    print("{:<22} {:>9} {:>9} {:>9} {:>9} {:>7} {:>7}".format("request", "1k p50", "1k p99", "big p50", "big p99",
                                                             "p50 x", "p99 x"))
    for name, result in results.items():
        print("{:<22} {:>9.1f} {:>9.1f} {:>9.1f} {:>9.1f} {:>7.2f} {:>7.2f}".format(
            name, result["small"]["p50_ms"], result["small"]["p99_ms"], result["big"]["p50_ms"],
            result["big"]["p99_ms"], result["p50_ratio"], result["p99_ratio"]))
    for name, timing in imported.items():
        print("import {:<8} {} rows in {} s: {} rows/s".format(name, timing["rows"], timing["seconds"],
                                                              timing["rows_per_second"]))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="20,000 prospects instead of 100,000, shorter phases")
    parser.add_argument("--seconds", type=float, default=None, help="timed seconds per request (10; 4 quick)")
    args = parser.parse_args()
    big_count = 20_000 if args.quick else 100_000
    seconds = args.seconds or (4 if args.quick else 10)
    lock = machine_lock()
    with bench_environment(components=["directory", "prospects", "gateway"]) as env:
        small, big, loaded = prepare(env, big_count)
        results = compare(env.system.base_url, small, big, seconds, 1 if args.quick else 2)
        imported = import_rows(env.api, big, 2_000 if args.quick else 10_000)
    lock.close()
    report = {"prospects_small": 1_000, "prospects_big": big_count, "load_seconds": loaded, "seconds": seconds,
              "requests": results, "import": imported}
    path = write_result("prospects-quick" if args.quick else "prospects", report)
    print_table(results, imported)
    print("written to", path)


if __name__ == "__main__":
    main()
