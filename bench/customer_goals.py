"""Benchmark: the customer goals fetch (seed 001) at 1,000 and at 100,000 goals of a workspace.

Two workspaces are signed up through the gateway; their goals (each with one custom field) are
COPY'd straight into the goals database (bench.dataset.CopyBuffer, columns checked against the
model). Then `POST /v1/csgoal/external/fetch` with a two-condition expression and a page of 100
(`StatusId IN [On Track, At Risk] AND DueDate >= 2025-07-01`, about a quarter of the goals match,
so both workspaces fill the page) runs in one closed loop (bench.loadgen.saturate, 2 connections)
that alternates between the two workspaces, so the machine's busy moments fall on both alike, and
we compare their p50 and p99. The claim: a page costs about the same whatever the workspace's size (the
fetch pages the workspace's live goals in id order on ix_cs_goals_live and stops at the page).

Alone (`main`), the rate limit (10/s per caller) is raised with RATE_LIMIT_PER_SECOND=1000000 (the
limiter runs). As a scenario module of `make bench` (`run`), the default limit stays and the requests
rotate over many callers of the workspace, each far under its limit.

    .venv/bin/python -m bench.customer_goals [--quick] [--big 100000] [--small 1000]
"""
import argparse
import os
import random
import time
from datetime import date, timedelta

import psycopg2

from bench import loadgen
from bench.dataset import CopyBuffer, DatasetLoader, vacuum_analyze
from bench.support import bench_environment, machine_lock, summarize, write_result
from services.goals.customer_goals.domain import new_gsid
from services.goals.customer_goals.models import CsGoal, CsGoalCustomValue

PAGE = 100
GOAL_COLUMNS = ("id", "gsid", "workspace_id", "category", "name", "description", "entity_type", "goal_type_id",
                "status_id", "due_date", "currency_iso_code", "created_by_id", "modified_by_id", "created_date",
                "modified_date", "version")
CUSTOM_COLUMNS = ("goal_id", "name", "kind", "text_value", "number_value")
REGIONS = ("north", "south", "east", "west")


def load_goals(database_url, workspace_id, owner, statuses, goal_type, count, seed):
    """`count` goals of the workspace with random statuses and due dates over 2025, and a `region__gc`;
    `owner` (a user uuid) created them."""
    rng = random.Random(seed)
    connection = psycopg2.connect(database_url)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(max(id), 0) FROM cs_goals")
        first_id = cursor.fetchone()[0] + 1
    goals, custom = CopyBuffer(CsGoal.__table__, GOAL_COLUMNS), CopyBuffer(CsGoalCustomValue.__table__, CUSTOM_COLUMNS)
    now = int(time.time() * 1000)
    for offset in range(count):
        goal_id = first_id + offset
        goals.add((goal_id, new_gsid("goal"), workspace_id, "GOAL", "Goal {:06d}".format(offset),
                   "<p>Bench goal</p>", "GLOBAL", goal_type, rng.choice(statuses), date(2025, 1, 1) + timedelta(
                       days=rng.randrange(365)), "USD", owner, owner, now, now, 1))
        custom.add((goal_id, "region__gc", "s", rng.choice(REGIONS), None))
        if goals.rows >= 20000:
            goals.flush(connection)
            custom.flush(connection)
    goals.flush(connection)
    custom.flush(connection)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('cs_goals', 'id'), (SELECT max(id) FROM cs_goals))")
    connection.commit()
    connection.close()


def fetch_body(statuses):
    return {"select": ["Gsid", "Name", "StatusId", "DueDate", "region__gc"],
            "where": {"conditions": [
                {"fieldName": "StatusId", "operator": "IN", "value": [statuses["On Track"], statuses["At Risk"]],
                 "alias": "A"},
                {"fieldName": "DueDate", "operator": "GTE", "value": ["2025-07-01"], "alias": "B"}],
                "expression": "A AND B"},
            "pageSize": PAGE, "pageNumber": 1}


def picklists(api, token):
    """({status name: gsid}, the first goal type's gsid) of a workspace."""
    headers = {"Authorization": "Bearer " + token}
    statuses = {p["name"]: p["gsid"] for p in api.get(
        "/v1/csgoal/external/admin/picklist?picklistCategory=GOAL_STATUS", headers=headers).json()["data"]["picklists"]}
    goal_type = api.get("/v1/csgoal/external/admin/picklist", headers=headers).json()["data"]["picklists"][0]["gsid"]
    return statuses, goal_type


def rotating(tokens):
    """Request headers for request i, round robin over the callers' tokens."""
    headers = [{"Authorization": "Bearer " + token} for token in tokens]
    return lambda i: headers[i % len(headers)]


