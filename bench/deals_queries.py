"""Deals index, search and stats stay indexed queries.

    .venv/bin/python -m bench.deals_queries [--scale S] [--repeat R]

Measures, through the gateway (HTTP p50) and in PostgreSQL itself (EXPLAIN ANALYZE execution time):
  1. workspace A with N deals, no other workspace has deals          (baseline)
  2. the same workspace A after 20·N deals were added to other ones   (must stay flat)
  3. workspace B with 10·N deals                                      (at most linear; paged index ~flat)
N = 1000 × scale. Filler deals are inserted straight into the deals database (the benchmark is about
reads); the measured workspaces are real sign-ups. Results go to bench/results/deals_queries-<date>.json.
"""
import argparse
import random
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import create_engine, insert, text

from bench.support import bench_environment, summarize, time_calls, write_result
from services.deals import domain, store
from services.deals.models import Deal

WORDS = ["Prozess", "Mähdrescher", "Beratung", "Wartung", "Saatgut", "Dünger", "Lizenz", "Schulung", "Ernte",
         "Traktor", "Pflanzenschutz", "Bewässerung", "Software", "Service", "Logistik", "Lager"] + \
        ["Artikel{:03d}".format(i) for i in range(184)]  # 200 first words: "prozess" matches ~0.5 %
STATES = ("open_0", "open_25", "open_50", "open_75", "won", "lost")
CASES = {
    "index": ("/api/deals.json", {"perpage": "25"}),
    "index_page_20": ("/api/deals.json", {"perpage": "25", "page": "20"}),
    "index_filtered": ("/api/deals.json", {"filter[current_state]": "won", "order": "created_at-desc"}),
    "search": ("/api/deals/search.json", {"name": "Prozess"}),
    "stats": ("/api/deals/stats.json", {}),
}


def seed(engine, workspace_id, user_id, count, rng):
    now = datetime(2024, 1, 1)
    rows = []
    for number in range(count):
        name = "{} {} {}".format(rng.choice(WORDS), rng.randrange(10 ** 6), number)
        state = rng.choice(STATES)
        moment = now + timedelta(seconds=number)
        rows.append({"uuid": str(uuid.uuid4()), "workspace_id": workspace_id, "user_id": user_id, "name": name,
                     "name_search": domain.search_key(name), "value": Decimal(rng.randrange(100, 100000)),
                     "value_type": "Total", "value_count": Decimal(1), "currency": "EUR",
                     "target_date": date(2025, 1, 1), "current_state": state, "type": "sale",
                     "finished_at": moment if state in ("won", "lost") else None,
                     "created_at": moment, "updated_at": moment, "version": 1})
        if len(rows) == 5000:
            _flush(engine, rows)
    _flush(engine, rows)


def _flush(engine, rows):
    if rows:
        with engine.begin() as connection:
            connection.execute(insert(Deal.__table__), rows)
        rows.clear()


def measure(api, token, repeat):
    results = {}
    for case, (path, params) in CASES.items():
        def call():
            response = api.get(path, token=token, params=params)
            assert response.status_code == 200, response.text
        for _ in range(5):  # warm up connections and caches
            call()
        results[case] = summarize(time_calls(call, repeat))
    return results


def explain(engine, workspace_id, user_id, repeat=5):
    """EXPLAIN ANALYZE of the service's own statements: plan nodes and best execution time (ms)."""
    query = domain.parse_query({"perpage": "25"}, user_id)
    page_20 = domain.parse_query({"perpage": "25", "page": "20"}, user_id)
    filtered = domain.parse_query({"filter[current_state]": "won", "order": "created_at-desc"}, user_id)
    statements = {
        "index": store.page_statements(workspace_id, query)[0],
        "index_count": store.page_statements(workspace_id, query)[1],
        "index_page_20": store.page_statements(workspace_id, page_20)[0],
        "index_filtered": store.page_statements(workspace_id, filtered)[0],
        "search": store.search_statement(workspace_id, "Prozess", 25),
        "stats": store.stats_statement(workspace_id, domain.parse_query({}, user_id), "EUR"),
    }
    plans = {}
    with engine.connect() as connection:
        for case, statement in statements.items():
            sql = str(statement.compile(engine, compile_kwargs={"literal_binds": True}))
            best, lines = None, []
            for _ in range(repeat):
                lines = [row[0] for row in connection.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + sql))]
                ms = float([line for line in lines if line.startswith("Execution Time")][0].split()[2])
                best = ms if best is None else min(best, ms)
            plans[case] = {"execution_ms": best,
                           "scans": [line.strip() for line in lines if "Scan" in line or "Sort" in line]}
    return plans


