"""The benchmark harness's pieces (`make bench`, bench/run.py), kept fast: the load generator against
a tiny server, the data-set loader on a small workspace of the suite's own system (consistent
across services: counters, projections, goal figures with zero reconcile drift) answering every
request the benchmark measures, the pool metering behind `runtime_stats()`, scenario modules'
rows in the report, and the committed results rendering with the current report code."""
import json
import os
import subprocess
import sys
import threading
import time
import types

import eventlet
import pytest
from nameko.standalone.rpc import ServiceRpcProxy
from sqlalchemy import text

from infra.db import Database, MeteredQueuePool, get_engine
from infra.entrypoints import rpc
from infra.processes import ROOT
from infra.stats import RuntimeStats


# --- the load generator, in a clean interpreter (asyncio does not mix with the suite's eventlet) ----------
def loadgen_checks():
    """Runs in a subprocess: a tiny keep-alive HTTP/1.1 server and both load-generator modes."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from bench import loadgen

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            if self.path.startswith("/slow"):
                time.sleep(1.0)
            if self.path.startswith("/chunked"):
                self.send_response(200)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for part in (b"hello ", b"world"):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                self.wfile.write(b"0\r\n\r\n")
                return
            body = b"ok"
            self.send_response(429 if self.path.startswith("/limited") else 200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = "http://127.0.0.1:{}".format(server.server_address[1])
    bodies = []

    def get(path):
        return lambda i: ("GET", path, {}, None)

    results = {
        "saturate": loadgen.saturate(url, get("/ok"), connections=4, seconds=1, warmup=0.2),
        "constant": loadgen.constant_rate(url, get("/ok"), rate=50, connections=4, seconds=1, warmup=0.2,
                                          on_response=lambda i, status, body, at: bodies.append(body)),
        "chunked": loadgen.saturate(url, get("/chunked"), connections=2, seconds=0.5, warmup=0,
                                    on_response=lambda i, status, body, at: bodies.append(body)),
        "limited": loadgen.saturate(url, get("/limited"), connections=2, seconds=0.3, warmup=0),
        "timeouts": loadgen.saturate(url, get("/slow"), connections=2, seconds=0.5, warmup=0, timeout=0.2),
    }
    started = time.perf_counter()
    results["behind"] = loadgen.constant_rate(url, get("/slow"), rate=20, connections=1, seconds=1, warmup=0,
                                              drain=0.5, timeout=30)
    results["behind_seconds"] = time.perf_counter() - started
    results["bodies"] = sorted({body.decode() for body in bodies})
    server.shutdown()
    print(json.dumps(results))


def test_load_generator_measures_closed_and_open_loops():
    done = subprocess.run([sys.executable, "-c", "import tests.test_bench_harness as t; t.loadgen_checks()"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60, env=dict(os.environ, PYTHONPATH=ROOT))
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout.strip().splitlines()[-1])
    saturate, constant = results["saturate"], results["constant"]
    assert saturate["errors"] == 0 and saturate["ok_rps"] > 50 and saturate["statuses"] == {"200": saturate["n"]}
    assert constant["errors"] == 0 and 40 <= constant["n"] <= 55, constant  # ~50 requests due in the measured second
    assert constant["p99_ms"] < 500
    assert results["chunked"]["errors"] == 0 and "hello world" in results["bodies"] and "ok" in results["bodies"]
    assert results["limited"]["statuses"].get("429", 0) > 0 and results["limited"]["ok_rps"] == 0
    assert results["timeouts"]["timeouts"] > 0
    # a server that falls behind: the queued requests count (unfinished, with their wait so far), and the
    # run ends at the drain deadline instead of waiting for every answer
    behind = results["behind"]
    assert behind["unfinished"] > 5 and behind["p99_ms"] >= 500, behind
    assert results["behind_seconds"] < 5


# --- the data set --------------------------------------------------------------------------------------
def test_dataset_loads_a_workspace_consistent_across_services(api, test_env):
    from bench.dataset import DatasetLoader, Size, check_consistency

    loader = DatasetLoader(api, test_env.database_urls, os.environ["JWT_SECRET"], log=lambda *_: None)
    size = Size(accounts=40, deals=600, goals=15, users=6, campaigns=2, groups=2, inputs=3, crops=2)
    ws = loader.load_workspace("bench-harness", size, rebuild_indexes=False)
    assert ws.counts["deals"] == 600 and ws.counts["accounts"] == 40 and ws.counts["contributions"] > 0

    consistency = check_consistency(test_env.database_urls, ws)
    assert consistency["ok"], consistency

    done = subprocess.run([sys.executable, "-m", "services.goals.cli", "reconcile", "--local", "--workspace",
                           str(ws.id)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "0 with drift" in done.stdout, done.stdout + done.stderr

    # the loaded rows answer through the API, with the loaded users' tokens
    caller = ws.users[0]
    listed = api.post("/api/sales/accounts/", {"filters": {"page_size": 1000}}, token=caller.token)
    assert listed.status_code == 200, listed.text
    counted = sum(n for bucket in (a["opportunities"] for a in listed.json()["data"])
                  for per_type in bucket.values() for n in per_type.values())
    assert counted == consistency["live_deals_with_account"]
    progress = api.post("/api/sales/goals/progress", {"goal_uuid": ws.goal_uuids[0]}, token=caller.token)
    assert progress.status_code == 200, progress.text
    deal = api.get("/api/deals/{}.json".format(ws.live_deal_ids[0]), token=caller.token)
    assert deal.status_code == 200, deal.text

    # every request `make bench` measures answers 2xx on the loaded workspace (else it would time errors)
    from bench.run import api_key_of
    from bench.workload import DEPTH, READS, WRITES, Requests
    requests = Requests(ws, test_env.database_urls, api_key=api_key_of(api, ws))
    for name in READS + tuple(deep for deep, _ in DEPTH) + WRITES:
        method, path, headers, body = getattr(requests, name)(7)
        response = api.request(method, path, headers=headers, json=body)
        assert 200 <= response.status_code < 300, (name, response.status_code, response.text[:300])


# --- pool metering and runtime_stats ---------------------------------------------------------------------
def test_pool_metering_counts_a_checkout_that_waited(test_env):
    url = test_env.database_urls["directory"]
    import psycopg2
    from sqlalchemy import create_engine

    def slow_connect():  # opening the connection takes 100 ms, which must not count as waiting
        eventlet.sleep(0.1)
        return psycopg2.connect(url)

    engine = create_engine("postgresql+psycopg2://", creator=slow_connect, poolclass=MeteredQueuePool, pool_size=1,
                           max_overflow=0, pool_timeout=5)
    try:
        held = engine.connect()
        # the first checkout opened the connection: counted as a connect, not as a wait (on a busy
        # machine a checkout may still be descheduled for a few ms, hence no exact count of waits here)
        first = dict(engine.pool.metrics)
        assert first["checkouts"] == 1 and first["connects"] == 1 and first["connect_ms_total"] >= 100
        assert first["wait_ms_max"] < 100
        releaser = eventlet.spawn_after(0.2, held.close)
        started = time.perf_counter()
        with engine.connect() as connection:  # waits for the held connection
            connection.execute(text("SELECT 1"))
        waited = time.perf_counter() - started
        releaser.wait()
        metrics = engine.pool.metrics
        assert waited >= 0.15
        assert metrics["checkouts"] == 2 and metrics["waits_over_1ms"] == first["waits_over_1ms"] + 1
        assert metrics["wait_ms_total"] - first["wait_ms_total"] >= 150 and metrics["wait_ms_max"] >= 150
        assert metrics["timeouts"] == 0 and metrics["connects"] == 1
    finally:
        engine.dispose()


class StatsProbe(RuntimeStats):
    name = "stats_probe"
    db = Database(service_name="directory")

    @rpc
    def query(self):
        return self.db.execute(text("SELECT 1")).scalar()


def test_runtime_stats_entrypoint_reports_pools_and_cpu(container_factory, service_config, test_env):
    container = container_factory(StatsProbe, service_config)
    container.start()
    with ServiceRpcProxy("stats_probe", service_config) as proxy:
        assert proxy.query() == 1
        stats = proxy.runtime_stats()
    database = test_env.database_urls["directory"].rsplit("/", 1)[1]
    assert stats["service"] == "stats_probe" and stats["cpu_seconds"] >= 0
    pool = stats["pools"][database]
    assert pool["checkouts"] >= 1 and pool["size"] >= 1 and "waits_over_1ms" in pool and "wait_ms_max" in pool
    assert get_engine(test_env.database_urls["directory"]).pool.__class__ is MeteredQueuePool


def test_bench_entry_point_parses_its_options():
    done = subprocess.run([sys.executable, "-m", "bench.run", "--help"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, env=dict(os.environ, PYTHONPATH=ROOT))
    assert done.returncode == 0 and "--quick" in done.stdout, done.stderr


# --- scenario modules and the report --------------------------------------------------------------------
RESULTS = os.path.join(ROOT, "bench", "results")


def committed_report(mode):
    with open(os.path.join(RESULTS, "{}.json".format(mode))) as handle:
        return json.load(handle)


class ModuleBench:
    """What run_modules needs of bench.run.Bench, without a system: settle, and measure's result shape."""

    def __init__(self, result):
        self.result, self.settled = result, []

    def settle(self, label):
        self.settled.append(label)

    def measure(self, name, make_request):
        return self.result


