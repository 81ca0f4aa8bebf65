"""Cost of one opportunity_changed event as the workspace grows (10^4, 10^5 [, 10^6] opportunities).

    .venv/bin/python -m bench.goals_scale            # 10^4 and 10^5 opportunities (a few minutes)
    .venv/bin/python -m bench.goals_scale --full     # and 10^6

A throw-away PostgreSQL database gets the goals schema; opportunities of one workspace and campaign
(10 products, 100 users, every state) and the contributions of 20 goals are bulk-loaded with COPY.
At each size the event handler's work is timed for a mix of updates of existing deals and new deals,
twice: `event` is `consumers.apply_change` + commit (the projection and the goals), `handler` is the
whole consumer body from the decoded JSON message (`consumers.OPPORTUNITY_CHANGED.handle`: the contract
check, apply, commit). Each reports wall time, this process's CPU time, the PostgreSQL backends' CPU
time (from /proc: the server must be local) and SQL statements per event (the commit not counted).
For contrast, a from-scratch recomputation of the workspace-wide goal (what a rescan per event would
cost) is timed too. Afterwards every goal's stored figure is checked against an SQL recomputation.

    --events N     events per size and kind (default 300)
    --write        also write bench/results/goals_scale.json
"""
import argparse
import io
import random
import time
import uuid
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from bench.support import BackendCpu, StatementCounter, machine_lock, migrated_database, summarize, write_result

WS, CAMPAIGN = 1, str(uuid.UUID(int=1))
INPUTS = [str(uuid.UUID(int=100 + i)) for i in range(10)]
STATES = ["won", "won", "won", "open_25", "open_50", "open_75", "open_0", "lost"]
COLUMNS = ("uuid", "version", "workspace_id", "deleted", "deal_id", "name", "user_id", "campaign_uuid", "type",
           "input_uuid", "crop_id", "variety_id", "current_state", "quantity", "unit_id", "value", "value_count",
           "currency_id")


def create_goals(engine):
    """20 goals: per product one workspace-wide goal and one assigned to 10 users."""
    with engine.begin() as connection:
        for index, input_uuid in enumerate(INPUTS):
            for assigned in (False, True):
                goal_id = connection.execute(text(
                    "INSERT INTO goals (uuid, workspace_id, owner_id, owner_uuid, description, campaign_uuid, "
                    "campaign_name, goal_type, goal_subtype, input_uuid, amount, id_unit, assigned, current, forecast, "
                    "progress, progress_int, version, created_at, modified_at) VALUES (:uuid, :ws, 1, :owner, 'bench', "
                    ":campaign, 'bench', 'sale', 'volume', :input, 1000000000, 1, :assigned, 0, 0, 0, 0, 1, now(), "
                    "now()) RETURNING id"), {"uuid": str(uuid.uuid4()), "ws": WS, "owner": str(uuid.uuid4()),
                                              "campaign": CAMPAIGN, "input": input_uuid, "assigned": assigned}).scalar()
                if assigned:
                    for user_id in range(1, 11):
                        connection.execute(text("INSERT INTO goal_members (goal_id, group_id, user_id) "
                                                "VALUES (:g, 0, :u)"), {"g": goal_id, "u": user_id})
                        connection.execute(text("INSERT INTO goal_assignments (goal_id, kind, assignee_id) "
                                                "VALUES (:g, 'user', :u)"), {"g": goal_id, "u": user_id})


def load_opportunities(engine, start, count, rng):
    buffer = io.StringIO()
    for deal_id in range(start, start + count):
        quantity = rng.randint(1, 5000)
        row = (str(uuid.uuid4()), 1, WS, "f", deal_id, "deal {}".format(deal_id), rng.randint(1, 100), CAMPAIGN,
               "sale", INPUTS[deal_id % len(INPUTS)], None, None, rng.choice(STATES), quantity, 1, 10, 1, 840)
        buffer.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
    buffer.seek(0)
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            cursor.copy_expert("COPY opportunities ({}) FROM STDIN".format(", ".join(COLUMNS)), buffer)
        raw.commit()
    finally:
        raw.close()


