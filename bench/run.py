"""`make bench`: the whole system on PostgreSQL with a realistic data set, driven over loopback by
the constant-rate load generator, with nameko's stock reference points measured in the same run.

    make bench                  # full: 100,000 accounts, 1,000,000 deals, 10,000 goals (~20-25 min)
    make bench ARGS=--quick     # the same shape ~20x smaller, short phases (~3-5 min)

Per scenario (same order every run):
  (a) saturate: closed loop at 16 connections for S seconds (after a warm-up): the throughput;
  (b) constant rate at FRACTION (default 0.7) of (a)'s throughput, open loop, latency from each
      request's due time (wrk2's model): p50/p95/p99.
The reference points are measured the same way in the same run: nameko's bare `@http` handler
returning a constant, and the stock hop (`@http` -> one RPC -> constant) that every API request
pays at least once. Ratios are to the stock hop.

Event freshness: deal updates at 200/s (constant rate); half of them change the quantity of one
of 100 probe deals, each the only deal of its own goal, so the goal's new figure identifies the
update it comes from. A subscriber process bound to `goals.events` (goal_progress_changed) stamps
each event on arrival; freshness = arrival - the update's HTTP answer (both CLOCK_MONOTONIC).
The event is written in the transaction that changes the figure, so it arrives after the new
figure is visible: the number is an upper bound of "visible", including the goals relay's publish.

Also: the accounts rate limit stays on (10/s per caller): requests rotate over every user of the
workspace (hundreds of callers) and 429s are counted. Small workspaces' reads are measured before
and after the big workspace is loaded (cost must not grow with other workspaces), and the last page
of each list next to its first page (cost must not grow with depth). Results:
bench/results/<date>.json and .md; the table is printed at the end.
"""
import argparse
import faulthandler
import json
import math
import multiprocessing
import os
import platform
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timezone

import psycopg2

from bench import loadgen
from bench.dataset import SIZES, DatasetLoader, check_consistency
from bench.metrics import PhaseMetrics, RuntimeStatsClient, quiet_check, wait_drained, wait_no_queries
from bench.support import RESULTS_DIR, bench_environment, machine_lock, summarize
from infra.cursors import encode_cursor
from infra.processes import ROOT
from services.deals import domain as deals_domain

SERVICES = ("directory", "accounts", "deals", "goals")
ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
STATES = ("open_0", "open_25", "open_50", "open_75", "won", "lost")
PROBES = 100  # freshness probe deals (and goals); 20 with --quick


def log(message):
    print("[{}] {}".format(time.strftime("%H:%M:%S"), message), flush=True)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the reference services ----------------------------------------------------------------------------