def scenario_module(rows):
    module = types.ModuleType("bench_probe_module")
    module.run = lambda bench, quick: {name: bench.measure(name, None) for name in rows}
    return module


def test_scenario_modules_add_rows_to_the_report_and_table():
    from bench.report import render
    from bench.run import run_modules
    report = committed_report("quick")
    result = report["scenarios"]["get_account"]
    run_modules(ModuleBench(result), {"bench.probe": scenario_module(["prospects_list", "prospects_search"])},
                report, quick=True)
    assert list(report["modules"]["bench.probe"]) == ["prospects_list", "prospects_search"]
    rendered = render(report)
    assert "| prospects_list | {:.1f} |".format(result["saturate"]["ok_rps"]) in rendered
    assert "| prospects_search |" in rendered


def test_a_scenario_module_may_not_reuse_a_row_name():
    from bench.run import run_modules
    report = committed_report("quick")
    with pytest.raises(RuntimeError, match="deals_index"):
        run_modules(ModuleBench(report["scenarios"]["deals_index"]), {"bench.probe": scenario_module(["deals_index"])},
                    report, quick=False)


def test_a_scenario_module_without_run_is_refused_before_the_run_starts():
    from bench.run import scenario_modules
    with pytest.raises(SystemExit, match="bench.workload has no run"):
        scenario_modules(["bench.workload"])
    with pytest.raises(ModuleNotFoundError):
        scenario_modules(["bench.no_such_scenarios"])


