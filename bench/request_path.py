"""Request-path micro-benchmark: our gateway against the stock nameko hop, in one run.

    .venv/bin/python -m bench.request_path [--rounds 3] [--seconds 5] [--rate 200] [--freshness-rate 50,100,200]

Starts the stock hop (bench/stock_hop.py: a bare nameko @http handler making one stock RpcProxy
call to a service returning a constant, default config) and the whole system (bench_environment:
fresh PostgreSQL databases and vhost), creates a workspace, an account and a deal, then measures
over 16 keep-alive connections (bench/loadgen.py):

- `saturate` (closed loop): throughput and latency at 16 connections;
- `constant_rate` (open loop, no coordinated omission): latency at a fixed rate (`--rate`);

for the stock hop, GET one account, GET one deal (Bearer token and API key), POST create deal;
measured in `--rounds` rounds, each starting with the stock hop; a scenario's ratio is its
throughput over the stock hop's in the same round (the machine may be shared), and the table
shows medians over rounds.
Then event freshness: deal updates (PUT) at each `--freshness-rate` per second, each one's HTTP answer
to the goal's new figure: "figure written" is the `occurred_at` of the `goals.goal_progress_changed`
event carrying it (stamped in the transaction that writes the figure, wall clock of this machine,
millisecond precision), "event received" is when that event reached a subscriber (adds the goals
relay's hop: an upper bound).

The accounts API's per-caller rate limit (10/s) is raised for the run (RATE_LIMIT_PER_SECOND);
the limiter itself (Redis) stays in the path. Results: bench/results/request_path-<date>.json.
"""
import argparse
import asyncio
import json
import os
import platform
import subprocess
import threading
import time
import urllib.parse
import uuid
from datetime import datetime

from kombu import Connection as AmqpConnection, Exchange, Queue

from bench import loadgen
from bench.stock_hop import stock_hop
from bench.support import bench_environment, machine_lock, summarize, write_result
from tests.support import resources

RATE_LIMIT_FOR_BENCH = "1000000"


def _git_revision():
    try:
        return subprocess.check_output(["git", "rev-parse", "--short", "HEAD"], text=True).strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def _setup(api):
    ws = api.signup()
    tax_id = "{:011d}".format(uuid.uuid4().int % 10 ** 11)
    account = api.post("/api/sales/accounts/account", {
        "action": "create", "country": 1, "tax_id": "{}-{}-{}".format(tax_id[:2], tax_id[2:10], tax_id[10]),
        "name": "Bench Corp", "address": "1 Bench St"}, token=ws.token)
    assert account.status_code == 200, account.text
    campaign = ws.add_campaign()
    deal = api.post("/api/deals.json", {"deal": _deal_body(campaign["uuid"], str(uuid.uuid4()))}, token=ws.token)
    assert deal.status_code == 201, deal.text
    key = api.post("/api/directory/api-keys", {"name": "bench"}, token=ws.token)
    assert key.status_code == 200, key.text
    return ws, account.json()["uuid"], deal.json()["deal"]["id"], campaign, key.json()["data"]["key"]


def _deal_body(campaign_uuid, input_uuid, quantity="1"):
    return {"name": "bench deal", "value": "10", "value_type": "Total", "value_count": "1",
            "target_date": "2025-06-30", "current_state": "won", "type": "sale", "campaign_uuid": campaign_uuid,
            "input_uuid": input_uuid, "quantity": quantity, "unit_id": 1}


def _scenarios(ws, account_uuid, deal_id, campaign, api_key):
    bearer = {"Authorization": "Bearer " + ws.token, "Content-Type": "application/json"}
    create_body = json.dumps({"deal": _deal_body(campaign["uuid"], str(uuid.uuid4()))}).encode()
    return {
        "get_account": lambda i: ("GET", "/api/sales/accounts/account?uuid=" + account_uuid, bearer, None),
        "get_deal": lambda i: ("GET", "/api/deals/{}.json".format(deal_id), bearer, None),
        "get_deal_api_key": lambda i: ("GET", "/api/deals/{}.json".format(deal_id), {"X-apikey": api_key}, None),
        "create_deal": lambda i: ("POST", "/api/deals.json", bearer, create_body),
    }