class ReferenceProcesses:
    """bench.reference_services as `nameko run` processes with a stock config (AMQP_URI and, for the
    HTTP ones, WEB_SERVER_ADDRESS; nothing else, so every other setting is nameko's default)."""

    def __init__(self, amqp_uri, log_dir):
        self.amqp_uri, self.log_dir = amqp_uri, log_dir
        self.processes, self.urls = {}, {}
        self.config_dir = tempfile.mkdtemp(prefix="crm-bench-ref-")

    def _start(self, cls, port=None):
        config = os.path.join(self.config_dir, "{}.yaml".format(cls))
        with open(config, "w") as handle:
            handle.write("AMQP_URI: '{}'\n".format(self.amqp_uri))
            if port:
                handle.write("WEB_SERVER_ADDRESS: '127.0.0.1:{}'\n".format(port))
        os.makedirs(self.log_dir, exist_ok=True)
        output = open(os.path.join(self.log_dir, "reference-{}.log".format(cls)), "ab")
        env = dict(os.environ, PYTHONPATH=ROOT)
        self.processes[cls] = subprocess.Popen(
            [sys.executable, "-m", "nameko", "run", "--config", config, "bench.reference_services:{}".format(cls)],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        output.close()

    def start(self, timeout=60):
        http_port, hop_port = _free_port(), _free_port()
        self._start("StockConstant")
        self._start("ConstantHttp", http_port)
        self._start("StockHopGateway", hop_port)
        self.urls = {"constant_http": "http://127.0.0.1:{}".format(http_port),
                     "stock_hop": "http://127.0.0.1:{}".format(hop_port)}
        deadline = time.monotonic() + timeout
        for url, path in ((self.urls["constant_http"], "/constant"), (self.urls["stock_hop"], "/hop")):
            while True:
                for name, process in self.processes.items():
                    if process.poll() is not None:
                        raise RuntimeError("reference service {} exited; see {}".format(name, self.log_dir))
                try:
                    with urllib.request.urlopen(url + path, timeout=5) as response:
                        if response.read() == b"ok":
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("reference services did not answer {} within {}s".format(url + path, timeout))
                time.sleep(0.3)
        return self

    def pids(self):
        return {"ref:" + name: process.pid for name, process in self.processes.items()}

    def stop(self, grace=5):
        """SIGTERM to all, SIGKILL what is left after `grace` seconds (a stock nameko @http process can
        take long to stop gracefully; these hold no state)."""
        for process in self.processes.values():
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + grace
        for process in self.processes.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait()


# --- requests --------------------------------------------------------------------------------------------
def _auth(caller):
    return {"Authorization": "Bearer " + caller.token}


class Requests:
    """make_request(i) factories for one loaded workspace; callers rotate with i (round robin)."""

    def __init__(self, ws, database_urls, seed=11):
        self.ws, self.callers = ws, ws.callers
        rng = random.Random(seed)
        self.accounts = [rng.choice(ws.account_uuids) for _ in range(5000)] if ws.account_uuids else []
        self.goals = [rng.choice(ws.goal_uuids) for _ in range(5000)] if ws.goal_uuids else []
        self.deals = [rng.choice(ws.live_deal_ids) for _ in range(20000)] if ws.live_deal_ids else []
        self.rng = rng
        self.account_last_cursor, self.goal_last_cursor = self._last_cursors(database_urls)
        self.live_deals = len(ws.live_deal_ids)
        self.deal_middle_cursor = self._deal_cursor_at(database_urls, self.live_deals // 2)

    def _deal_cursor_at(self, urls, offset):
        """The X-Next-Cursor a client walking the deals index (name order, 25 a page) holds at `offset`."""
        connection = psycopg2.connect(urls["deals"])
        with connection.cursor() as cursor:
            cursor.execute("SELECT name_search, id FROM deals WHERE workspace_id = %s AND deleted_at IS NULL "
                           "ORDER BY name_search, id OFFSET %s LIMIT 1", (self.ws.id, max(offset - 1, 0)))
            row = cursor.fetchone()
        connection.close()
        return deals_domain.encode_deal_cursor(("name_search", "asc"), row[0], row[1]) if row else None

    def _last_cursors(self, urls):
        """The cursors a client holds before the last page of accounts (10) and goals (10)."""
        connection = psycopg2.connect(urls["accounts"])
        with connection.cursor() as cursor:
            cursor.execute("SELECT name, id FROM accounts WHERE workspace_id = %s AND deleted_at IS NULL "
                           "ORDER BY name DESC, id DESC OFFSET 10 LIMIT 1", (self.ws.id,))
            row = cursor.fetchone()
        connection.close()
        account_cursor = encode_cursor([row[0], row[1]]) if row else None
        connection = psycopg2.connect(urls["goals"])
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM goals WHERE workspace_id = %s AND deleted_at IS NULL ORDER BY id "
                           "OFFSET 10 LIMIT 1", (self.ws.id,))
            row = cursor.fetchone()
        connection.close()
        goal_cursor = encode_cursor([row[0]]) if row else None
        return account_cursor, goal_cursor

    def caller(self, i):
        return self.callers[i % len(self.callers)]

    def get_account(self, i):
        uuid = self.accounts[i % len(self.accounts)]
        return "GET", "/api/sales/accounts/account?uuid=" + uuid, _auth(self.caller(i)), None

    def list_accounts(self, i):
        return "POST", "/api/sales/accounts/", _auth(self.caller(i)), {"filters": {"page_size": 10}}

    def list_accounts_last_page(self, i):
        return "POST", "/api/sales/accounts/", _auth(self.caller(i)), {
            "filters": {"page_size": 10, "page": self.account_last_cursor}}

    def list_goals(self, i):
        return "POST", "/api/sales/goals", _auth(self.caller(i)), {"action": "get_all_goals", "page_size": 10}

    def list_goals_last_page(self, i):
        return "POST", "/api/sales/goals", _auth(self.caller(i)), {"action": "get_all_goals", "page_size": 10,
                                                                   "page": self.goal_last_cursor}

    def goal_progress(self, i):
        return "POST", "/api/sales/goals/progress", _auth(self.caller(i)), {"goal_uuid": self.goals[i % len(self.goals)]}

    def create_deal(self, i):
        ws, rng = self.ws, self.rng
        return "POST", "/api/deals.json", _auth(self.caller(i)), {"deal": {
            "name": "bench deal {}".format(i), "value": str(rng.randint(100, 100000)), "value_type": "Total",
            "value_count": "1", "currency": "EUR", "target_date": "2025-06-30", "current_state": STATES[i % 6],
            "type": "sale", "campaign_uuid": ws.campaigns[i % len(ws.campaigns)]["uuid"],
            "input_uuid": ws.inputs[i % len(ws.inputs)], "quantity": str(rng.randint(1, 5000)), "unit_id": 1,
            "account_uuid": self.accounts[i % len(self.accounts)] if self.accounts else None}}

    def update_deal_state(self, i):
        deal_id = self.deals[i % len(self.deals)]
        return "PUT", "/api/deals/{}.json".format(deal_id), _auth(self.caller(i)), {
            "deal": {"current_state": STATES[(i * 7 + deal_id) % 6]}}

    def deals_index(self, i):
        return "GET", "/api/deals.json?perpage=25", _auth(self.caller(i)), None

    def deals_index_last_page(self, i):
        page = max(1, math.ceil(self.live_deals / 25))
        return "GET", "/api/deals.json?perpage=25&page={}".format(page), _auth(self.caller(i)), None

    def deals_index_middle_page(self, i):
        page = max(1, math.ceil(self.live_deals / 25 / 2))  # offset paging's worst case: as far from both ends
        return "GET", "/api/deals.json?perpage=25&page={}".format(page), _auth(self.caller(i)), None

    def deals_index_deep_cursor(self, i):
        return "GET", "/api/deals.json?perpage=25&cursor={}".format(self.deal_middle_cursor), _auth(self.caller(i)), None

    def deals_stats(self, i):
        return "GET", "/api/deals/stats.json", _auth(self.caller(i)), None


def constant_request(path):
    def make(i):
        return "GET", path, {}, None
    return make


# --- measuring --------------------------------------------------------------------------------------------
class Bench:
    def __init__(self, env, refs, args):
        self.env, self.refs, self.args = env, refs, args
        self.amqp_uri = os.environ["AMQP_URI"]
        instances = component_processes(env.system)
        self.stats = RuntimeStatsClient(self.amqp_uri, SERVICES,
                                        process_counts={name: len(pids) for name, pids in instances.items()})
        self.pids = dict(refs.pids())
        for name, pids in instances.items():
            for number, pid in enumerate(pids, 1):
                self.pids[name if len(pids) == 1 else "{}#{}".format(name, number)] = pid

    def phase(self):
        return PhaseMetrics(self.env.vhost, self.stats, self.pids)

    def drain(self, label):
        seconds, drained = wait_drained(self.env.vhost, self.amqp_uri, timeout=self.args.drain_timeout)
        if seconds > 2 or not drained:
            log("    {}: event queues drained in {}s{}".format(label, seconds, "" if drained else " (NOT drained)"))
        return {"seconds": seconds, "drained": drained}

    def settle(self, label):
        """Between phases: event queues drained and no query of the previous phase still running."""
        drain = self.drain(label)
        databases = [url.rsplit("/", 1)[1] for url in self.env.database_urls.values()]
        seconds, cancelled = wait_no_queries(ADMIN_URL, databases)
        if seconds > 2 or cancelled:
            log("    {}: waited {}s for running queries{}".format(
                label, seconds, ", cancelled {}".format(cancelled) if cancelled else ""))
        return dict(drain, queries_wait_seconds=seconds, queries_cancelled=cancelled)

    def scenario(self, name, base_url, make_request, writes=False, connections=None):
        """(a) saturate at N connections, (b) constant rate at a fraction of (a)'s throughput."""
        args = self.args
        connections = connections or args.connections
        with self.phase() as metrics:
            saturated = loadgen.saturate(base_url, make_request, connections, args.seconds, args.warmup)
        saturated["metrics"] = metrics.report()
        drain_after_saturate = self.settle(name)
        rate = max(1.0, round(saturated["ok_rps"] * args.fraction, 1))
        with self.phase() as metrics:
            steady = loadgen.constant_rate(base_url, make_request, rate, connections, args.seconds, args.warmup)
        steady["metrics"] = metrics.report()
        drain_after_steady = self.settle(name)
        result = {"saturate": saturated, "constant_rate": steady, "drain_after_saturate": drain_after_saturate,
                  "drain_after_constant_rate": drain_after_steady}
        log("  {:<26} {:>7.1f} req/s @{} | at {:>6.1f}/s p50 {:>6.1f} p95 {:>6.1f} p99 {:>7.1f} ms | {}".format(
            name, saturated["ok_rps"], connections, rate, steady.get("p50_ms", float("nan")),
            steady.get("p95_ms", float("nan")), steady.get("p99_ms", float("nan")), _errors_text(result)))
        return result

    def fixed_rate(self, name, base_url, make_request, rate, seconds, warmup, connections=8):
        with self.phase() as metrics:
            result = loadgen.constant_rate(base_url, make_request, rate, connections, seconds, warmup)
        result["metrics"] = metrics.report()
        log("  {:<26} at {:>5.1f}/s p50 {:>6.1f} p95 {:>6.1f} p99 {:>7.1f} ms | {}".format(
            name, rate, result.get("p50_ms", float("nan")), result.get("p95_ms", float("nan")),
            result.get("p99_ms", float("nan")), _errors_text({"constant_rate": result})))
        return result


def component_processes(system):
    """{component: [pid, ...]}: every process of each component (System.instances when the launcher
    runs several per component, else System.processes)."""
    instances = getattr(system, "instances", None)
    if instances:
        return {name: [process.pid for process in processes] for name, processes in instances.items()}
    return {name: [process.pid] for name, process in system.processes.items()}


def _errors_text(result):
    parts = []
    for phase in ("saturate", "constant_rate"):
        data = result.get(phase)
        if not data:
            continue
        statuses = data.get("statuses", {})
        bad = {s: n for s, n in statuses.items() if not s.startswith("2")}
        if bad or data.get("errors"):
            parts.append("{}: {} errors {}".format(phase, data.get("errors", 0), bad))
    return "; ".join(parts) or "no errors"


# --- freshness --------------------------------------------------------------------------------------------
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
            return "PUT", "/api/deals/{}.json".format(deal_id), _auth(requests.caller(i)), {
                "deal": {"quantity": str(base_quantity + i)}}
        deal_id = requests.deals[i % len(requests.deals)]
        return "PUT", "/api/deals/{}.json".format(deal_id), _auth(requests.caller(i)), {
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


# --- run ----------------------------------------------------------------------------------------------------
MAIN_SCENARIOS = (
    # name, Requests method, writes, single-record read
    ("get_account", "get_account", False),
    ("list_accounts", "list_accounts", False),
    ("list_goals", "list_goals", False),
    ("goal_progress", "goal_progress", False),
    ("deals_index", "deals_index", False),
    ("deals_stats", "deals_stats", False),
    ("create_deal", "create_deal", True),
    ("update_deal_state", "update_deal_state", True),
)
DEPTH_SCENARIOS = (
    ("list_accounts_last_page", "list_accounts_last_page", "list_accounts"),
    ("list_goals_last_page", "list_goals_last_page", "list_goals"),
    ("deals_index_last_page", "deals_index_last_page", "deals_index"),
    ("deals_index_middle_page", "deals_index_middle_page", "deals_index"),
    ("deals_index_deep_cursor", "deals_index_deep_cursor", "deals_index"),
)
ISOLATION_READS = ("get_account", "list_accounts", "list_goals", "goal_progress", "deals_index", "deals_stats")


def reconcile(workspace_id, local=True):
    """`services.goals.cli reconcile`: against the goals projection (--local) or against the deals
    service's own opportunities (RPC list_opportunities: the cross-service check)."""
    started = time.perf_counter()
    command = [sys.executable, "-m", "services.goals.cli", "reconcile", "--workspace", str(workspace_id)]
    process = subprocess.run(command + (["--local"] if local else []), cwd=ROOT, env=dict(os.environ, PYTHONPATH=ROOT),
                             capture_output=True, text=True, timeout=1800)
    lines = [line for line in process.stdout.splitlines() if line.startswith(("reconcile:", "DRIFT"))]
    return {"workspace_id": workspace_id, "local": local, "exit_status": process.returncode, "output": lines[-5:],
            "seconds": round(time.perf_counter() - started, 1)}


def machine_info():
    import importlib.metadata as metadata
    versions = {}
    for package in ("nameko", "eventlet", "kombu", "SQLAlchemy", "psycopg2-binary", "Werkzeug", "redis"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None

    def command(*argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True, timeout=20).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return None

    cpu_model = None
    try:
        with open("/proc/cpuinfo") as handle:
            cpu_model = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), None)
    except OSError:
        pass
    postgres = None
    try:
        connection = psycopg2.connect(os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            postgres = cursor.fetchone()[0]
        connection.close()
    except psycopg2.Error:
        pass
    rabbitmq = None
    try:
        from tests.support import resources
        rabbitmq = resources.management("GET", "/overview").get("rabbitmq_version")
    except Exception:
        pass
    return {"nproc": os.cpu_count(), "cpu_model": cpu_model, "python": platform.python_version(),
            "platform": platform.platform(), "packages": versions, "postgresql": postgres, "rabbitmq": rabbitmq,
            "redis": command("redis-server", "--version"), "git_commit": command("git", "-C", ROOT, "rev-parse", "HEAD"),
            # what was measured beyond the commit: uncommitted changes in the working tree
            "git_uncommitted": (command("git", "-C", ROOT, "status", "--porcelain") or "").splitlines()}


def run(args):
    started = time.perf_counter()
    lock = machine_lock(log)  # noqa: F841  (held until the process exits)
    mode = "quick" if args.quick else "full"
    sizes = SIZES[mode]
    report = {"mode": mode, "started_at": datetime.now(timezone.utc).isoformat(), "machine": machine_info(),
              "settings": {"connections": args.connections, "seconds": args.seconds, "warmup": args.warmup,
                           "constant_rate_fraction": args.fraction, "freshness_rate": args.freshness_rate,
                           "rate_limit_per_caller": os.environ.get("RATE_LIMIT_PER_SECOND", "10 (default)"),
                           "isolation_rate": args.isolation_rate},
              "sizes": {"big": vars(sizes["big"]), "small": vars(sizes["small"]), "small_count": sizes["small_count"]}}
    quiet = quiet_check()
    waited_until = time.monotonic() + args.wait_quiet
    while quiet["machine_busy_percent"] and quiet["machine_busy_percent"] > 15 and time.monotonic() < waited_until:
        log("the machine is {}% busy (top: {}); waiting for it to be quiet".format(
            quiet["machine_busy_percent"], list(quiet["other_processes_top"])[:2]))
        time.sleep(10)
        quiet = quiet_check(5)
    report["before_start"] = quiet
    report["waited_seconds"] = round(time.perf_counter() - started, 1)  # for the lock and a quiet machine
    started = time.perf_counter()  # the run's own time starts here
    if quiet["machine_busy_percent"] and quiet["machine_busy_percent"] > 20:
        log("WARNING: the machine is {}% busy before the benchmark starts (top: {}); the numbers will show "
            "it".format(quiet["machine_busy_percent"], quiet["other_processes_top"]))
    log("benchmark ({}): starting PostgreSQL databases, vhost and the whole system".format(mode))
    with bench_environment() as env:
        refs = ReferenceProcesses(os.environ["AMQP_URI"], env.system.log_dir).start()
        try:
            bench = Bench(env, refs, args)
            report["processes"] = {name: len(pids) for name, pids in component_processes(env.system).items()}
            loader = DatasetLoader(env.api, env.database_urls, os.environ["JWT_SECRET"], log=log)
            log("loading {} small workspaces".format(sizes["small_count"]))
            smalls = [loader.load_workspace("small-{}".format(n), sizes["small"]) for n in range(sizes["small_count"])]
            loader.analyze()
            small = smalls[0]
            small_requests = Requests(small, env.database_urls)
            isolation_rate, isolation_seconds = args.isolation_rate, max(3, args.seconds // 2)
            log("small workspace reads, before the big workspace exists ({}/s)".format(isolation_rate))
            before = {name: bench.fixed_rate("small:" + name, env.system.base_url, getattr(small_requests, name),
                                             isolation_rate, isolation_seconds, 1)
                      for name in ISOLATION_READS}
            log("loading the big workspace ({:,} accounts, {:,} deals, {:,} goals)".format(
                sizes["big"].accounts, sizes["big"].deals, sizes["big"].goals))
            load_started = time.perf_counter()
            big = loader.load_workspace("big", sizes["big"])
            log("  VACUUM ANALYZE")
            loader.analyze()
            report["load_seconds"] = round(time.perf_counter() - load_started, 1)
            report["workspaces"] = {ws.name: {"id": ws.id, "counts": ws.counts, "load_seconds": ws.seconds}
                                    for ws in smalls + [big]}
            report["consistency"] = {ws.name: check_consistency(env.database_urls, ws) for ws in smalls + [big]}
            log("consistency across services: {}".format(
                {name: check["ok"] for name, check in report["consistency"].items()}))
            report["reconcile"] = [reconcile(small.id), reconcile(small.id, local=False)] + \
                ([reconcile(big.id)] if args.quick else [])
            for entry in report["reconcile"]:
                log("  goals reconcile{} --workspace {}: {}".format(" --local" if entry["local"] else "",
                                                                  entry["workspace_id"], " | ".join(entry["output"])))
            log("small workspace reads, after the big workspace was loaded ({}/s)".format(isolation_rate))
            after = {name: bench.fixed_rate("small:" + name, env.system.base_url, getattr(small_requests, name),
                                            isolation_rate, isolation_seconds, 1)
                     for name in ISOLATION_READS}
            report["isolation"] = {name: {"before_p50_ms": before[name].get("p50_ms"),
                                          "after_p50_ms": after[name].get("p50_ms"),
                                          "before_p99_ms": before[name].get("p99_ms"),
                                          "after_p99_ms": after[name].get("p99_ms"),
                                          "p50_ratio": _ratio(after[name].get("p50_ms"), before[name].get("p50_ms")),
                                          "before": before[name], "after": after[name]}
                                   for name in ISOLATION_READS}

            log("reference points (stock nameko)")
            results = {"constant_http": bench.scenario("ref:constant_http", refs.urls["constant_http"],
                                                       constant_request("/constant")),
                       "stock_hop": bench.scenario("ref:stock_hop", refs.urls["stock_hop"], constant_request("/hop"))}
            requests = Requests(big, env.database_urls)
            log("scenarios on the big workspace ({} callers)".format(len(requests.callers)))
            # reads first and each list's deep pages right after them, on the same tables; the writes
            # (and their dead tuples and autovacuum) after both
            for name, method, writes in MAIN_SCENARIOS:
                if not writes:
                    results[name] = bench.scenario(name, env.system.base_url, getattr(requests, method))
            log("first page vs last page")
            report["depth"] = {}
            for name, method, first in DEPTH_SCENARIOS:
                deep = bench.scenario(name, env.system.base_url, getattr(requests, method))
                report["depth"][name] = {"first_page": first, "result": deep,
                                         "p50_ratio_to_first_page": _ratio(
                                             deep["constant_rate"].get("p50_ms"),
                                             results[first]["constant_rate"].get("p50_ms")),
                                         "throughput_ratio_to_first_page": _ratio(
                                             deep["saturate"]["ok_rps"], results[first]["saturate"]["ok_rps"])}
            for name, method, writes in MAIN_SCENARIOS:
                if writes:
                    results[name] = bench.scenario(name, env.system.base_url, getattr(requests, method), writes=True)
            report["scenarios"] = results
            log("event freshness at {}/s deal updates".format(args.freshness_rate))
            report["freshness"] = measure_freshness(bench, big, requests, args.freshness_rate,
                                                    args.freshness_seconds, args.warmup,
                                                    probe_count=20 if args.quick else PROBES)
            report["freshness_sweep"] = {}
            for rate in [float(r) for r in args.freshness_sweep.split(",") if r.strip()]:
                log("event freshness at {}/s deal updates (below the target rate: where does it hold?)".format(rate))
                report["freshness_sweep"][str(rate)] = measure_freshness(
                    bench, big, requests, rate, args.freshness_seconds, args.warmup,
                    probe_count=20 if args.quick else PROBES)
            report["runtime_stats_at_end"] = bench.stats.snapshot()
            bench.stats.close()
        finally:
            log("stopping the reference services, then the system; dropping the run's databases and vhost")
            refs.stop()
    report["total_seconds"] = round(time.perf_counter() - started, 1)
    report["table"] = render(report)
    paths = write_report(report)
    print()
    print(report["table"])
    print()
    log("benchmark finished in {:.1f} min (after {:.1f} min waiting for the machine); written {}".format(
        report["total_seconds"] / 60, report["waited_seconds"] / 60, ", ".join(paths)))
    return report


def _ratio(a, b):
    if a is None or b in (None, 0):
        return None
    return round(a / b, 2)


def _fmt(value, digits=1):
    return "–" if value is None else ("{:.%df}" % digits).format(value)


def table(report):
    scenarios = report["scenarios"]
    hop = scenarios["stock_hop"]
    hop_rps, hop_p99 = hop["saturate"]["ok_rps"], hop["constant_rate"].get("p99_ms")
    lines = [
        "| scenario | req/s @{c} conns | × stock hop | p99 @{c} conns (ms) | constant rate (req/s) | p50 / p95 / p99 (ms) | "
        "p99 × stock hop | non-2xx / 429 / errors | other processes' CPU |".format(c=report["settings"]["connections"]),
        "|---|---:|---:|---:|---:|---|---:|---|---:|"]

    def row(name, result):
        sat, steady = result["saturate"], result["constant_rate"]
        statuses = {}
        for phase in (sat, steady):
            for status, n in phase.get("statuses", {}).items():
                statuses[status] = statuses.get(status, 0) + n
        non2xx = sum(n for status, n in statuses.items() if not status.startswith("2"))
        errors = sat.get("errors", 0) + steady.get("errors", 0)
        foreign = max(phase.get("metrics", {}).get("cpu", {}).get("other_processes_percent_of_machine") or 0
                      for phase in (sat, steady))
        lines.append("| {} | {} | {} | {} | {} | {} / {} / {} | {} | {} / {} / {} | {:.0f}% |".format(
            name, _fmt(sat["ok_rps"]), _fmt(_ratio(sat["ok_rps"], hop_rps), 2), _fmt(sat.get("p99_ms")),
            _fmt(steady.get("target_rps")), _fmt(steady.get("p50_ms")), _fmt(steady.get("p95_ms")),
            _fmt(steady.get("p99_ms")), _fmt(_ratio(steady.get("p99_ms"), hop_p99), 2), non2xx,
            statuses.get("429", 0), errors, foreign))

    for name, result in scenarios.items():
        row(name if not name in ("constant_http", "stock_hop") else "*{}* (reference)".format(name), result)
    for name, entry in report.get("depth", {}).items():
        row(name, entry["result"])
    fresh = report.get("freshness")
    quiet = report.get("before_start", {})
    out = ["Mode: {mode}; {nproc} CPUs ({cpu}); data set: {accounts:,} accounts, {deals:,} deals, {goals:,} goals in "
           "the big workspace (+{small_count} small ones); {total:.1f} min in all.".format(
               mode=report["mode"], nproc=report["machine"]["nproc"], cpu=report["machine"]["cpu_model"],
               accounts=report["sizes"]["big"]["accounts"], deals=report["sizes"]["big"]["deals"],
               goals=report["sizes"]["big"]["goals"], small_count=report["sizes"]["small_count"],
               total=report.get("total_seconds", 0) / 60),
           "Processes per component: {}. Machine busy before the start: {}% (other processes' CPU column: their "
           "share of the machine during the scenario's phases, the larger of the two; anything above a few percent "
           "means the numbers are disturbed).".format(
               ", ".join("{} {}".format(k, v) for k, v in report.get("processes", {}).items()) or "?",
               quiet.get("machine_busy_percent")), ""] + lines
    if fresh:
        f, http = fresh.get("freshness", {}), fresh["http"]
        out += ["", "Event freshness (deal update answered → goal_progress_changed received) at {:.0f} deal updates/s: "
                "p50 {} / p95 {} / p99 {} ms, max {} ms (n={}; {} updates without an event); the updates' HTTP p50 {} / "
                "p99 {} ms; still queued in the load generator at the end (the system could not keep up): {}; other "
                "non-2xx {}, errors {}.".format(
                    fresh["rate_total"], _fmt(f.get("p50_ms")), _fmt(f.get("p95_ms")), _fmt(f.get("p99_ms")),
                    _fmt(f.get("max_ms")), f.get("n", 0), fresh["probe_updates_without_event"], _fmt(http.get("p50_ms")),
                    _fmt(http.get("p99_ms")), http.get("unfinished", 0),
                    sum(n for s, n in http.get("statuses", {}).items() if not s.startswith("2") and s != "0"),
                    http.get("errors", 0))]
    sweep = report.get("freshness_sweep")
    if sweep:
        out += ["", "Event freshness at lower rates: " + "; ".join(
            "{:.0f}/s: p50 {} / p99 {} ms (HTTP p99 {} ms, {} still queued at the end)".format(
                entry["rate_total"], _fmt(entry.get("freshness", {}).get("p50_ms")),
                _fmt(entry.get("freshness", {}).get("p99_ms")), _fmt(entry["http"].get("p99_ms")),
                entry["http"].get("unfinished", 0)) for entry in sweep.values()) + "."]
    iso = report.get("isolation")
    if iso:
        out += ["", "Other workspaces' size: a small workspace's reads at {}/s before → after loading the big "
                "workspace, p50 ms: {}.".format(report["settings"].get("isolation_rate", "fixed"), "; ".join(
                    "{} {} → {} (×{})".format(name, _fmt(v["before_p50_ms"]), _fmt(v["after_p50_ms"]),
                                             _fmt(v["p50_ratio"], 2)) for name, v in iso.items()))]
    depth = report.get("depth")
    if depth:
        out += ["", "Depth: last page vs first page (saturated throughput ratio; constant-rate p50 ratio): {}.".format(
            "; ".join("{} ×{} / ×{}".format(name, _fmt(v["throughput_ratio_to_first_page"], 2),
                                            _fmt(v["p50_ratio_to_first_page"], 2)) for name, v in depth.items()))]
    return "\n".join(out)


FLAT = 1.25  # "costs the same": within 25% (phases of a few seconds on a 2-core machine are that noisy)


def targets(report):
    """The issue's targets against this run's numbers: [(target, measured, verdict)]."""
    scenarios, rows = report["scenarios"], []
    hop = scenarios["stock_hop"]["saturate"]["ok_rps"]

    def verdict(ok):
        return "met" if ok else "MISSED"

    for name in ("get_account", "goal_progress"):
        result = scenarios.get(name)
        if not result:
            continue
        ratio = _ratio(result["saturate"]["ok_rps"], hop)
        rows.append(("{}: ≥ 2× stock hop throughput at {} connections".format(name, report["settings"]["connections"]),
                     "×{}".format(_fmt(ratio, 2)), verdict(ratio is not None and ratio >= 2)))
        steady_p99, closed_p99 = result["constant_rate"].get("p99_ms"), result["saturate"].get("p99_ms")
        rows.append(("{}: p99 < 25 ms".format(name),
                     "{} ms at {}/s (open loop); {} ms at {} connections (closed loop)".format(
                         _fmt(steady_p99), _fmt(result["constant_rate"].get("target_rps")), _fmt(closed_p99),
                         report["settings"]["connections"]),
                     "{} / {}".format(verdict(steady_p99 is not None and steady_p99 < 25),
                                      verdict(closed_p99 is not None and closed_p99 < 25))))
    for name in ("create_deal", "update_deal_state"):
        result = scenarios.get(name)
        if result:
            ratio = _ratio(result["saturate"]["ok_rps"], hop)
            rows.append(("{}: ≥ 1× stock hop throughput".format(name), "×{}".format(_fmt(ratio, 2)),
                         verdict(ratio is not None and ratio >= 1)))
    fresh = report.get("freshness")
    if fresh:
        p99 = fresh.get("freshness", {}).get("p99_ms")
        ok = p99 is not None and p99 < 100 and not fresh["probe_updates_without_event"]
        capacity = scenarios.get("update_deal_state", {}).get("saturate", {}).get("ok_rps")
        rows.append(("event freshness p99 < 100 ms at {:.0f} deal updates/s".format(fresh["rate_total"]),
                     "{} ms (the updates' HTTP p99 {} ms, {} still queued at the end; deal updates saturate at "
                     "{}/s)".format(_fmt(p99), _fmt(fresh["http"].get("p99_ms")), fresh["http"].get("unfinished", 0),
                                    _fmt(capacity)),
                     verdict(ok)))
    iso = report.get("isolation", {})
    if iso:
        worst = max(iso.items(), key=lambda item: item[1]["p50_ratio"] or 0)
        rows.append(("no endpoint's cost grows with other workspaces (small workspace p50 after/before ≤ {})".format(FLAT),
                     "worst {} ×{}".format(worst[0], _fmt(worst[1]["p50_ratio"], 2)),
                     verdict((worst[1]["p50_ratio"] or 0) <= FLAT)))
    for name, entry in report.get("depth", {}).items():
        ratio = entry["throughput_ratio_to_first_page"]
        rows.append(("{} costs the same as the first page (saturated throughput ratio ≥ {:.2f})".format(name, 1 / FLAT),
                     "×{} (constant-rate p50 ×{})".format(_fmt(ratio, 2), _fmt(entry["p50_ratio_to_first_page"], 2)),
                     verdict(ratio is not None and ratio >= 1 / FLAT)))
    return rows


def targets_table(report):
    lines = ["| target | measured | verdict |", "|---|---|---|"]
    lines += ["| {} | {} | {} |".format(*row) for row in targets(report)]
    return "\n".join(lines)


def render(report):
    return table(report) + "\n\nAgainst the issue's targets:\n\n" + targets_table(report)


def write_report(report, json_path=None):
    os.makedirs(RESULTS_DIR, exist_ok=True)
    stamp = datetime.now().strftime("%Y-%m-%d")
    suffix = "" if report["mode"] == "full" else "-quick"
    if json_path is None:
        json_path = os.path.join(RESULTS_DIR, "{}{}.json".format(stamp, suffix))
    else:
        stamp = os.path.basename(json_path).split(".")[0].replace("-quick", "")
    md_path = json_path[:-len(".json")] + ".md"
    with open(json_path, "w") as handle:
        json.dump(report, handle, indent=1, default=str)
    with open(md_path, "w") as handle:
        handle.write("# Benchmark {} ({})\n\n{}\n\nSee bench/run.py for what each column means; raw numbers, queue "
                     "depths, pool waits and CPU per phase: {}\n".format(stamp, report["mode"], report["table"],
                                                                        os.path.basename(json_path)))
    return [os.path.relpath(json_path, ROOT), os.path.relpath(md_path, ROOT)]


def main(argv=None):
    parser = argparse.ArgumentParser(description="CRM load benchmark (see bench/run.py)")
    parser.add_argument("--quick", action="store_true", help="small data set and short phases (~3-5 minutes)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=None, help="measured seconds per phase (15 full, 3 quick)")
    parser.add_argument("--warmup", type=float, default=None, help="warm-up seconds per phase (3 full, 1 quick)")
    parser.add_argument("--fraction", type=float, default=0.7, help="constant rate as a fraction of saturation")
    parser.add_argument("--freshness-rate", type=float, default=200.0)
    parser.add_argument("--freshness-sweep", default="50,100",
                        help="further deal-update rates (comma-separated) measured after --freshness-rate")
    parser.add_argument("--freshness-seconds", type=float, default=None, help="(30 full, 8 quick)")
    parser.add_argument("--isolation-rate", type=float, default=20.0)
    parser.add_argument("--drain-timeout", type=float, default=300.0)
    parser.add_argument("--wait-quiet", type=float, default=0.0,
                        help="wait up to this many seconds for the machine to be idle (<15%% busy) before starting")
    parser.add_argument("--rewrite", metavar="JSON", help="only rebuild the table and .md of an earlier run's JSON")
    args = parser.parse_args(argv)
    if args.rewrite:
        with open(args.rewrite) as handle:
            report = json.load(handle)
        report["table"] = render(report)
        print(report["table"])
        print("written", ", ".join(write_report(report, os.path.abspath(args.rewrite))))
        return
    faulthandler.register(signal.SIGUSR1)  # `kill -USR1 <pid>` prints where a run is stuck
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up processes, databases and vhost
    if args.seconds is None:
        args.seconds = 3 if args.quick else 15
    if args.warmup is None:
        args.warmup = 1 if args.quick else 3
    if args.freshness_seconds is None:
        args.freshness_seconds = 8 if args.quick else 30
    run(args)


if __name__ == "__main__":
    main()
