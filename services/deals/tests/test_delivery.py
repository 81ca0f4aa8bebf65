"""Reliable delivery of opportunity_changed against the real RabbitMQ and PostgreSQL: a broker
outage delays events but loses none, and a crash between publish and mark-sent yields a duplicate
that a version-checking consumer ignores."""
import contextlib
import socket
import time

import eventlet
import pytest
from sqlalchemy import create_engine, text

from contracts.events import OPPORTUNITY_CHANGED, OpportunityChanged
from infra.consumers import event_handler, is_newer
from tests.support import resources


class TcpProxy:
    """A TCP forwarder in front of RabbitMQ that the test can cut (every connection dropped, new
    ones refused) and restore on the same port: a broker outage as the relay sees it."""

    def __init__(self, target):
        host, port = target.rsplit(":", 1)
        self.target = (host, int(port))
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.server, self.acceptor, self.sockets = None, None, []

    def start(self):
        self.server = eventlet.listen(("127.0.0.1", self.port))
        self.acceptor = eventlet.spawn(self._accept, self.server)
        return self

    def cut(self):
        if self.acceptor is not None:
            self.acceptor.kill()
            self.server.close()
            self.acceptor = None
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self.sockets = []

    restore = start

    def _accept(self, server):
        while True:
            client, _ = server.accept()
            try:
                upstream = eventlet.connect(self.target)
            except OSError:
                client.close()
                continue
            self.sockets += [client, upstream]
            eventlet.spawn(self._pipe, client, upstream)
            eventlet.spawn(self._pipe, upstream, client)

    @staticmethod
    def _pipe(source, sink):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


@contextlib.contextmanager
def deals_process(system, extra_env=None):
    """Runs the system's deals process with `extra_env` for the block, then restarts it as it was."""
    system.stop_component("deals")
    system.start_component("deals", extra_env=extra_env)
    system.wait_healthy(60, components=["deals"])
    try:
        yield
    finally:
        system.stop_component("deals")
        system.start_component("deals")
        system.wait_healthy(60, components=["deals"])


