"""infra.outbox.OutboxRelay with pipelined publisher confirms, against the real broker: a batch is
published back to back and its confirms awaited together; only the rows the broker acked are marked
sent (in one statement); a nack, a lost connection or confirms that do not come in time leave exactly
the unconfirmed rows pending and keep the marks of the confirmed ones."""

import contextlib
import uuid
from itertools import pairwise

import eventlet
import pytest
from amqp.exceptions import AMQPError
from kombu import Connection, Queue
from nameko.standalone.events import get_event_exchange
from sqlalchemy import event, select

from infra.confirms import ConfirmingChannel, ConfirmTimeout, Nacked
from infra.tests.outbox_support import add_rows, drain, marks, sqlite_relay


@pytest.fixture
def setup(tmp_path, test_env):
    """(relay, table, engine, channel): a relay on a fresh SQLite outbox and a unique exchange; the
    test binds its own queues on `channel` (deleted afterwards)."""
    relay, table, engine = sqlite_relay(
        tmp_path / "outbox.db",
        test_env.amqp_uri,
        get_event_exchange("outbox-batching-{}".format(uuid.uuid4().hex[:8]), {}),
    )
    with Connection(test_env.amqp_uri) as connection:
        channel = connection.channel()
        relay.exchange(channel).declare()
        declared = []

        def bind(routing_key, **arguments):
            queue = Queue(
                "{}.{}".format(relay.exchange.name, routing_key),
                exchange=relay.exchange,
                routing_key=routing_key,
                durable=False,
                queue_arguments=arguments or None,
            )(channel)
            queue.declare()
            declared.append(queue)
            return queue

        yield relay, table, engine, bind
        relay._close_connection()
        for queue in declared:
            queue.delete()
        relay.exchange(channel).delete()
    engine.dispose()


@contextlib.contextmanager
def counted_statements(engine, fragment):
    seen = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if fragment in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


def test_a_batch_waits_for_its_confirms_once_and_is_marked_in_one_statement(setup, monkeypatch):
    relay, table, engine, bind = setup
    queue = bind("routed")
    add_rows(engine, table, ["routed"] * 50 + ["unrouted"] + ["routed"] * 9)
    waits = []
    wait = ConfirmingChannel.wait_for_confirms

    def counting_wait(confirming, timeout):
        waits.append(confirming.next_tag - 1)  # publishes so far (acks may already be read meanwhile)
        return wait(confirming, timeout)

    monkeypatch.setattr(ConfirmingChannel, "wait_for_confirms", counting_wait)
    with counted_statements(engine, "SET sent_at") as updates:
        assert relay.relay_batch() == 60
    assert waits == [60]  # all published before the first wait
    assert len(updates) == 1
    assert marks(engine, table) == ([True] * 50 + [False] + [True] * 9, [0] * 50 + [1] + [0] * 9)
    assert drain(queue) == ["a-{}".format(n) for n in range(1, 61) if n != 51]  # in id order


def test_a_smaller_window_waits_per_window_and_still_marks_once(setup, monkeypatch):
    relay, table, engine, bind = setup
    queue = bind("routed")
    relay.confirm_window = 8
    add_rows(engine, table, ["routed"] * 20)
    waits = []
    wait = ConfirmingChannel.wait_for_confirms

    def counted_wait(confirming, timeout):
        waits.append(confirming.next_tag - 1)
        return wait(confirming, timeout)

    monkeypatch.setattr(ConfirmingChannel, "wait_for_confirms", counted_wait)
    with counted_statements(engine, "SET sent_at") as updates:
        relay.relay_batch()
    assert waits == [8, 16, 20]  # publishes on the channel when each window's wait began
    assert len(updates) == 1
    assert marks(engine, table)[0] == [True] * 20
    assert drain(queue) == ["a-{}".format(n) for n in range(1, 21)]


def test_rows_the_broker_nacks_stay_pending_and_the_acked_ones_are_marked(setup):
    """A queue that holds two messages and rejects the rest (`reject-publish`): the broker acks the
    first two publishes and nacks the others."""
    relay, table, engine, bind = setup
    queue = bind("routed", **{"x-max-length": 2, "x-overflow": "reject-publish"})
    add_rows(engine, table, ["routed"] * 4)
    with pytest.raises(Nacked):
        relay.relay_batch()
    assert marks(engine, table) == ([True, True, False, False], [0, 0, 0, 0])  # nacked: pending, main pass
    assert drain(queue) == ["a-1", "a-2"]
    relay.relay_batch()
    assert marks(engine, table)[0] == [True] * 4
    assert drain(queue) == ["a-3", "a-4"]


