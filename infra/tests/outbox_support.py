"""What the relay tests share: a relay on a fresh SQLite outbox, pending rows, their marks, and
draining a bound queue."""

import json

from sqlalchemy import MetaData, create_engine, insert, select
from sqlalchemy.orm import sessionmaker

from infra.events import envelope, utcnow
from infra.outbox import OutboxRelay, outbox_table


def sqlite_relay(path, amqp_uri, exchange):
    """(relay, table, engine): a relay publishing to `exchange` from an outbox at `path`."""
    metadata = MetaData()
    table = outbox_table(metadata)
    engine = create_engine("sqlite:///{}".format(path))
    metadata.create_all(engine)
    relay = OutboxRelay(table)
    relay.session_factory = sessionmaker(engine)
    relay.amqp_uri = amqp_uri
    relay.exchange = exchange
    return relay, table, engine


def add_rows(engine, table, event_types):
    with engine.begin() as connection:
        for number, event_type in enumerate(event_types, 1):
            payload = envelope(event_type, 1, "opportunity", "a-{}".format(number), 1, "created", None)
            connection.execute(
                insert(table).values(
                    event_id=payload["event_id"],
                    event_type=event_type,
                    payload=json.dumps(payload),
                    created_at=utcnow().replace(tzinfo=None),
                )
            )


def marks(engine, table):
    """([sent?], [attempts]) of every row in id order."""
    with engine.connect() as connection:
        rows = connection.execute(select(table.c.sent_at, table.c.attempts).order_by(table.c.id)).all()
    return [row.sent_at is not None for row in rows], [row.attempts for row in rows]


def drain(queue):
    """The aggregate ids of the messages waiting in `queue`, consumed."""
    delivered = []
    while (message := queue.get(no_ack=True)) is not None:
        delivered.append(json.loads(message.body)["aggregate_id"])
    return delivered
