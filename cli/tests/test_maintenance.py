"""crm reconcile, resync and dead-letters against the running system: drift put into the goals and
accounts databases is reported (exit code 1) and repaired by resync; a real dead-lettered event is
listed and replayed to the queue it died in. make reconcile / replay-dead-letters run the same
commands."""
import os
import subprocess
import time

from sqlalchemy import create_engine, text

from cli.errors import PROBLEM
from cli.tests.conftest import rows_of
from infra.consumers import dead_letter_queue_name
from infra.deadletters import DeadLetters
from infra.processes import ROOT
from tests.support.events import EventPublisher, opportunity_event, wait_for

GOALS_QUEUE = "evt-deals-opportunity_changed--goals.handle_opportunity_changed"
ACCOUNTS_QUEUE = "evt-deals-opportunity_changed--accounts.handle_opportunity_changed"


def demo_workspace(crm):
    out = crm.ok("demo-data", "--size", "small")
    return {row[0]: row[1] for row in rows_of(out)}["workspace id"]


def settled(crm, workspace):
    """Waits until every deal event of the workspace is consumed: reconcile finds no drift."""
    return wait_for(lambda: crm("reconcile", "--workspace", workspace), lambda result: result[0] == 0, timeout=60,
                    interval=1.0)


def test_reconcile_reports_drift_and_resync_repairs_it(crm, test_env):
    workspace = demo_workspace(crm)
    _, out, _ = settled(crm, workspace)
    assert "0 with drift" in out.splitlines()[0] and "0 with drift" in out.splitlines()[1], out

    goals_db, accounts_db = (create_engine(test_env.database_urls[name]) for name in ("goals", "accounts"))
    with goals_db.begin() as connection:
        goal = connection.execute(text("SELECT uuid FROM goals WHERE workspace_id = :ws ORDER BY id LIMIT 1"),
                                  {"ws": int(workspace)}).scalar()
        connection.execute(text("UPDATE goals SET current = current + 7 WHERE uuid = :uuid"), {"uuid": goal})
    with accounts_db.begin() as connection:
        account = connection.execute(text("SELECT uuid FROM accounts WHERE workspace_id = :ws ORDER BY id LIMIT 1"),
                                     {"ws": int(workspace)}).scalar()
        connection.execute(text("UPDATE accounts SET opp_won_sale = opp_won_sale + 2, won_total = won_total + 2 "
                                "WHERE uuid = :uuid"), {"uuid": account})

    code, out, err = crm("reconcile", "--workspace", workspace)
    assert code == PROBLEM, (out, err)
    assert "DRIFT goal {} (workspace {})".format(goal, workspace) in out, out
    assert "DRIFT account {} (workspace {}): opp_won_sale stored".format(account, workspace) in out, out
    code, out, err = crm("reconcile", "--workspace", workspace, "--service", "goals", "--local")
    assert code == PROBLEM and "DRIFT goal" in out and "DRIFT account" not in out, (out, err)

    out = crm.ok("resync", "--workspace", workspace)
    assert [line.split(":")[0] for line in out.splitlines()] == ["resync", "resync"], out
    done = subprocess.run(["make", "-s", "reconcile", "ARGS=--workspace {}".format(workspace)], cwd=ROOT,
                          env=crm.env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("0 with drift") == 2, done.stdout


def test_maintenance_failures_are_one_line_with_exit_code_4(crm):
    code, out, err = crm("reconcile", "--service", "accounts", AMQP_URI="amqp://guest:guest@127.0.0.1:9/")
    assert code == 4, (out, err)
    assert err.startswith("crm: accounts reconcile failed: ") and len(err.strip().splitlines()) == 1, err
    assert "broker amqp://guest:***@127.0.0.1:9/" in err, err


def test_a_dead_lettered_event_is_listed_and_replayed(crm, test_env):
    poison = opportunity_event(1, 1)
    poison["snapshot"]["current_state"] = "not-a-state"  # refused by both consumers' contract: dead-lettered
    publisher = EventPublisher(test_env.amqp_uri)
    try:
        publisher.publish(poison)
    finally:
        publisher.close()
    letters = DeadLetters(test_env.amqp_uri)

    def ids(queue):
        return [letter.event_id for letter in letters.peek(queue, 1000)]
    wait_for(lambda: ids(GOALS_QUEUE), lambda found: poison["event_id"] in found)

    out = crm.ok("dead-letters", "list", "--queue", GOALS_QUEUE)
    tables = out.split("# ")
    assert dead_letter_queue_name(GOALS_QUEUE) + "\t" in tables[1], out  # the queue with its count
    letter = [row for row in rows_of(tables[2]) if row[1] == poison["event_id"]]
    assert letter and letter[0][0] == "opportunity_changed" and letter[0][3] == "rejected", out
    out = crm.ok("dead-letters", "list")  # every dead-letter queue, found through the management API
    assert dead_letter_queue_name(ACCOUNTS_QUEUE) in out and dead_letter_queue_name(GOALS_QUEUE) in out, out

    def died_at():
        return [item.died_at for item in letters.peek(GOALS_QUEUE, 1000) if item.event_id == poison["event_id"]]
    first_death = died_at()[0]
    time.sleep(1.1)  # the broker stamps deaths to the second
    out = crm.ok("dead-letters", "replay", "--queue", GOALS_QUEUE, "--event-id", poison["event_id"])
    assert "replayed to {}".format(GOALS_QUEUE) in out and "1 replayed" in out, out
    # back on the goals consumer's queue, still poison: refused again, dead-lettered anew
    wait_for(died_at, lambda deaths: len(deaths) == 1 and deaths[0] > first_death)
    done = subprocess.run(["make", "-s", "replay-dead-letters", "ARGS=list --queue {}".format(ACCOUNTS_QUEUE)],
                          cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and poison["event_id"] in done.stdout, done.stdout + done.stderr


def test_replaying_an_unknown_event_id_is_exit_code_1(crm):
    code, out, err = crm("dead-letters", "replay", "--queue", GOALS_QUEUE, "--event-id", "no-such-event")
    assert code == PROBLEM and "no dead letter with event id no-such-event" in out, (out, err)
