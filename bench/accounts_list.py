"""Benchmark: listing accounts with opportunity counts, contacts and fields through the gateway.

One workspace holds 100,000 accounts (every one with counters, two contacts and a field), another
100. We time pages of 100 through `POST /api/sales/accounts/`: the first page and a deep page
(cursor at row 90,000) of the big workspace, the `openDeals` filter, against the first page of the
small one. The claim: a page costs about the same whatever the workspace's size (keyset pages, counts
read from per-account counters, one directory call per page).

The rate limit (10/s per caller) would throttle one caller: the benchmark raises it with the config
knob RATE_LIMIT_PER_SECOND=1000000 (the limiter still runs, Redis round trip included).

    .venv/bin/python -m bench.accounts_list [--accounts 100000] [--repeat 60]
"""
import argparse

import psycopg2

from bench.support import bench_environment, summarize, time_calls, write_result
from infra.cursors import encode_cursor

PAGE = 100

LOAD = """
INSERT INTO accounts (uuid, workspace_id, owner_id, country, tax_id, tax_key, name, draft, created_date,
                      field_count, total_hectares, open_total, won_total, lost_total,
                      opp_open_sale, opp_open_purchase, opp_open_exchange, opp_won_sale, opp_won_purchase,
                      opp_won_exchange, opp_lost_sale, opp_lost_purchase, opp_lost_exchange)
SELECT md5(%(ws)s || '-' || i)::uuid::text, %(ws)s, %(owner)s, 1 + i %% 3, lpad(i::text, 11, '0'),
       lpad(i::text, 11, '0'), 'Account ' || lpad(i::text, 7, '0'), false, now(),
       1, 10 + i %% 500, i %% 3 + i %% 2, i %% 4, i %% 5,
       i %% 3, i %% 2, 0, i %% 4, 0, 0, 0, 0, i %% 5
FROM generate_series(1, %(n)s) AS i;
INSERT INTO account_contacts (account_id, workspace_id, contact_uuid, first_name, last_name, start_date)
SELECT a.id, a.workspace_id, md5(a.uuid || '-' || c)::uuid::text, 'Contact' || c, 'Of ' || a.name,
       now() - (c || ' days')::interval
FROM accounts a CROSS JOIN generate_series(1, 2) AS c WHERE a.workspace_id = %(ws)s;
INSERT INTO account_fields (account_id, workspace_id, field_uuid, farm_uuid, hectares)
SELECT a.id, a.workspace_id, md5(a.uuid || '-field')::uuid::text, NULL, a.total_hectares
FROM accounts a WHERE a.workspace_id = %(ws)s;
"""


def load_accounts(database_url, workspace, count):
    connection = psycopg2.connect(database_url)
    with connection, connection.cursor() as cursor:
        cursor.execute(LOAD, {"ws": workspace.workspace["id"], "owner": workspace.owner["id"], "n": count})
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()


def cursor_at(database_url, workspace, row):
    """The opaque cursor a client would hold after reading `row` accounts (same keyset the service uses)."""
    connection = psycopg2.connect(database_url)
    with connection, connection.cursor() as cursor:
        cursor.execute("SELECT name, id FROM accounts WHERE workspace_id = %s AND deleted_at IS NULL "
                       "ORDER BY name, id OFFSET %s LIMIT 1", (workspace.workspace["id"], row - 1))
        name, account_id = cursor.fetchone()
    connection.close()
    return encode_cursor([name, account_id])


def lister(api, token, filters):
    def call():
        response = api.post("/api/sales/accounts/", {"filters": filters}, token=token)
        assert response.status_code == 200, response.text
        body = response.json()
        assert 0 < len(body["data"]) <= PAGE and "opportunities" in body["data"][0], body
    return call


def measure(call, repeat):
    time_calls(call, 5)  # warm-up: connections, plans, caches
    return summarize(time_calls(call, repeat))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=60)
    args = parser.parse_args()
    with bench_environment(components=["directory", "accounts", "gateway"],
                           extra_env={"RATE_LIMIT_PER_SECOND": "1000000"}) as env:
        api, url = env.api, env.database_urls["accounts"]
        big, small = api.signup(workspace="big"), api.signup(workspace="small")
        load_accounts(url, big, args.accounts)
        load_accounts(url, small, 100)
        deep = cursor_at(url, big, int(args.accounts * 0.9))
        cases = {
            "small_first_page": lister(api, small.token, {"page_size": PAGE}),
            "big_first_page": lister(api, big.token, {"page_size": PAGE}),
            "big_deep_page": lister(api, big.token, {"page_size": PAGE, "page": deep}),
            "small_open_deals": lister(api, small.token, {"page_size": PAGE, "opportunities_state": ["openDeals"]}),
            "big_open_deals": lister(api, big.token, {"page_size": PAGE, "opportunities_state": ["openDeals"]}),
        }
        results = {name: measure(call, args.repeat) for name, call in cases.items()}
    base = results["small_first_page"]["p50_ms"]
    ratios = {name: round(result["p50_ms"] / base, 2) for name, result in results.items()}
    report = {"accounts_big": args.accounts, "accounts_small": 100, "page_size": PAGE, "results": results,
              "p50_ratio_to_small_first_page": ratios,
              "rate_limit": "RATE_LIMIT_PER_SECOND=1000000 (limiter and its Redis call still run)"}
    path = write_result("accounts_list", report)
    for name, result in results.items():
        print("{:<18} p50 {:>7.1f} ms  p95 {:>7.1f} ms  ratio {:>5.2f}".format(name, result["p50_ms"], result["p95_ms"],
                                                                            ratios[name]))
    print("written to", path)


if __name__ == "__main__":
    main()