def _settle(vhost, timeout=60):
    """Waits until no message is waiting or unacknowledged in the run's vhost (events of the previous
    scenario consumed), so one scenario's tail does not slow the next one."""
    deadline = time.monotonic() + timeout
    path = "/queues/" + urllib.parse.quote(vhost, safe="")
    while time.monotonic() < deadline:
        queues = resources.management("GET", path) or []
        if sum(q.get("messages", 0) or 0 for q in queues if not q["name"].endswith(".dead-letter")
               and q["name"] != "goals.events.recent") == 0:
            break
        time.sleep(0.2)
    time.sleep(0.5)


def _measure(base_url, make_request, args, expect):
    saturated = loadgen.saturate(base_url, make_request, connections=args.connections, seconds=args.seconds,
                                 warmup=args.warmup)
    paced = loadgen.constant_rate(base_url, make_request, rate=args.rate, connections=args.connections,
                                  seconds=args.seconds, warmup=args.warmup)
    for run in (saturated, paced):
        bad = {status: n for status, n in run["statuses"].items() if status != str(expect)}
        if bad or run["errors"]:
            print("  !! unexpected answers {} errors {}".format(bad, run["errors"]))
    return {"saturate": saturated, "constant_rate": paced}


# --- freshness ----------------------------------------------------------------------------------------
class GoalEvents:
    """Records when each goal_progress_changed event arrives: (goal uuid, current) -> perf_counter."""

    def __init__(self, amqp_uri):
        self.amqp_uri = amqp_uri
        self.seen, self.written = {}, {}
        self.ready = threading.Event()
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self.thread.start()
        if not self.ready.wait(15):
            raise RuntimeError("could not subscribe to goals.events")
        return self

    def stop(self):
        self.running = False
        self.thread.join(5)

    def _run(self):
        exchange = Exchange("goals.events", type="topic", durable=True)
        queue = Queue("bench.request_path." + uuid.uuid4().hex[:8], exchange=exchange,
                      routing_key="goal_progress_changed", exclusive=True, auto_delete=True)
        with AmqpConnection(self.amqp_uri) as connection:
            with connection.Consumer(queue, callbacks=[self._on_message], accept=["json"], no_ack=True):
                self.ready.set()
                while self.running:
                    try:
                        connection.drain_events(timeout=0.2)
                    except TimeoutError:
                        pass
                    except OSError:
                        if not self.running:
                            break
                        raise

    def _on_message(self, body, message):
        now = time.perf_counter()
        payload = body if isinstance(body, dict) else json.loads(body)
        snapshot = payload.get("snapshot") or {}
        key = (payload.get("aggregate_id"), snapshot.get("current"))
        self.seen.setdefault(key, now)
        occurred_at = payload.get("occurred_at")
        if occurred_at and key not in self.written:
            # when goals wrote the figure (in the transaction that committed it), on this machine's
            # wall clock, as perf_counter: the figure-updated time without the goals relay's hop
            written = datetime.fromisoformat(occurred_at.replace("Z", "+00:00")).timestamp()
            self.written[key] = written - (time.time() - time.perf_counter())


