"""Outbox relay throughput and latency: how fast `infra.outbox.OutboxRelay` drains pending rows to a
quorum queue with publisher confirms, and how long an event waits between its commit and its
delivery at a paced rate.

    .venv/bin/python -m bench.relay                        # 2000 rows, 3 rounds; paced 200 events/s for 10 s
    .venv/bin/python -m bench.relay --rows 5000 --rounds 5 --rate 400 --seconds 20 --write

A throw-away PostgreSQL database gets an outbox table, a throw-away vhost gets the relay's topic
exchange with one durable quorum queue bound to the event type (as the consumers bind theirs). The
process runs under eventlet like a service process (green psycopg2 and sockets).

- drain: N pending rows are inserted, then `relay_batch()` is called until the outbox is empty;
  the time to drain and events/s are reported (median of the rounds, and each round). The queue's
  message count is checked against N, and the queue is purged before each round. A green thread
  ticking every millisecond meanwhile measures the longest time the relay kept the eventlet hub
  (what the service's other workers would wait for).
- paced: the relay loop runs (woken after every commit, as in a service) while events are committed
  one per transaction at `--rate`/s; a consumer on the queue records when each arrives. Latency is
  from the commit to the consumer's delivery (p50/p99).

Both are measured twice in the same run: with `confirm_window` 1 (one confirm per publish, the
reference) and with the default window (how many publishes may await their confirms at once).
"""
import warnings

warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

from kombu import Connection, Consumer, Queue  # noqa: E402
from nameko.standalone.events import get_event_exchange  # noqa: E402
from sqlalchemy import MetaData, insert, text  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from bench.support import machine_lock, summarize, write_result  # noqa: E402
from infra import outbox  # noqa: E402
from infra.db import get_engine  # noqa: E402
from infra.events import envelope, isoformat, utcnow  # noqa: E402
from tests.support.environment import Environment  # noqa: E402

EVENT_TYPE = "opportunity_changed"
SOURCE = "bench-relay"


def snapshot(number):
    """About the size of a real opportunity snapshot (~1 KB of JSON with the envelope)."""
    now = isoformat(utcnow())
    return {"id": number, "uuid": str(uuid.uuid4()), "workspace_id": 1, "user_id": number % 100 + 1,
            "company_id": None, "name": "bench deal {}".format(number), "description": "relay benchmark deal",
            "value": "10000.0", "value_count": "1.0", "value_type": "Total", "currency": "USD",
            "currency_id": 840, "target_date": "2026-06-30", "finished_at": None, "current_state": "open_50",
            "type": "sale", "account_uuid": str(uuid.uuid4()), "campaign_uuid": str(uuid.uuid4()),
            "input_uuid": str(uuid.uuid4()), "crop_id": None, "variety_id": None, "quantity": "120.5",
            "unit_id": 1, "created_at": now, "updated_at": now}


def event_payload(number):
    data = snapshot(number)
    return envelope(EVENT_TYPE, 1, "opportunity", data["uuid"], 1, "created", data)