@pytest.mark.parametrize("when", ["while-publishing", "while-awaiting-confirms"])
def test_a_connection_lost_mid_batch_keeps_the_acked_rows_marked(setup, monkeypatch, when):
    """The connection is lost (no later frame is read, nothing more is sent) either while the batch is
    still being published (right after the first ack, which is read between publishes) or once it all
    is (before the first ack after the last publish): exactly the rows acked before the loss are
    marked; the others stay pending and the next batch publishes them (at least once: a message the
    broker took but never confirmed may come twice)."""
    relay, table, engine, bind = setup
    queue = bind("routed")
    rows = 200
    add_rows(engine, table, ["routed"] * rows)
    acked, cut = set(), []
    on_ack = ConfirmingChannel._on_ack

    def lost(*args, **kwargs):
        raise ConnectionResetError("connection to the broker lost")

    def lose_the_connection(confirming, published):
        cut.append(published)  # no frame after this is read, nothing more is sent
        transport = confirming.connection.connection.transport
        transport.read_frame = transport.write = lost

    def ack_then_cut(confirming, delivery_tag, multiple):
        published = confirming.next_tag - 1
        if not cut and when == "while-awaiting-confirms" and published == rows:
            lose_the_connection(confirming, published)  # the first ack after the last publish never arrives
            lost()
        on_ack(confirming, delivery_tag, multiple)
        acked.update(confirming.acked)
        if not cut and when == "while-publishing" and published < rows:
            lose_the_connection(confirming, published)

    monkeypatch.setattr(ConfirmingChannel, "_on_ack", ack_then_cut)
    relay.confirm_window = rows
    try:
        relay.relay_batch()
    except (OSError, AMQPError) as exc:
        failure = exc
    else:
        failure = None
    assert cut, "no ack was read at that point"
    assert failure is not None
    with engine.connect() as connection:
        sent = set(connection.execute(select(table.c.event_id).where(table.c.sent_at.is_not(None))).scalars())
    assert sent == acked and len(sent) < rows
    monkeypatch.setattr(ConfirmingChannel, "_on_ack", on_ack)
    relay.relay_batch()
    assert marks(engine, table)[0] == [True] * rows
    delivered = drain(queue)
    assert set(delivered) == {"a-{}".format(n) for n in range(1, rows + 1)}
    assert len(delivered) - rows <= rows - len(sent)  # duplicates only among the unconfirmed rows


def test_confirms_that_do_not_come_in_time_leave_the_rows_pending(setup, monkeypatch):
    relay, table, engine, bind = setup
    queue = bind("routed")
    add_rows(engine, table, ["routed"] * 3)
    relay.confirm_timeout = 0.5
    on_ack = ConfirmingChannel._on_ack
    monkeypatch.setattr(ConfirmingChannel, "_on_ack", lambda confirming, delivery_tag, multiple: None)
    with pytest.raises(ConfirmTimeout):
        relay.relay_batch()
    assert marks(engine, table) == ([False] * 3, [0] * 3)
    assert relay._connection is None  # the channel's tags are unknown now: a new connection next time
    monkeypatch.setattr(ConfirmingChannel, "_on_ack", on_ack)
    relay.relay_batch()
    assert marks(engine, table)[0] == [True] * 3
    assert drain(queue) == ["a-1", "a-2", "a-3"] * 2  # the first publishes did reach the queue


def test_other_green_threads_run_while_a_batch_is_published(setup, monkeypatch):
    """A send that does not block never yields to the eventlet hub: the relay yields every
    `yield_every` publishes, so the service's workers are not held for a whole batch."""
    relay, table, engine, bind = setup
    bind("routed")
    add_rows(engine, table, ["routed"] * 64)
    ticks = [0]
    seen: list[int] = []  # the tick count at each publish
    done: list[bool] = []

    def other_worker():
        while not done:
            ticks[0] += 1
            eventlet.sleep(0)

    publish = ConfirmingChannel.publish

    def recording_publish(confirming, *args):
        seen.append(ticks[0])
        return publish(confirming, *args)

    monkeypatch.setattr(ConfirmingChannel, "publish", recording_publish)
    worker = eventlet.spawn(other_worker)
    eventlet.sleep(0)
    try:
        relay.relay_batch()
    finally:
        done.append(True)
        worker.wait()
    assert len(seen) == 64
    steps = [later - earlier for earlier, later in pairwise(seen)]
    assert sum(1 for step in steps if step) >= 64 // relay.yield_every - 1