def _freshness(env, ws, campaign, args):
    """For each rate: deal updates at that rate over `deals` deals (each counted by its own goal),
    from each update's HTTP answer to the goal event carrying its new figure."""
    api, count = env.api, args.freshness_deals
    events = GoalEvents(env.system.env["AMQP_URI"]).start()
    results = []
    try:
        goals, deals = [], []
        for _ in range(count):
            input_uuid = str(uuid.uuid4())
            goal = api.post("/api/sales/goals/goal", {
                "action": "create", "description": "bench", "campaign_uuid": campaign["uuid"], "goal_type": "sale",
                "goal_subtype": "volume", "input_uuid": input_uuid, "amount": 10 ** 9, "id_unit": 1}, token=ws.token)
            assert goal.status_code == 200, goal.text
            deal = api.post("/api/deals.json", {"deal": _deal_body(campaign["uuid"], input_uuid)}, token=ws.token)
            assert deal.status_code == 201, deal.text
            goals.append(goal.json()["data"]["uuid"])
            deals.append(deal.json()["deal"]["id"])
        deadline = time.monotonic() + 30
        while not all((goal, "1") in events.seen for goal in goals):
            if time.monotonic() > deadline:
                raise RuntimeError("goals did not reach their first figure")
            time.sleep(0.05)
        offset = 2
        for rate in [float(r) for r in str(args.freshness_rate).split(",") if r]:
            _settle(env.vhost)
            print("freshness at {:.0f} updates/s".format(rate), flush=True)
            total = int(rate * args.freshness_seconds)
            began = time.perf_counter()
            answered, http_ms = asyncio.run(_paced_updates(env.system.base_url, ws.token, deals, goals, rate, total,
                                                           offset, args))
            elapsed = time.perf_counter() - began
            offset += total // len(deals) + 2
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not all(key in events.seen for key in answered):
                time.sleep(0.05)
            freshness = [(events.seen[key] - at) * 1000 for key, at in answered.items() if key in events.seen]
            written = [(events.written[key] - at) * 1000 for key, at in answered.items() if key in events.written]
            results.append({"rate": rate, "seconds": args.freshness_seconds, "deals": count, "updates": total,
                            "answered_200": len(answered), "answered_rps": round(len(answered) / elapsed, 1),
                            "missing_events": len(answered) - len(freshness),
                            "update_http_from_due": summarize(http_ms) if http_ms else None,
                            "freshness": summarize(freshness) if freshness else None,
                            "figure_written": summarize(written) if written else None})
    finally:
        events.stop()
    return results


