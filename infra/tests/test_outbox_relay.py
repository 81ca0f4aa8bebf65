"""infra.outbox.OutboxRelay.relay_batch against the real broker: confirmed rows are marked sent even
when a later publish of the batch fails; a row nobody can receive yet neither blocks the rows after
it nor is lost: it waits for the retry pass. Each test runs with confirms awaited one publish at a
time (window 1) and pipelined over the whole batch (the default window)."""

import pytest
from kombu import Connection, Queue
from nameko.standalone.events import get_event_exchange

from infra.confirms import ConfirmingChannel
from infra.outbox import OutboxRelay
from infra.tests.outbox_support import add_rows, drain, marks, sqlite_relay


@pytest.fixture(params=[1, OutboxRelay.confirm_window], ids=["window-1", "pipelined"])
def relay(tmp_path, test_env, request):
    relay, table, engine = sqlite_relay(
        tmp_path / "outbox.db", test_env.amqp_uri, get_event_exchange("deals-tests-relay", {})
    )
    relay.confirm_window = request.param
    with Connection(test_env.amqp_uri) as connection:
        queue = Queue("deals-tests-relay.routed", exchange=relay.exchange, routing_key="routed", auto_delete=True)
        channel = connection.channel()
        relay.exchange(channel).declare()
        bound = queue(channel)
        bound.declare()
        yield relay, table, engine, bound
        bound.delete()
    relay._close_connection()
    engine.dispose()


def test_an_unroutable_row_does_not_hold_back_the_rows_after_it(relay):
    relay, table, engine, queue = relay
    add_rows(engine, table, ["routed", "routed", "unrouted", "routed"])
    assert relay.relay_batch() == 4
    assert marks(engine, table) == ([True, True, False, True], [0, 0, 1, 0])
    assert drain(queue) == ["a-1", "a-2", "a-4"]
    assert relay.relay_batch() == 0  # the main pass no longer picks the unroutable row


def test_the_retry_pass_delivers_the_row_once_a_queue_is_bound(relay):
    relay, table, engine, queue = relay
    add_rows(engine, table, ["unrouted", "routed"])
    relay.relay_batch()
    assert marks(engine, table) == ([False, True], [1, 0])
    relay.relay_batch(retrying=True)
    assert marks(engine, table) == ([False, True], [2, 0])  # still nobody to receive it: kept
    with Connection(relay.amqp_uri) as connection:
        late = Queue("deals-tests-relay.late", exchange=relay.exchange, routing_key="unrouted", auto_delete=True)
        bound = late(connection.channel())
        bound.declare()
        relay.relay_batch(retrying=True)
        assert marks(engine, table)[0] == [True, True]
        assert drain(bound) == ["a-1"]
        bound.delete()


def test_confirmed_rows_stay_marked_when_the_broker_fails_mid_batch(relay, monkeypatch):
    """Rows 1 and 2 are confirmed (window 2); the broker is lost while row 3 is published."""
    relay, table, engine, queue = relay
    relay.confirm_window = 2
    add_rows(engine, table, ["routed", "routed", "routed"])
    publish = ConfirmingChannel.publish
    calls = []

    def publish_then_lose_the_broker(confirming, event_id, event_type, payload):
        calls.append(event_type)
        if len(calls) == 3:
            relay._close_connection()
            raise ConnectionResetError("broker went away")
        return publish(confirming, event_id, event_type, payload)

    monkeypatch.setattr(ConfirmingChannel, "publish", publish_then_lose_the_broker)
    with pytest.raises(ConnectionResetError):
        relay.relay_batch()
    assert marks(engine, table)[0] == [True, True, False]
    monkeypatch.setattr(ConfirmingChannel, "publish", publish)
    relay.relay_batch()
    assert marks(engine, table)[0] == [True, True, True]
    assert drain(queue) == ["a-1", "a-2", "a-3"]  # each exactly once
