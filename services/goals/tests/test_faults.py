"""Faults with the real broker: redelivered and reordered events, the goals service killed and
restarted mid-stream, and the resync/reconcile commands."""
import random

from sqlalchemy import text

from services.goals.tests.support import assert_stays, run_cli, wait_for


def drift_free(ws):
    code, output = run_cli("reconcile", "--workspace", str(ws.workspace["id"]))
    assert code == 0 and "0 with drift" in output, output


def test_duplicated_and_reordered_real_events_leave_the_same_figures(goals, deals, deal_tap, publisher):
    goal = goals.create(amount=1000)
    a, b = deals.create(quantity="100"), deals.create(quantity="50", current_state="open_25")
    deals.update(a["id"], quantity="150")
    deals.update(b["id"], current_state="won")
    deals.update(a["id"], current_state="lost")
    c = deals.create(quantity="1", unit_id=2)
    deals.delete(c["id"])
    settled = goals.wait_current(goal["uuid"], 50)
    events = wait_for(deal_tap.drain, lambda seen: len(seen) >= 7)
    replay = events * 2
    random.Random(7).shuffle(replay)
    for event in replay:  # every event twice more, in a shuffled (mostly wrong) order
        publisher.publish(event)
    marker = deals.create(quantity="5")  # goes through the same queue after the replay
    goals.wait_current(goal["uuid"], 55)
    detail = goals.detail(goal["uuid"])
    assert {o["id"] for o in detail["operations"]} == {b["id"], marker["id"]}
    assert detail["forecast"] == settled["forecast"] + 5
    assert_stays(lambda: goals.detail(goal["uuid"])["current"], 55)
    drift_free(goals.ws)


def test_goals_killed_mid_stream_loses_nothing(goals, deals, system):
    goal = goals.create(amount=1000)
    kept = deals.create(quantity="100")
    goals.wait_current(goal["uuid"], 100)
    system.kill_component("goals")
    try:
        made = [deals.create(quantity=str(10 * i)) for i in range(1, 6)]  # 10..50
        deals.update(made[0]["id"], current_state="lost")
        deals.delete(made[1]["id"])
        deals.update(kept["id"], quantity="200", unit_id=1)
    finally:
        system.start_component("goals")
        system.wait_healthy()
    detail = goals.wait_current(goal["uuid"], 200 + 30 + 40 + 50, timeout=30)
    assert len(detail["operations"]) == 4
    drift_free(goals.ws)


def test_reconcile_reports_a_drifted_goal_and_resync_repairs_it(goals, deals, goals_db):
    goal = goals.create(amount=1000)
    deals.create(quantity="70")
    goals.wait_current(goal["uuid"], 70)
    with goals_db.begin() as connection:
        connection.execute(text("UPDATE goals SET current = current + 1 WHERE uuid = :uuid"), {"uuid": goal["uuid"]})
    code, output = run_cli("reconcile", "--workspace", str(goals.ws.workspace["id"]))
    assert code == 1
    assert "DRIFT goal {}".format(goal["uuid"]) in output and "stored current 71" in output, output
    code, output = run_cli("resync", "--workspace", str(goals.ws.workspace["id"]))
    assert code == 0 and "resync:" in output, output
    assert goals.detail(goal["uuid"])["current"] == 70
    drift_free(goals.ws)
