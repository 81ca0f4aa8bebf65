"""Batched consumption through the real broker (infra.batching.BatchedEventHandler): events that wait
in the goals consumer's queue together, a poison message among them, are settled one by one: the
poison message alone in the dead-letter queue, every other one applied (duplicates and reordering
harmless)."""
import uuid

from infra.consumers import dead_letter_queue_name
from services.goals.tests.support import INPUT, QUEUE, run_cli, wait_for
from services.goals.tests.test_faults import dead_letters
from tests.support.events import opportunity_event


def test_events_waiting_together_are_applied_and_a_poison_one_among_them_is_dead_lettered_alone(
        goals, publisher, system, test_env):
    goal = goals.create(amount=1000)
    workspace_id = goals.ws.workspace["id"]

    def event(deal, version, **fields):
        return opportunity_event(workspace_id, version, deal, **dict(
            {"campaign_uuid": goals.campaign["uuid"], "input_uuid": INPUT, "current_state": "won", "unit_id": 1},
            **fields))

    a, b, c = (str(uuid.uuid4()) for _ in range(3))
    poison = dict(event(str(uuid.uuid4()), 1, quantity="1000"), version=0)  # not the contract
    stream = [event(a, 1, quantity="10"), poison, event(b, 1, quantity="20"), event(a, 1, quantity="10"),
              event(b, 2, quantity="25"), event(c, 2, quantity="7"), event(c, 1, quantity="99")]
    system.stop_component("goals")  # the events wait in its queue, and arrive together
    try:
        for payload in stream:
            publisher.publish(payload)
    finally:
        system.start_component("goals")
        system.wait_healthy()
    goals.wait_current(goal["uuid"], 10 + 25 + 7)
    dead = wait_for(lambda: dead_letters(test_env.vhost, dead_letter_queue_name(QUEUE)),
                    lambda found: any(m.get("event_id") == poison["event_id"] for m in found))
    ours = {m.get("event_id") for m in dead} & {m["event_id"] for m in stream}
    assert ours == {poison["event_id"]}
    code, output = run_cli("reconcile", "--local", "--workspace", str(workspace_id))  # against the projection
    assert code == 0 and "0 with drift" in output, output