def run(bench, quick):
    """Scenario module of `make bench` (bench/run.py): the fetch on the big workspace through the
    harness's phases, and the small-versus-big comparison kept in its row's JSON."""
    big_count = 20_000 if quick else 100_000
    loader = DatasetLoader(bench.env.api, bench.env.database_urls, os.environ["JWT_SECRET"], log=bench.log)
    url, cases = bench.env.database_urls["goals"], {}
    for label, count, users in (("small", 1_000, 40), ("big", big_count, 200)):
        ws = loader.users_workspace("csgoals-{}".format(label), users)
        statuses, goal_type = picklists(bench.env.api, ws.owner.token)
        load_goals(url, ws.id, ws.owner.uuid, list(statuses.values())[:4], goal_type, count, seed=count)
        cases[label] = {"headers": rotating([caller.token for caller in ws.callers]), "body": fetch_body(statuses),
                        "goals": count}
    vacuum_analyze(url)
    seconds, warmup = (6, 1) if quick else (20, 2)
    comparison, _ = measure(bench.env.system.base_url, cases, seconds, warmup, connections=2)
    big = cases["big"]
    row = bench.measure("customer_goals_fetch", lambda i: ("POST", "/v1/csgoal/external/fetch", big["headers"](i),
                                                           big["body"]))
    row["compared_with_1k"] = {"results": comparison, "big_over_small": {
        p: round(comparison["big"][p] / comparison["small"][p], 2) for p in ("p50_ms", "p99_ms")}}
    return {"customer_goals_fetch": row}


def measure(base_url, cases, seconds, warmup, connections):
    """Latencies of each case's fetch, the cases' requests interleaved in one closed loop (so a busy
    moment of the machine falls on both sizes alike): {label: summary with `not_a_full_page`}."""
    labels = list(cases)
    started, latencies, short_pages = {}, {label: [] for label in labels}, {label: 0 for label in labels}
    began = time.perf_counter()

    def make_request(i):
        started[i] = time.perf_counter()
        case = cases[labels[i % len(labels)]]
        return "POST", "/v1/csgoal/external/fetch", case["headers"](i // len(labels)), case["body"]

    def on_response(i, status, data, finished):
        label, start = labels[i % len(labels)], started.pop(i)
        if start - began < warmup:
            return
        latencies[label].append((finished - start) * 1000)
        if status != 200 or data.count(b'"dataList"') != PAGE:
            short_pages[label] += 1

    overall = loadgen.saturate(base_url, make_request, connections=connections, seconds=seconds, warmup=warmup,
                               on_response=on_response)
    return {label: dict(summarize(latencies[label]), not_a_full_page=short_pages[label],
                        requests_per_second=round(len(latencies[label]) / seconds, 1)) for label in labels}, overall


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="8 s of interleaved requests instead of 40")
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--connections", type=int, default=2)
    args = parser.parse_args()
    seconds, warmup = (8, 1) if args.quick else (40, 3)
    lock = machine_lock()
    with bench_environment(components=["directory", "goals", "gateway"],
                           extra_env={"RATE_LIMIT_PER_SECOND": "1000000"}) as env:
        api, url = env.api, env.database_urls["goals"]
        cases = {}
        for label, count in (("small", args.small), ("big", args.big)):
            workspace = api.signup(workspace="csgoals-{}".format(label))
            statuses, goal_type = picklists(api, workspace.token)
            started = time.monotonic()
            load_goals(url, workspace.workspace["id"], workspace.owner["uuid"], list(statuses.values())[:4], goal_type,
                       count, seed=count)
            vacuum_analyze(url)
            print("loaded {:,} goals in {:.1f}s".format(count, time.monotonic() - started), flush=True)
            cases[label] = {"headers": rotating([workspace.token]), "body": fetch_body(statuses), "goals": count}
        results, overall = measure(env.system.base_url, cases, seconds, warmup, args.connections)
        for label in results:
            results[label]["goals"] = cases[label]["goals"]
    lock.close()
    ratio = {p: round(results["big"][p] / results["small"][p], 2) for p in ("p50_ms", "p99_ms")}
    report = {"page_size": PAGE, "expression": "StatusId IN [On Track, At Risk] AND DueDate >= 2025-07-01",
              "connections": args.connections, "seconds": seconds, "results": results, "big_over_small": ratio,
              "statuses": overall["statuses"], "errors": overall["errors"],
              "within_2x": all(value <= 2 for value in ratio.values())}
    path = write_result("customer_goals", report)
    for label in ("small", "big"):
        r = results[label]
        print("{:>7,} goals  p50 {:>6.1f} ms  p99 {:>6.1f} ms  {:>6.1f} req/s  n {}  short pages {}".format(
            r["goals"], r["p50_ms"], r["p99_ms"], r["requests_per_second"], r["n"], r["not_a_full_page"]))
    print("big / small: p50 x{p50_ms}, p99 x{p99_ms}".format(**ratio), "(within 2x)" if report["within_2x"] else
          "(NOT within 2x)")
    print("written to", path)


if __name__ == "__main__":
    main()