async def _paced_updates(base_url, token, deals, goals, rate, total, offset, args):
    """Open loop: update i is due at t0 + i/rate. Returns (goal, quantity) -> perf_counter of its
    answer, and each update's latency from its due time (ms)."""
    host, port = loadgen._host_port(base_url)
    headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
    queue, answered, failures, http_ms = asyncio.Queue(), {}, [], []
    start = time.perf_counter() + 0.05

    def schedule():
        return loadgen.schedule_open_loop(queue, start, rate, total, args.connections)

    async def worker():
        connection = loadgen.Connection(host, port)
        while True:
            item = await queue.get()
            if item is None:
                break
            i, due = item
            slot, quantity = i % len(deals), str(i // len(deals) + offset)
            body = json.dumps({"deal": {"quantity": quantity}}).encode()
            status, data = await connection.request("PUT", "/api/deals/{}.json".format(deals[slot]), headers, body)
            now = time.perf_counter()
            http_ms.append((now - due) * 1000)
            if status != 200:
                failures.append((status, data[:200]))
                continue
            answered[(goals[slot], quantity)] = now
        connection.close()

    await asyncio.gather(schedule(), *(worker() for _ in range(args.connections)))
    if failures:
        print("  !! {} deal updates failed, e.g. {}".format(len(failures), failures[0]))
    return answered, http_ms


# --- report -------------------------------------------------------------------------------------------
def _median(values):
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def _combine(rounds):
    """Per scenario: the median over rounds of throughput, ratio to the same round's stock hop, latencies."""
    table = {}
    for name in rounds[0]:
        runs = [r[name] for r in rounds if name in r]
        table[name] = {
            "ok_rps": _median([r["saturate"]["ok_rps"] for r in runs]),
            "ratio": _median([r["ratio_to_stock_hop"] for r in runs]),
            "p50_ms": _median([r["saturate"]["p50_ms"] for r in runs]),
            "p99_ms": _median([r["saturate"]["p99_ms"] for r in runs]),
            "rate_p50_ms": _median([r["constant_rate"]["p50_ms"] for r in runs]),
            "rate_p99_ms": _median([r["constant_rate"]["p99_ms"] for r in runs]),
            "rate_ok_rps": _median([r["constant_rate"]["ok_rps"] for r in runs]),
        }
    return table


def _print_table(table, args):
    print()
    print("median of {} round(s); ratio = throughput / the stock hop's in the same round".format(args.rounds))
    print("{:<18} {:>9} {:>7} {:>8} {:>8} | {:>9} {:>8} {:>8}".format(
        "scenario", "rps@{}".format(args.connections), "ratio", "p50 ms", "p99 ms", "ok@{:.0f}/s".format(args.rate),
        "p50 ms", "p99 ms"))
    for name, row in table.items():
        print("{:<18} {:>9.0f} {:>6.2f}x {:>8.1f} {:>8.1f} | {:>9.0f} {:>8.1f} {:>8.1f}".format(
            name, row["ok_rps"], row["ratio"], row["p50_ms"], row["p99_ms"], row["rate_ok_rps"], row["rate_p50_ms"],
            row["rate_p99_ms"]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5, help="measured seconds per run")
    parser.add_argument("--warmup", type=float, default=1)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of (stock hop, every scenario)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rate", type=float, default=200, help="constant_rate requests/second")
    parser.add_argument("--freshness-rate", default="50,100,200", help="deal updates/s, comma-separated")
    parser.add_argument("--freshness-seconds", type=float, default=10)
    parser.add_argument("--freshness-deals", type=int, default=20)
    parser.add_argument("--no-freshness", action="store_true")
    parser.add_argument("--only", default="", help="comma-separated scenario names (default: all)")
    parser.add_argument("--label", default="", help="what this run measures (e.g. 'baseline')")
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for the system's processes")
    args = parser.parse_args()
    extra_env = {"RATE_LIMIT_PER_SECOND": RATE_LIMIT_FOR_BENCH}
    extra_env.update(item.split("=", 1) for item in args.env)
    lock = machine_lock()  # noqa: F841  (held until the process exits)

    results = {"what": "request path vs the stock nameko hop (bench/stock_hop.py), same run, same machine",
               "label": args.label, "revision": _git_revision(), "cpus": os.cpu_count(),
               "python": platform.python_version(), "loadavg_at_start": os.getloadavg(),
               "connections": args.connections, "seconds": args.seconds, "rounds": args.rounds,
               "constant_rate": args.rate, "env": extra_env, "runs": []}
    with bench_environment(extra_env=extra_env) as env:
        with stock_hop(env.system.env["AMQP_URI"], log_dir=env.system.log_dir) as stock_url:
            ws, account_uuid, deal_id, campaign, api_key = _setup(env.api)
            scenarios = _scenarios(ws, account_uuid, deal_id, campaign, api_key)
            wanted = [name for name in args.only.split(",") if name in scenarios] if args.only else list(scenarios)
            hop = lambda i: ("GET", "/hop", None, None)  # noqa: E731
            for number in range(1, args.rounds + 1):
                measured = {}
                print("round {}: stock_hop".format(number), end="", flush=True)
                measured["stock_hop"] = _measure(stock_url, hop, args, 200)
                for name in wanted:
                    _settle(env.vhost)
                    print(", " + name, end="", flush=True)
                    measured[name] = _measure(env.system.base_url, scenarios[name], args,
                                              201 if name == "create_deal" else 200)
                _settle(env.vhost)
                print()
                stock_rps = measured["stock_hop"]["saturate"]["ok_rps"]
                for run in measured.values():
                    run["ratio_to_stock_hop"] = round(run["saturate"]["ok_rps"] / stock_rps, 3)
                results["runs"].append(measured)
        if not args.no_freshness:
            results["freshness"] = _freshness(env, ws, campaign, args)

    results["table"] = table = _combine(results["runs"])
    _print_table(table, args)
    for fresh in results.get("freshness") or []:
        http = fresh["update_http_from_due"] or {}
        line = "freshness @{:.0f}/s: {} updates answered at {} rps (HTTP p99 {} ms from due)".format(
            fresh["rate"], fresh["answered_200"], fresh["answered_rps"], http.get("p99_ms"))
        if fresh["figure_written"]:
            line += "; answer -> figure written p50 {p50_ms} ms p99 {p99_ms} ms".format(**fresh["figure_written"])
        if fresh["freshness"]:
            line += "; -> goal event received p50 {p50_ms} ms p99 {p99_ms} ms".format(**fresh["freshness"])
        print(line + ("; {} events missing".format(fresh["missing_events"]) if fresh["missing_events"] else ""))
    name = "request_path" + ("-" + args.label if args.label else "")
    print("written to", write_result(name, results))


if __name__ == "__main__":
    main()