def ratios(after, before, key):
    return {case: round(after[case][key] / max(before[case][key], 1e-6), 2) for case in before}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="N = 1000 × scale deals in the measured workspace")
    parser.add_argument("--repeat", type=int, default=40, help="timed HTTP calls per case")
    args = parser.parse_args()
    n = max(10, int(1000 * args.scale))
    rng = random.Random(7)
    with bench_environment(components=["directory", "deals", "gateway"]) as env:
        engine = create_engine(env.database_urls["deals"])
        a, b = env.api.signup(), env.api.signup()
        a_ws, a_user = a.workspace["id"], a.owner["id"]
        b_ws, b_user = b.workspace["id"], b.owner["id"]

        def snapshot(label, ws, user, token):
            with engine.begin() as connection:
                connection.execute(text("ANALYZE deals"))
            print("measuring {} ...".format(label))
            return {"http": measure(env.api, token, args.repeat), "db": explain(engine, ws, user)}

        seed(engine, a_ws, a_user, n, rng)
        baseline = snapshot("A: N deals, others empty", a_ws, a_user, a.token)
        for other in range(20):  # 20·N deals in 20 other workspaces
            seed(engine, 10 ** 6 + other, 1, n, rng)
        crowded = snapshot("A: N deals, 20·N in other workspaces", a_ws, a_user, a.token)
        seed(engine, b_ws, b_user, 10 * n, rng)
        large = snapshot("B: 10·N deals", b_ws, b_user, b.token)
        engine.dispose()

    result = {
        "n": n, "scale": args.scale, "repeat": args.repeat,
        "A_alone": baseline, "A_with_other_workspaces": crowded, "B_10n": large,
        "ratios": {
            "other_workspaces_http_p50": ratios(crowded["http"], baseline["http"], "p50_ms"),
            "other_workspaces_db_ms": ratios(crowded["db"], baseline["db"], "execution_ms"),
            "ten_times_within_http_p50": ratios(large["http"], baseline["http"], "p50_ms"),
            "ten_times_within_db_ms": ratios(large["db"], baseline["db"], "execution_ms"),
        },
    }
    path = write_result("deals_queries", result)
    print_report(result, path)


def print_report(result, path):
    print("\nN = {} deals; HTTP p50 in ms through the gateway, DB = EXPLAIN ANALYZE execution ms".format(result["n"]))
    print("{:<16}{:>10}{:>10}{:>8}{:>10}{:>8}   {:>9}{:>9}{:>7}{:>9}{:>7}".format(
        "case", "A http", "A+oth", "ratio", "B(10N)", "ratio", "A db", "A+oth", "ratio", "B db", "ratio"))
    base, crowd, large = result["A_alone"], result["A_with_other_workspaces"], result["B_10n"]
    for case in CASES:
        print("{:<16}{:>10.2f}{:>10.2f}{:>8.2f}{:>10.2f}{:>8.2f}   {:>9.3f}{:>9.3f}{:>7.2f}{:>9.3f}{:>7.2f}".format(
            case, base["http"][case]["p50_ms"], crowd["http"][case]["p50_ms"],
            result["ratios"]["other_workspaces_http_p50"][case], large["http"][case]["p50_ms"],
            result["ratios"]["ten_times_within_http_p50"][case], base["db"][case]["execution_ms"],
            crowd["db"][case]["execution_ms"], result["ratios"]["other_workspaces_db_ms"][case],
            large["db"][case]["execution_ms"], result["ratios"]["ten_times_within_db_ms"][case]))
    count = "index_count"
    print("{:<16}{:>41}   {:>9.3f}{:>9.3f}{:>7.2f}{:>9.3f}{:>7.2f}".format(
        count, "(X-Total-Count)", base["db"][count]["execution_ms"], crowd["db"][count]["execution_ms"],
        result["ratios"]["other_workspaces_db_ms"][count], large["db"][count]["execution_ms"],
        result["ratios"]["ten_times_within_db_ms"][count]))
    print("\nplans (B, 10·N):")
    for case, plan in large["db"].items():
        print("  {:<15} {}".format(case, " | ".join(plan["scans"])))
    print("\nwritten to {}".format(path))


if __name__ == "__main__":
    main()