@contextlib.contextmanager
def deals_db(test_env):
    engine = create_engine(test_env.database_urls["deals"], isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def sent_at(connection, event_id):
    return connection.execute(text("SELECT sent_at FROM outbox WHERE event_id = :id"), {"id": event_id}).scalar_one()


def outbox_event_ids(connection, aggregate_id):
    return connection.execute(text("SELECT event_id FROM outbox WHERE payload LIKE :p ORDER BY id"),
                              {"p": '%"aggregate_id":"{}"%'.format(aggregate_id)}).scalars().all()


def wait_until(predicate, timeout=20, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("{} not reached in {}s".format(message, timeout))


def test_deal_written_while_the_broker_is_unreachable_is_delivered_when_it_is_back(api, ws, make_deal, tap,
                                                                                   system, test_env):
    """The deals process publishes events through a proxy (EVENTS_AMQP_URI) while its RPC stays on the
    broker directly. With the proxy cut, a create still succeeds; its event stays pending in the
    outbox and reaches our queue once the proxy is restored."""
    proxy = TcpProxy(resources.RABBIT_HOST).start()
    events_uri = "amqp://{}:{}@127.0.0.1:{}/{}".format(resources.RABBIT_USER, resources.RABBIT_PASSWORD, proxy.port,
                                                       test_env.vhost)
    try:
        with deals_process(system, {"EVENTS_AMQP_URI": events_uri}), deals_db(test_env) as db:
            before = make_deal(ws, name="before the outage")
            tap.wait_for(lambda events: any(e["aggregate_id"] == before["uuid"] for e in events))

            proxy.cut()
            during = make_deal(ws, name="during the outage")
            [event_id] = outbox_event_ids(db, during["uuid"])
            time.sleep(2.5)  # several relay attempts fail meanwhile
            assert tap.of(during["uuid"]) == []
            assert sent_at(db, event_id) is None

            proxy.restore()
            events = tap.wait_for(lambda events: any(e["aggregate_id"] == during["uuid"] for e in events), timeout=30)
            delivered = [e for e in events if e["aggregate_id"] == during["uuid"]]
            assert delivered[0]["event_id"] == event_id and delivered[0]["snapshot"]["name"] == "during the outage"
            wait_until(lambda: sent_at(db, event_id) is not None, message="outbox row marked sent")
    finally:
        proxy.cut()


class Projection:
    """What a consumer such as goals keeps: the newest version per opportunity."""

    def __init__(self):
        self.versions, self.snapshots, self.applied, self.ignored = {}, {}, [], []

    def apply(self, event):
        aggregate = event["aggregate_id"]
        if is_newer(self.versions.get(aggregate), event["version"]):
            self.versions[aggregate] = event["version"]
            self.snapshots[aggregate] = event["snapshot"]
            self.applied.append(event["event_id"])
        else:
            self.ignored.append(event["event_id"])


PROJECTION = Projection()


class OpportunityProbe:
    """A consumer built like the platform's: reliable handler, contract validation, version check."""

    name = "deals_tests_probe"

    @event_handler("deals", OPPORTUNITY_CHANGED)
    def on_opportunity_changed(self, payload):
        OpportunityChanged().load(payload)
        PROJECTION.apply(payload)


STALL_SECONDS = 4


@pytest.fixture
def stalled_mark_sent(test_env):
    """A trigger that makes the relay's `UPDATE outbox SET sent_at` sleep, opening a window between
    the broker's confirm and the commit of the mark in which the test can kill the process."""
    with deals_db(test_env) as db:
        db.execute(text("CREATE FUNCTION deals_tests_stall() RETURNS trigger AS $$ BEGIN PERFORM pg_sleep({}); "
                        "RETURN NEW; END $$ LANGUAGE plpgsql".format(STALL_SECONDS)))
        db.execute(text("CREATE TRIGGER deals_tests_stall BEFORE UPDATE OF sent_at ON outbox FOR EACH ROW "
                        "EXECUTE FUNCTION deals_tests_stall()"))
        try:
            yield db
        finally:
            db.execute(text("DROP TRIGGER IF EXISTS deals_tests_stall ON outbox"))
            db.execute(text("DROP FUNCTION IF EXISTS deals_tests_stall()"))


def test_crash_between_publish_and_mark_sent_redelivers_a_duplicate_the_consumer_ignores(
        api, ws, make_deal, tap, system, test_env, container_factory, service_config, stalled_mark_sent):
    """What is simulated, exactly: the real deals process publishes the event and gets the broker's
    confirm; its UPDATE marking the row sent is held by a test trigger (pg_sleep); the test SIGKILLs
    the process in that window, so the transaction never commits and the row stays pending, as after
    any crash there. The restarted process re-publishes it: the same event (same event_id and
    version) arrives twice, and a consumer applying by version changes its projection only once."""
    db = stalled_mark_sent
    probe = container_factory(OpportunityProbe, service_config)
    probe.start()
    deal = make_deal(ws, name="crash window")
    [event_id] = outbox_event_ids(db, deal["uuid"])
    tap.wait_for(lambda events: any(e["event_id"] == event_id for e in events))
    system.kill_component("deals")  # inside the stall: published and confirmed, not marked sent
    db.execute(text("DROP TRIGGER deals_tests_stall ON outbox"))  # waits until the dead transaction is gone
    assert sent_at(db, event_id) is None

    system.start_component("deals")
    system.wait_healthy(60, components=["deals"])
    events = tap.wait_for(lambda events: len([e for e in events if e["event_id"] == event_id]) >= 2, timeout=30)
    assert len([e for e in events if e["event_id"] == event_id]) >= 2
    wait_until(lambda: PROJECTION.ignored.count(event_id) >= 1, message="duplicate reached the consumer")
    assert PROJECTION.applied.count(event_id) == 1
    assert PROJECTION.versions[deal["uuid"]] == 1
    wait_until(lambda: sent_at(db, event_id) is not None, message="outbox row marked sent")

    api.put("/api/deals/{}.json".format(deal["id"]), {"deal": {"current_state": "won"}}, token=ws.token)
    wait_until(lambda: PROJECTION.versions.get(deal["uuid"]) == 2, message="version 2 applied")
    assert PROJECTION.snapshots[deal["uuid"]]["current_state"] == "won"