def rebuild_contributions(engine):
    """Contributions and figures of every goal in SQL (the state the consumer would have built)."""
    weight = ("CASE o.current_state WHEN 'won' THEN 100 WHEN 'open_75' THEN 75 WHEN 'open_50' THEN 50 "
              "WHEN 'open_25' THEN 25 ELSE 0 END")
    with engine.begin() as connection:
        connection.execute(text("TRUNCATE goal_contributions"))
        connection.execute(text(
            "INSERT INTO goal_contributions (goal_id, opportunity_uuid, user_id, state, amount, raw_quantity, "
            "raw_unit_id) SELECT g.id, o.uuid, o.user_id, o.current_state, o.quantity, o.quantity, o.unit_id "
            "FROM goals g JOIN opportunities o ON o.workspace_id = g.workspace_id AND o.campaign_uuid = "
            "g.campaign_uuid AND o.type = g.goal_type AND o.input_uuid = g.input_uuid WHERE NOT o.deleted AND "
            "o.current_state <> 'lost' AND (NOT g.assigned OR EXISTS (SELECT 1 FROM goal_members m WHERE "
            "m.goal_id = g.id AND m.user_id = o.user_id))"))
        connection.execute(text(
            "UPDATE goals g SET current = s.current, forecast = s.forecast FROM (SELECT c.goal_id, "
            "COALESCE(SUM(c.amount) FILTER (WHERE c.state = 'won'), 0) AS current, "
            "SUM(round(c.amount * {} / 100.0, 6)) AS forecast FROM goal_contributions c JOIN opportunities o ON "
            "o.uuid = c.opportunity_uuid GROUP BY c.goal_id) s WHERE s.goal_id = g.id".format(weight)))
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))


def figures_match(engine):
    query = text(
        "SELECT count(*) FROM goals g LEFT JOIN (SELECT c.goal_id, COALESCE(SUM(c.amount) FILTER "
        "(WHERE c.state = 'won'), 0) AS current FROM goal_contributions c GROUP BY c.goal_id) s "
        "ON s.goal_id = g.id WHERE g.current <> COALESCE(s.current, 0)")
    with engine.connect() as connection:
        return connection.execute(query).scalar() == 0


def snapshot(deal_uuid, deal_id, rng):
    return {"id": deal_id, "uuid": deal_uuid, "workspace_id": WS, "user_id": rng.randint(1, 100),
            "name": "deal {}".format(deal_id), "value": Decimal(10), "value_count": Decimal(1), "currency": "USD",
            "currency_id": 840, "current_state": rng.choice(STATES), "type": "sale", "campaign_uuid": CAMPAIGN,
            "input_uuid": rng.choice(INPUTS), "crop_id": None, "variety_id": None,
            "quantity": Decimal(rng.randint(1, 5000)), "unit_id": 1}


def wire_event(deal_uuid, version, data):
    """The decoded JSON body the consumer receives for `data` (decimals as strings, full snapshot)."""
    from tests.support.events import opportunity_event
    fields = {key: (str(value) if isinstance(value, Decimal) else value) for key, value in data.items()
              if key not in ("uuid", "workspace_id")}
    return opportunity_event(WS, version, deal_uuid, **fields)


