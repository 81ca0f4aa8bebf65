"""infra.outbox.OutboxRelay.relay_batch against the real broker: when a publish fails part-way through
a batch, the rows the broker already confirmed stay marked sent (they used to be rolled back with
the failure and re-published on every retry)."""
import json

import pytest
from kombu import Connection, Queue
from nameko.standalone.events import get_event_exchange
from sqlalchemy import MetaData, create_engine, insert, select
from sqlalchemy.orm import sessionmaker

from infra.events import envelope, utcnow
from infra.outbox import OutboxRelay, Unroutable, outbox_table


@pytest.fixture
def relay(tmp_path, test_env):
    metadata = MetaData()
    table = outbox_table(metadata)
    engine = create_engine("sqlite:///{}".format(tmp_path / "outbox.db"))
    metadata.create_all(engine)
    relay = OutboxRelay(table)
    relay.session_factory = sessionmaker(engine)
    relay.amqp_uri = test_env.amqp_uri
    relay.exchange = get_event_exchange("deals-tests-relay", {})
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


def add_rows(engine, table, event_types):
    with engine.begin() as connection:
        for number, event_type in enumerate(event_types, 1):
            payload = envelope(event_type, 1, "opportunity", "a-{}".format(number), 1, "created", None)
            connection.execute(insert(table).values(event_id=payload["event_id"], event_type=event_type,
                                                    payload=json.dumps(payload),
                                                    created_at=utcnow().replace(tzinfo=None)))


def test_confirmed_rows_stay_marked_when_a_later_publish_in_the_batch_fails(relay):
    relay, table, engine, queue = relay
    add_rows(engine, table, ["routed", "routed", "unrouted", "routed"])
    with pytest.raises(Unroutable):
        relay.relay_batch()
    with engine.connect() as connection:
        marks = connection.execute(select(table.c.sent_at).order_by(table.c.id)).scalars().all()
    assert [mark is not None for mark in marks] == [True, True, False, False]
    delivered = []
    while (message := queue.get(no_ack=True)) is not None:
        delivered.append(json.loads(message.body)["aggregate_id"])
    assert delivered == ["a-1", "a-2"]