def test_committed_results_render_and_a_disturbed_run_says_so():
    from bench.report import render
    for mode in ("full", "quick"):
        report = committed_report(mode)
        rendered = render(report)
        assert "| get_account |" in rendered and "Against the issue's targets" in rendered
        assert "DISTURBED" not in rendered  # the committed runs had the machine to themselves
    report = committed_report("quick")
    report["scenarios"]["list_goals"]["constant_rate"]["metrics"]["cpu"]["other_processes_percent_of_machine"] = 37
    assert render(report).startswith("**DISTURBED RUN**: other processes used up to 37% of the machine")


def test_a_full_run_renders_issue_15s_cpu_budget_before_and_after_split_by_kind_of_process():
    from bench.report import render
    report = committed_report("quick")
    assert "CPU milliseconds per request" not in render(report)  # quick runs leave the budget out
    with open(os.path.join(RESULTS, "cpu_budget-before.json")) as handle:
        before = json.load(handle)["results"]
    after = {"get_deal": {"cpu_ms_per_request": {"gateway0": 0.5, "gateway1": 0.25, "deals0": 0.5, "PostgreSQL": 0.2,
                                                 "PostgreSQL (others)": 9.0, "RabbitMQ": 0.35, "kernel": 0.02,
                                                 "bench (load generator)": 0.1},
                          "system_cpu_ms_per_request": 1.82, "system_cpu_ms_per_request_runs": [1.8, 1.82],
                          "cpu_bound_rps": 1098.9, "other_processes_percent_of_machine": 1.0}}
    report["cpu_budget"] = {"after": after, "before": before, "before_file": "results/cpu_budget-before.json",
                            "before_what": "the baseline"}
    after["stock_hop"] = dict(after["get_deal"], system_cpu_ms_per_request=3.64, system_cpu_ms_per_request_runs=[3.64])
    hop_before = before["stock_hop"]["system_cpu_ms_per_request"]
    was = before["get_deal"]["system_cpu_ms_per_request"]
    budget = render(report).split("CPU milliseconds per request")[1]  # the scenarios' table has a get_deal row too
    row = next(line for line in budget.splitlines() if line.startswith("| get_deal |"))
    # before, after (its runs), after/before, both as multiples of their run's stock hop, then gateway,
    # services, PostgreSQL (ours only), RabbitMQ, Redis + kernel
    assert row == "| get_deal | {:.2f} | **1.82** (1.80/1.82) | {:.2f} | {:.2f} → 0.50 | 0.75 | 0.50 | 0.20 | 0.35 | " \
                  "0.02 | 1099 |".format(was, round(1.82 / was, 2), round(was / hop_before, 2))
    after["get_deal"]["other_processes_percent_of_machine"] = 30  # a budget phase disturbed marks the run too
    assert render(report).startswith("**DISTURBED RUN**: other processes used up to 30%")


def test_the_reconcile_after_the_writes_is_a_target_that_a_drift_misses():
    from bench.report import render
    report = committed_report("quick")
    report["reconcile_after_writes"] = [
        {"service": "goals", "workspace_id": 3, "local": True, "exit_status": 0, "seconds": 2.0,
         "output": ["reconcile: 500 goals checked against 49762 opportunities (goals projection); 0 with drift"]},
        {"service": "accounts", "workspace_id": 3, "local": True, "exit_status": 1, "seconds": 2.0,
         "output": ["reconcile: 5000 accounts checked against the projection; 1 with drift"]}]
    rendered = render(report)
    assert ("| goals figures equal a recount after the writes (reconcile --local, big workspace) | reconcile: 500 "
            "goals checked against 49762 opportunities (goals projection); 0 with drift | met |") in rendered
    assert "1 with drift | MISSED |" in rendered
