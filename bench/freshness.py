"""Event freshness under load: deal updates at a constant rate; half of them change the quantity of
one of the probe deals, each the only deal of its own goal, so the goal's new figure identifies the
update it comes from. A subscriber process bound to `goals.events` (goal_progress_changed) stamps
each event on arrival; freshness = arrival - the update's HTTP answer (both CLOCK_MONOTONIC). The
event is written in the transaction that changes the figure, so it arrives after the new figure is
visible: the number is an upper bound of "visible", including the goals relay's publish.
"""
import json
import multiprocessing
import os
import random
import socket
import time

from bench import loadgen
from bench.support import log, summarize
from bench.workload import STATES, auth

PROBES = 100  # probe deals (and goals); bench.run takes 20 with --quick


def _subscriber(amqp_uri, ready, stop, out):
    """Child process: stamps every goal_progress_changed on arrival (CLOCK_MONOTONIC)."""
    from kombu import Connection, Exchange, Queue
    exchange = Exchange("goals.events", type="topic", durable=True)
    queue = Queue("bench-freshness-{}".format(os.getpid()), exchange=exchange, routing_key="goal_progress_changed",
                  exclusive=True, auto_delete=True, durable=False)
    seen = []

    def on_message(body, message):
        stamp = time.perf_counter()
        if isinstance(body, (bytes, str)):
            body = json.loads(body)
        snapshot = body.get("snapshot") or {}
        seen.append((body.get("aggregate_id"), snapshot.get("current"), stamp))

    with Connection(amqp_uri) as connection:
        with connection.Consumer(queue, callbacks=[on_message], no_ack=True, accept=["json"]):
            ready.set()
            while not stop.is_set():
                try:
                    connection.drain_events(timeout=0.2)
                except socket.timeout:
                    pass
    out.put(seen)


def measure_freshness(bench, ws, requests, rate, seconds, warmup, probe_count=PROBES):
    api, owner = bench.env.api, ws.owner
    base_url = bench.env.system.base_url
    campaign = api.post("/api/sales/campaigns", {"name": "Freshness probes", "start_date": "2025-01-01",
                                                 "end_date": "2025-12-31"}, token=owner.token).json()["data"]
    probes = []  # (goal uuid, deal id)
    rng = random.Random(5)
    for k in range(probe_count):
        input_uuid = "00000000-0000-4000-8000-{:012d}".format(k + 1)
        goal = api.post("/api/sales/goals/goal", {
            "action": "create", "description": "freshness probe {}".format(k), "campaign_uuid": campaign["uuid"],
            "goal_type": "sale", "goal_subtype": "volume", "input_uuid": input_uuid, "amount": 10 ** 12,
            "id_unit": 1}, token=owner.token)
        assert goal.status_code == 200, goal.text
        deal = api.post("/api/deals.json", {"deal": {
            "name": "probe {}".format(k), "value": "1", "value_type": "Total", "value_count": "1",
            "target_date": "2025-06-30", "current_state": "won", "type": "sale", "campaign_uuid": campaign["uuid"],
            "input_uuid": input_uuid, "quantity": "1", "unit_id": 1}}, token=owner.token)
        assert deal.status_code == 201, deal.text
        probes.append((goal.json()["data"]["uuid"], deal.json()["deal"]["id"]))
    bench.drain("freshness set-up")
    goal_index = {goal_uuid: k for k, (goal_uuid, _) in enumerate(probes)}
    base_quantity = 1000

    def make_request(i):
        if i % 2 == 0:  # a probe: its goal's new figure will be base_quantity + i
            _, deal_id = probes[(i // 2) % probe_count]
            return "PUT", "/api/deals/{}.json".format(deal_id), auth(requests.caller(i)), {
                "deal": {"quantity": str(base_quantity + i)}}
        deal_id = requests.deals[i % len(requests.deals)]
        return "PUT", "/api/deals/{}.json".format(deal_id), auth(requests.caller(i)), {
            "deal": {"current_state": STATES[rng.randrange(6)], "quantity": str(rng.randint(1, 5000))}}

    answered = {}

    def on_response(i, status, body, finished):
        if i % 2 == 0 and status == 200:
            answered[i] = finished

    context = multiprocessing.get_context("spawn")
    ready, stop, out = context.Event(), context.Event(), context.Queue()
    subscriber = context.Process(target=_subscriber, args=(bench.amqp_uri, ready, stop, out), daemon=True)
    subscriber.start()
    if not ready.wait(30):
        raise RuntimeError("freshness subscriber did not start")
    with bench.phase() as metrics:
        http = loadgen.constant_rate(base_url, make_request, rate, bench.args.connections, seconds, warmup,
                                     on_response=on_response)
        drain = bench.drain("freshness")
    time.sleep(1.0)
    stop.set()
    events = out.get(timeout=60)
    subscriber.join(10)
    first_measured = int(warmup * rate)
    arrivals = {}
    for goal_uuid, current, stamp in events:
        k = goal_index.get(goal_uuid)
        if k is None or current is None:
            continue
        i = int(float(current)) - base_quantity
        if i >= 0 and i % 2 == 0 and (i // 2) % probe_count == k:
            arrivals.setdefault(i, stamp)
    freshness, missing, negative = [], 0, 0
    for i, finished in answered.items():
        if i < first_measured:
            continue
        stamp = arrivals.get(i)
        if stamp is None:
            missing += 1
            continue
        delta = (stamp - finished) * 1000
        negative += delta < 0
        freshness.append(delta)
    result = {
        "what": "goal_progress_changed arrival at a subscriber minus the deal update's HTTP answer",
        "rate_total": rate, "probe_rate": rate / 2, "probes": probe_count, "seconds": seconds,
        "freshness": summarize(freshness) if freshness else {},
        "probe_updates_answered": len([i for i in answered if i >= first_measured]),
        "probe_updates_without_event": missing, "events_before_answer": negative,
        "http": http, "drain": drain, "metrics": metrics.report()}
    log("  {:<26} at {:>5.0f}/s updates: freshness p50 {} p95 {} p99 {} ms (n={}, no event {}); HTTP p99 {} ms".format(
        "event_freshness", rate, result["freshness"].get("p50_ms"), result["freshness"].get("p95_ms"),
        result["freshness"].get("p99_ms"), result["freshness"].get("n", 0), missing, http.get("p99_ms")))
    return result