def time_events(sessions, engine, counter, size, events, rng, kind):
    """`kind` "event": apply_change + commit with a loaded snapshot; "handler": the consumer body with
    the wire payload. Returns (wall ms, cpu ms, statements) per event."""
    from services.goals.consumers import OPPORTUNITY_CHANGED, apply_change
    with engine.connect() as connection:
        existing = [row[0] for row in connection.execute(text(
            "SELECT uuid FROM opportunities TABLESAMPLE SYSTEM (1) LIMIT :n"), {"n": events})]
        versions = dict(connection.execute(text("SELECT uuid, version FROM opportunities WHERE uuid = ANY(:u)"),
                                           {"u": existing}).all())
    durations, cpu, statements, next_id = [], [], [], size * 10 + (0 if kind == "event" else size * 5)
    backend_started = counter.backends.seconds()
    for index in range(events):
        if index % 2 == 0 and existing:
            deal_uuid = existing.pop()
            version = versions.get(deal_uuid, 1) + 1
        else:
            next_id += 1
            deal_uuid, version = str(uuid.uuid4()), 1
        versions[deal_uuid] = version
        data = snapshot(deal_uuid, next_id, rng)
        payload = wire_event(deal_uuid, version, data) if kind == "handler" else None
        before = counter.count
        started, started_cpu = time.perf_counter(), time.process_time()
        with sessions() as session:
            if kind == "handler":
                OPPORTUNITY_CHANGED.handle(session, payload)
            else:
                apply_change(session, deal_uuid, WS, version, data)
                session.commit()
        durations.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        statements.append(counter.count - before)
    return durations, cpu, statements, (counter.backends.seconds() - backend_started) * 1000 / events


def summary(measured):
    durations, cpu, statements, backend_ms = measured
    return dict(summarize(durations), cpu_mean_ms=round(sum(cpu) / len(cpu), 3), postgres_cpu_ms=round(backend_ms, 3),
                statements_mean=round(sum(statements) / len(statements), 2))


def time_rescan(sessions):
    from services.goals.figures import recompute_goal
    from services.goals.models import Goal
    with sessions() as session:
        goal = session.query(Goal).filter(Goal.assigned.is_(False)).order_by(Goal.id).first()
        started = time.perf_counter()
        recompute_goal(session, goal)
        session.commit()
        return (time.perf_counter() - started) * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true", help="also 1,000,000 opportunities")
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--write", action="store_true", help="write bench/results/goals_scale.json")
    args = parser.parse_args()
    lock = machine_lock()  # noqa: F841  (one benchmark per machine; held until the process exits)
    sizes = [10 ** 4, 10 ** 5] + ([10 ** 6] if args.full else [])
    rng = random.Random(42)
    results, loaded = [], 0
    with migrated_database("goals") as url:
        from infra.db import get_engine
        engine = get_engine(url)
        sessions = sessionmaker(engine, expire_on_commit=False)
        counter = StatementCounter(engine)
        counter.backends = BackendCpu(engine)
        try:
            create_goals(engine)
            for size in sizes:
                started = time.perf_counter()
                load_opportunities(engine, loaded + 1, size - loaded, rng)
                loaded = size
                rebuild_contributions(engine)
                load_seconds = time.perf_counter() - started
                event = summary(time_events(sessions, engine, counter, size, args.events, rng, "event"))
                handler = summary(time_events(sessions, engine, counter, size, args.events, rng, "handler"))
                rescan_ms = time_rescan(sessions)
                entry = {"opportunities": size, "load_seconds": round(load_seconds, 1), "event": event,
                         "handler": handler, "rescan_one_goal_ms": round(rescan_ms, 1),
                         "figures_match_contributions": figures_match(engine)}
                results.append(entry)
                for name in ("event", "handler"):
                    print("{:>9} opportunities: {:<7} p50 {} ms p99 {} ms mean {} ms | cpu {} ms, postgres {} ms | {} "
                          "statements".format(size, name, entry[name]["p50_ms"], entry[name]["p99_ms"],
                                              entry[name]["mean_ms"], entry[name]["cpu_mean_ms"],
                                              entry[name]["postgres_cpu_ms"], entry[name]["statements_mean"]))
                print("{:>9} opportunities: one goal rescan {} ms | figures ok: {}".format(
                    size, entry["rescan_one_goal_ms"], entry["figures_match_contributions"]))
        finally:
            engine.dispose()
    if args.write:
        print("written to", write_result("goals_scale", {
            "what": "apply one opportunity_changed (projection + affected goals) + commit, and the whole consumer "
                    "body from the JSON message, PostgreSQL, 20 goals in the campaign", "runs": results}))

if __name__ == "__main__":
    main()