class Bench:
    def __init__(self, database_url, amqp_uri):
        self.engine = get_engine(database_url)
        metadata = MetaData()
        self.table = outbox.outbox_table(metadata)
        metadata.create_all(self.engine)
        self.sessions = sessionmaker(self.engine)
        self.amqp_uri = amqp_uri
        self.exchange = get_event_exchange(SOURCE, {})
        self.connection = Connection(amqp_uri, connect_timeout=10)
        channel = self.connection.channel()
        self.exchange(channel).declare()
        self.queue = Queue("{}.{}".format(SOURCE, EVENT_TYPE), exchange=self.exchange, routing_key=EVENT_TYPE,
                           durable=True, queue_arguments={"x-queue-type": "quorum"})(channel)
        self.queue.declare()
        self.channel = channel

    def relay(self, window=None):
        relay = outbox.OutboxRelay(self.table)
        relay.url = str(self.engine.url)
        relay.engine = self.engine
        relay.session_factory = self.sessions
        relay.amqp_uri = self.amqp_uri
        relay.exchange = self.exchange
        relay.poll_interval = 0.5
        relay.retention_hours = 72
        relay.wakeup = outbox._wakeups.setdefault(str(self.engine.url), threading.Event())
        if window is not None:
            relay.confirm_window = window
        return relay

    def reset(self):
        with self.engine.begin() as connection:
            connection.execute(text("TRUNCATE outbox"))
        self.queue.purge()

    def add_rows(self, count):
        rows = []
        for number in range(count):
            payload = event_payload(number)
            rows.append({"event_id": payload["event_id"], "event_type": EVENT_TYPE,
                         "payload": json.dumps(payload, separators=(",", ":")),
                         "created_at": utcnow().replace(tzinfo=None)})
        with self.engine.begin() as connection:
            connection.execute(insert(self.table), rows)

    def queued(self, expected, timeout=10.0):
        deadline = time.monotonic() + timeout
        while True:
            count = self.channel.queue_declare(queue=self.queue.name, passive=True).message_count
            if count >= expected or time.monotonic() > deadline:
                return count
            time.sleep(0.1)

    def drain(self, relay, rows):
        self.reset()
        self.add_rows(rows)
        batches, gaps, done = [], [], threading.Event()

        def ticker():  # how long other green threads of the process wait while the relay runs
            last = time.perf_counter()
            while not done.is_set():
                time.sleep(0.001)
                now = time.perf_counter()
                gaps.append((now - last) * 1000)
                last = now

        tick = eventlet.spawn(ticker)
        started = time.perf_counter()
        while True:
            batch_started = time.perf_counter()
            taken = relay.relay_batch()
            batches.append((time.perf_counter() - batch_started) * 1000)
            if taken < relay.batch_size:
                break
        seconds = time.perf_counter() - started
        done.set()
        tick.wait()
        relay._close_connection()
        pending = relay.pending_count()
        queued = self.queued(rows)
        if pending or queued != rows:
            raise SystemExit("drain check failed: {} rows still pending, {} of {} messages queued"
                             .format(pending, queued, rows))
        return {"seconds": round(seconds, 3), "events_per_second": round(rows / seconds, 1),
                "batch_ms": summarize(batches[:-1] or batches), "hub_gap_ms": summarize(gaps)}

    def paced(self, relay, rate, seconds):
        """Commits one event per transaction at `rate`/s while the relay loop runs; commit→delivery."""
        self.reset()
        committed, delivered = {}, {}
        stop = threading.Event()

        def consume():
            with Connection(self.amqp_uri, connect_timeout=10) as connection:
                def on_message(body, message):
                    delivered[body["event_id"]] = time.perf_counter()
                    message.ack()

                queue = Queue(self.queue.name, exchange=self.exchange, routing_key=EVENT_TYPE, durable=True,
                              queue_arguments={"x-queue-type": "quorum"})
                with Consumer(connection, [queue], callbacks=[on_message], accept=["json"], prefetch_count=500):
                    while not stop.is_set():
                        try:
                            connection.drain_events(timeout=0.2)
                        except TimeoutError:
                            pass

        consumer = eventlet.spawn(consume)
        relay._running = True
        loop = eventlet.spawn(relay._run)
        eventlet.sleep(0.5)
        total = int(rate * seconds)
        started = time.perf_counter()
        try:
            for number in range(total):
                due = started + number / rate
                wait = due - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                payload = event_payload(number)
                with self.sessions() as session, session.begin():
                    outbox.record_event(session, self.table, payload)
                committed[payload["event_id"]] = time.perf_counter()
            produce_seconds = time.perf_counter() - started
            deadline = time.monotonic() + 60
            while len(delivered) < total and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            stop.set()
            relay._running = False
            relay.wakeup.set()
            loop.wait()
            relay._close_connection()
            consumer.wait()
        latencies = [(delivered[event_id] - at) * 1000 for event_id, at in committed.items() if event_id in delivered]
        return {"rate": rate, "events": total, "offered_rate": round(total / produce_seconds, 1),
                "delivered": len(latencies), "commit_to_delivery": summarize(latencies)}

    def close(self):
        self.queue.delete()
        self.connection.release()
        self.engine.dispose()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rate", type=float, default=200, help="paced events per second (0: skip)")
    parser.add_argument("--seconds", type=float, default=10, help="paced duration")
    parser.add_argument("--write", action="store_true", help="write bench/results/relay.json")
    args = parser.parse_args()

    lock = machine_lock()  # noqa: F841  (one benchmark per machine; held until the process exits)
    modes = [("one confirm per publish (window 1)", 1),
             ("pipelined (window {})".format(outbox.OutboxRelay.confirm_window), None)]
    results = []
    with Environment("bench", services=("deals",)) as env:  # a vhost and one empty database
        bench = Bench(env.database_urls["deals"], env.amqp_uri)
        try:
            for name, window in modes:
                rounds = [bench.drain(bench.relay(window), args.rows) for _ in range(args.rounds)]
                median = statistics.median(r["seconds"] for r in rounds)
                entry = {"mode": name, "rows": args.rows, "batch_size": outbox.OutboxRelay.batch_size,
                         "drain_seconds_median": median, "events_per_second_median": round(args.rows / median, 1),
                         "rounds": rounds}
                print("{:<40} drain {} rows: {:.3f} s median, {:.0f} events/s (rounds: {}) batch p50 {} ms, "
                      "longest hub gap {} ms".format(name, args.rows, median, args.rows / median,
                                                     ", ".join("{:.2f} s".format(r["seconds"]) for r in rounds),
                                                     rounds[0]["batch_ms"]["p50_ms"],
                                                     max(r["hub_gap_ms"]["max_ms"] for r in rounds)))
                if args.rate > 0:
                    entry["paced"] = paced = bench.paced(bench.relay(window), args.rate, args.seconds)
                    latency = paced["commit_to_delivery"]
                    print("{:<40} paced {:.0f}/s for {:.0f} s: {}/{} delivered, commit->delivery p50 {} ms "
                          "p99 {} ms max {} ms".format(name, args.rate, args.seconds, paced["delivered"],
                                                      paced["events"], latency["p50_ms"], latency["p99_ms"],
                                                      latency["max_ms"]))
                results.append(entry)
        finally:
            bench.close()
    if args.write:
        print("written to", write_result("relay", {
            "what": "outbox relay: drain N pending rows to a bound quorum queue with publisher confirms; "
                    "paced commit->delivery latency", "runs": results}))


if __name__ == "__main__":
    main()
