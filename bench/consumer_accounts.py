"""Cost of one `deals.opportunity_changed` message in the accounts consumer.

    .venv/bin/python -m bench.consumer_accounts [--accounts 10000] [--events 2000] [--write]

A throw-away PostgreSQL database gets the accounts schema and `--accounts` accounts in one workspace.
Then `--events` messages (decoded JSON bodies, as the consumer receives them) go through the consumer's
body (`services.accounts.consumers.OPPORTUNITY_CHANGED.handle`: contract load, projection row, counters,
commit), one at a time: new deals, updates of deals seen before (state, type, account moves, older
versions that must change nothing) and deletes. Reported per message: wall time, this process's CPU
time, the PostgreSQL backends' CPU time (local server) and SQL statements (the commit not counted).
Afterwards the counters are checked against `projection.recount`. `--write`: bench/results/consumer_accounts.json.
"""
import argparse
import random
import time
import uuid

from sqlalchemy import select, text
from sqlalchemy.orm import sessionmaker

from bench.support import BackendCpu, StatementCounter, machine_lock, migrated_database, summarize, write_result

WS = 1
STATES = ["open_0", "open_25", "open_50", "open_75", "won", "lost"]
TYPES = ["sale", "purchase", "exchange"]


def load_accounts(engine, count):
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO accounts (uuid, workspace_id, owner_id, country, tax_id, tax_key, name, draft, created_date, "
            "field_count, total_hectares, open_total, won_total, lost_total, opp_open_sale, opp_open_purchase, "
            "opp_open_exchange, opp_won_sale, opp_won_purchase, opp_won_exchange, opp_lost_sale, opp_lost_purchase, "
            "opp_lost_exchange) SELECT md5(:ws || '-' || i)::uuid::text, :ws, 1, 1, lpad(i::text, 11, '0'), "
            "lpad(i::text, 11, '0'), 'Account ' || i, false, now(), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 "
            "FROM generate_series(1, :n) AS i"), {"ws": WS, "n": count})
        uuids = [row[0] for row in connection.execute(text("SELECT uuid FROM accounts WHERE workspace_id = :ws"),
                                                      {"ws": WS})]
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    return uuids


def messages(accounts, count, rng):
    """Contract-valid payloads: ~45% new deals, ~40% updates, ~5% stale versions, ~10% deletes."""
    from tests.support.events import opportunity_event
    deals = {}  # uuid -> last version
    for _ in range(count):
        roll = rng.random()
        if roll < 0.45 or len(deals) < 10:
            deal, version, change = str(uuid.uuid4()), 1, None
        elif roll < 0.85:
            deal = rng.choice(list(deals))
            version, change = deals[deal] + 1, None
        elif roll < 0.90:
            deal = rng.choice(list(deals))
            version, change = max(1, deals[deal] - 1), None
        else:
            deal = rng.choice(list(deals))
            version, change = deals[deal] + 1, "deleted"
        deals[deal] = max(deals.get(deal, 0), version)
        fields = {} if change else {"account_uuid": rng.choice(accounts), "current_state": rng.choice(STATES),
                                    "type": rng.choice(TYPES)}
        yield opportunity_event(WS, version, deal, change, **fields)


def counters_match(sessions):
    from services.accounts.models import Account
    from services.accounts.schemas import counters
    from services.accounts.store import projection
    with sessions() as db:
        expected = projection.recount(db, WS)
        for account in db.scalars(select(Account).where(Account.workspace_id == WS)):
            kept = {key: value for key, value in counters(account).items() if value}
            if kept != expected.get(account.uuid, {}):
                return False
    return True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=10000)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--write", action="store_true", help="write bench/results/consumer_accounts.json")
    args = parser.parse_args()
    lock = machine_lock()  # noqa: F841  (one benchmark per machine; held until the process exits)
    from infra.db import get_engine
    from services.accounts.consumers import OPPORTUNITY_CHANGED
    with migrated_database("accounts") as url:
        engine = get_engine(url)
        sessions = sessionmaker(engine, expire_on_commit=False)
        backends = BackendCpu(engine)  # before the first connection
        try:
            accounts = load_accounts(engine, args.accounts)
            counter = StatementCounter(engine)
            backend_started = backends.seconds()
            durations, cpu, statements = [], [], []
            for payload in messages(accounts, args.events, random.Random(7)):
                before = counter.count
                started, started_cpu = time.perf_counter(), time.process_time()
                with sessions() as db:
                    OPPORTUNITY_CHANGED.handle(db, payload)
                durations.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
                statements.append(counter.count - before)
            result = dict(summarize(durations), cpu_mean_ms=round(sum(cpu) / len(cpu), 3),
                          postgres_cpu_ms=round((backends.seconds() - backend_started) * 1000 / len(durations), 3),
                          statements_mean=round(sum(statements) / len(statements), 2))
            matches = counters_match(sessions)
        finally:
            engine.dispose()
    print("accounts consumer: {} messages, p50 {} ms p99 {} ms mean {} ms | cpu {} ms, postgres {} ms | {} statements "
          "| counters = recount: {}".format(result["n"], result["p50_ms"], result["p99_ms"], result["mean_ms"],
                                            result["cpu_mean_ms"], result["postgres_cpu_ms"], result["statements_mean"],
                                            matches))
    if args.write:
        print("written to", write_result("consumer_accounts", {
            "what": "one opportunity_changed message through the accounts consumer body + commit, PostgreSQL",
            "accounts": args.accounts, "message": result, "counters_match_recount": matches}))

if __name__ == "__main__":
    main()
