"""`make bench`: the whole system on PostgreSQL with a realistic data set, driven over loopback by
the constant-rate load generator, with nameko's stock reference points measured in the same run.

    make bench                  # full: 100,000 accounts, 1,000,000 deals, 10,000 goals (~20-25 min)
    make bench ARGS=--quick     # the same shape ~20x smaller, short phases (~5-6 min)

What a run does step by step, its options and how to read its table: bench/README.md. Results:
bench/results/full.{json,md} or quick.{json,md}, replaced by each run; the table is printed at the
end.

Scenario modules (SCENARIO_MODULES below, or `--modules` for one run) add rows of their own: a
module exposes `run(bench, quick) -> {row name: bench.measure(row name, make_request)}` and runs
after the main scenarios, on the same system (see `Bench` for what it may use).
"""
import argparse
import faulthandler
import importlib
import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone

from bench import cpu_budget, loadgen
from bench.dataset import SIZES, DatasetLoader, check_consistency
from bench.freshness import PROBES, measure_freshness
from bench.machine import machine_info
from bench.metrics import PhaseMetrics, RuntimeStatsClient, quiet_check, wait_drained, wait_no_queries
from bench.reference_services import ReferenceProcesses
from bench.report import ratio_of, render, write_report
from bench.support import RESULTS_DIR, bench_environment, log, machine_lock
from bench.workload import DEPTH, ISOLATION_READS, READS, WRITES, Requests
from infra.processes import ROOT
from tests.support import resources

# Modules whose `run(bench, quick)` adds rows to every run, e.g. ("bench.prospects", "bench.customer_goals").
SCENARIO_MODULES = ("bench.prospects", "bench.customer_goals")


# --- measuring --------------------------------------------------------------------------------------------
class Bench:
    """What a scenario is measured with. For scenario modules: `env` (the Environment: `.api`,
    `.database_urls`, `.system`, `.vhost`, `.amqp_uri`), `measure`, `settle`, `log`, `args`."""

    log = staticmethod(log)

    def __init__(self, env, refs, args):
        self.env, self.refs, self.args = env, refs, args
        self.amqp_uri = env.amqp_uri
        instances = env.system.pids()
        services = [name for name in instances if name != "gateway"]
        self.stats = RuntimeStatsClient(self.amqp_uri, services,
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
        seconds, cancelled = wait_no_queries(resources.PG_ADMIN_URL, databases)
        if seconds > 2 or cancelled:
            log("    {}: waited {}s for running queries{}".format(
                label, seconds, ", cancelled {}".format(cancelled) if cancelled else ""))
        return dict(drain, queries_wait_seconds=seconds, queries_cancelled=cancelled)

    def measure(self, name, make_request):
        """One row of the table: `make_request(i) -> (method, path, headers, body)` against the gateway."""
        return self.scenario(name, self.env.system.base_url, make_request)

    def scenario(self, name, base_url, make_request, connections=None):
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

    def fixed_rate(self, name, make_request, rate, seconds, warmup, connections=8):
        with self.phase() as metrics:
            result = loadgen.constant_rate(self.env.system.base_url, make_request, rate, connections, seconds, warmup)
        result["metrics"] = metrics.report()
        log("  {:<26} at {:>5.1f}/s p50 {:>6.1f} p95 {:>6.1f} p99 {:>7.1f} ms | {}".format(
            name, rate, result.get("p50_ms", float("nan")), result.get("p95_ms", float("nan")),
            result.get("p99_ms", float("nan")), _errors_text({"constant_rate": result})))
        return result


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


def constant_request(path):
    def make(i):
        return "GET", path, {}, None
    return make


# --- the run's parts --------------------------------------------------------------------------------------
def reconcile(workspace_id, local=True, service="goals"):
    """`services.<service>.cli reconcile` (goals or accounts): against the service's projection
    (--local) or against the deals service's own opportunities (RPC list_opportunities)."""
    started = time.perf_counter()
    command = [sys.executable, "-m", "services.{}.cli".format(service), "reconcile", "--workspace", str(workspace_id)]
    process = subprocess.run(command + (["--local"] if local else []), cwd=ROOT, env=dict(os.environ, PYTHONPATH=ROOT),
                             capture_output=True, text=True, timeout=1800)
    lines = [line for line in process.stdout.splitlines() if line.startswith(("reconcile:", "DRIFT"))]
    return {"service": service, "workspace_id": workspace_id, "local": local, "exit_status": process.returncode,
            "output": lines[-5:],
            "seconds": round(time.perf_counter() - started, 1)}


def wait_for_quiet(report, args):
    """Up to --wait-quiet seconds for the machine to be under 15% busy; records how busy it was."""
    quiet = quiet_check()
    waited_until = time.monotonic() + args.wait_quiet
    while quiet["machine_busy_percent"] and quiet["machine_busy_percent"] > 15 and time.monotonic() < waited_until:
        log("the machine is {}% busy (top: {}); waiting for it to be quiet".format(
            quiet["machine_busy_percent"], list(quiet["other_processes_top"])[:2]))
        time.sleep(10)
        quiet = quiet_check(5)
    report["before_start"] = quiet
    if quiet["machine_busy_percent"] and quiet["machine_busy_percent"] > 20:
        log("WARNING: the machine is {}% busy before the benchmark starts (top: {}); the numbers will show "
            "it".format(quiet["machine_busy_percent"], quiet["other_processes_top"]))


def load_data_set(bench, report, sizes, args):
    """The small workspaces, their reads before and after the big one is loaded, the big workspace,
    and the cross-service checks. Returns the big workspace."""
    env = bench.env
    loader = DatasetLoader(env.api, env.database_urls, os.environ["JWT_SECRET"], log=log)
    log("loading {} small workspaces".format(sizes["small_count"]))
    smalls = [loader.load_workspace("small-{}".format(n), sizes["small"]) for n in range(sizes["small_count"])]
    loader.analyze()
    small = smalls[0]
    small_requests = Requests(small, env.database_urls)
    isolation_rate, isolation_seconds = args.isolation_rate, max(3, args.seconds // 2)

    def small_reads():
        return {name: bench.fixed_rate("small:" + name, getattr(small_requests, name), isolation_rate,
                                       isolation_seconds, 1) for name in ISOLATION_READS}

    log("small workspace reads, before the big workspace exists ({}/s)".format(isolation_rate))
    before = small_reads()
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
    log("consistency across services: {}".format({name: check["ok"] for name, check in report["consistency"].items()}))
    report["reconcile"] = [reconcile(small.id), reconcile(small.id, local=False)] + \
        ([reconcile(big.id)] if args.quick else [])
    for entry in report["reconcile"]:
        log("  goals reconcile{} --workspace {}: {}".format(" --local" if entry["local"] else "",
                                                          entry["workspace_id"], " | ".join(entry["output"])))
    log("small workspace reads, after the big workspace was loaded ({}/s)".format(isolation_rate))
    after = small_reads()
    report["isolation"] = {
        name: {"before_p50_ms": before[name].get("p50_ms"), "after_p50_ms": after[name].get("p50_ms"),
               "before_p99_ms": before[name].get("p99_ms"), "after_p99_ms": after[name].get("p99_ms"),
               "p50_ratio": ratio_of(after[name].get("p50_ms"), before[name].get("p50_ms")),
               "before": before[name], "after": after[name]}
        for name in ISOLATION_READS}
    return big


def api_key_of(api, ws):
    response = api.post("/api/directory/api-keys", {"name": "bench"}, token=ws.owner.token)
    assert response.status_code == 200, response.text
    return response.json()["data"]["key"]


def measure_big_workspace(bench, report, big, args):
    """READS, each list's DEPTH pages right after them on the same tables, WRITES, then freshness."""
    requests = Requests(big, bench.env.database_urls, api_key=api_key_of(bench.env.api, big))
    results = report["scenarios"]
    log("scenarios on the big workspace ({} callers)".format(len(requests.callers)))
    for name in READS:
        results[name] = bench.measure(name, getattr(requests, name))
    log("first page vs last page")
    report["depth"] = {}
    for name, first in DEPTH:
        deep, shallow = bench.measure(name, getattr(requests, name)), results[first]
        report["depth"][name] = {
            "first_page": first, "result": deep,
            "p50_ratio_to_first_page": ratio_of(deep["constant_rate"].get("p50_ms"),
                                                shallow["constant_rate"].get("p50_ms")),
            "throughput_ratio_to_first_page": ratio_of(deep["saturate"]["ok_rps"], shallow["saturate"]["ok_rps"])}
    for name in WRITES:
        results[name] = bench.measure(name, getattr(requests, name))
    probes = 20 if args.quick else PROBES
    log("event freshness at {}/s deal updates".format(args.freshness_rate))
    report["freshness"] = measure_freshness(bench, big, requests, args.freshness_rate, args.freshness_seconds,
                                            args.warmup, probe_count=probes)
    report["freshness_sweep"] = {}
    for rate in [float(r) for r in args.freshness_sweep.split(",") if r.strip()]:
        log("event freshness at {}/s deal updates (below the target rate: where does it hold?)".format(rate))
        report["freshness_sweep"][str(rate)] = measure_freshness(bench, big, requests, rate, args.freshness_seconds,
                                                                 args.warmup, probe_count=probes)
    # every write above went through the consumers: their figures must still equal a recount (issue 15)
    bench.settle("reconcile after the writes")
    report["reconcile_after_writes"] = [reconcile(big.id, service=service) for service in ("goals", "accounts")]
    for entry in report["reconcile_after_writes"]:
        log("  {} reconcile --local --workspace {} after the writes: {}".format(
            entry["service"], entry["workspace_id"], " | ".join(entry["output"])))


def scenario_modules(names):
    """The modules named (imported now, so a broken one fails before anything starts)."""
    modules = {}
    for name in names:
        module = importlib.import_module(name)
        if not callable(getattr(module, "run", None)):
            raise SystemExit("scenario module {} has no run(bench, quick)".format(name))
        modules[name] = module
    return modules


def run_modules(bench, modules, report, quick):
    """Each module's rows, after the main scenarios; a row name may appear only once in the table."""
    taken = set(report["scenarios"]) | set(report.get("depth", {}))
    report["modules"] = {}
    for name, module in modules.items():
        bench.settle(name)
        log("scenario module {}".format(name))
        rows = module.run(bench, quick)
        clashes = taken & set(rows)
        if clashes:
            raise RuntimeError("scenario module {} reuses row names {}".format(name, sorted(clashes)))
        taken |= set(rows)
        report["modules"][name] = rows


def measure_cpu_budget(repeat):
    """Issue 15's CPU budget (bench.cpu_budget) on a system of its own, beside the baseline kept in
    results/cpu_budget-before.json; also written to results/cpu_budget.json as the tool writes it."""
    log("CPU per request (bench.cpu_budget, {} runs of each request)".format(repeat))
    after = cpu_budget.measure_budget(repeat=repeat)
    cpu_budget.write("cpu_budget", dict(cpu_budget.DEFAULTS, repeat=repeat), after)
    budget = {"after": after, "before_file": "results/{}.json".format(cpu_budget.BEFORE)}
    path = os.path.join(RESULTS_DIR, "{}.json".format(cpu_budget.BEFORE))
    if os.path.exists(path):
        with open(path) as handle:
            before = json.load(handle)
        budget.update(before=before["results"], before_what="{} at {} UTC".format(
            cpu_budget.BEFORE_WHAT, before.get("written_at", "?")[:16].replace("T", " ")))
    return budget


def run(args):
    names = list(SCENARIO_MODULES) + [name.strip() for name in args.modules.split(",") if name.strip()]
    modules = scenario_modules(dict.fromkeys(names))
    started = time.perf_counter()
    lock = machine_lock(log)  # noqa: F841  (held until the process exits)
    mode = "quick" if args.quick else "full"
    sizes = SIZES[mode]
    report = {"mode": mode, "started_at": datetime.now(timezone.utc).isoformat(), "machine": machine_info(),
              "settings": {"connections": args.connections, "seconds": args.seconds, "warmup": args.warmup,
                           "constant_rate_fraction": args.fraction, "freshness_rate": args.freshness_rate,
                           "rate_limit_per_caller": os.environ.get("RATE_LIMIT_PER_SECOND", "10 (default)"),
                           "isolation_rate": args.isolation_rate},
              "sizes": {"big": vars(sizes["big"]), "small": vars(sizes["small"]), "small_count": sizes["small_count"]},
              "modules_only": args.modules_only}
    wait_for_quiet(report, args)
    report["waited_seconds"] = round(time.perf_counter() - started, 1)  # for the lock and a quiet machine
    started = time.perf_counter()  # the run's own time starts here
    log("benchmark ({}): starting PostgreSQL databases, vhost and the whole system".format(mode))
    with bench_environment() as env:
        refs = ReferenceProcesses(env.amqp_uri, env.system.log_dir).start()
        try:
            bench = Bench(env, refs, args)
            report["processes"] = {name: len(pids) for name, pids in env.system.pids().items()}
            big = None if args.modules_only else load_data_set(bench, report, sizes, args)
            log("reference points (stock nameko)")
            report["scenarios"] = {
                "constant_http": bench.scenario("ref:constant_http", refs.urls["constant_http"],
                                                constant_request("/constant")),
                "stock_hop": bench.scenario("ref:stock_hop", refs.urls["stock_hop"], constant_request("/hop"))}
            if big is not None:
                measure_big_workspace(bench, report, big, args)
            run_modules(bench, modules, report, args.quick)
            report["runtime_stats_at_end"] = bench.stats.snapshot()
            bench.stats.close()
        finally:
            log("stopping the reference services, then the system; dropping the run's databases and vhost")
            refs.stop()
    # a run of the modules alone is for their authors: under var/, the committed results stay whole runs
    json_path = os.path.join(ROOT, "var", "bench-modules-{}.json".format(mode)) if args.modules_only else None
    report["total_seconds"] = round(time.perf_counter() - started, 1)
    report["table"] = render(report)
    paths = write_report(report, json_path)  # written now: a failure of the CPU budget below loses nothing
    if not args.quick and not args.modules_only and args.cpu_budget_repeat > 0:
        report["cpu_budget"] = measure_cpu_budget(args.cpu_budget_repeat)
        report["total_seconds"] = round(time.perf_counter() - started, 1)
        report["table"] = render(report)
        paths = write_report(report, json_path)
    print()
    print(report["table"])
    print()
    log("benchmark finished in {:.1f} min (after {:.1f} min waiting for the machine); written {}".format(
        report["total_seconds"] / 60, report["waited_seconds"] / 60, ", ".join(paths)))
    return report


def main(argv=None):
    parser = argparse.ArgumentParser(description="CRM load benchmark (bench/README.md)")
    parser.add_argument("--quick", action="store_true", help="small data set and short phases (~5-6 minutes)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=None, help="measured seconds per phase (15 full, 3 quick)")
    parser.add_argument("--warmup", type=float, default=None, help="warm-up seconds per phase (3 full, 1 quick)")
    parser.add_argument("--fraction", type=float, default=0.7, help="constant rate as a fraction of saturation")
    parser.add_argument("--freshness-rate", type=float, default=200.0)
    parser.add_argument("--freshness-sweep", default="100,150",
                        help="further deal-update rates (comma-separated) measured after --freshness-rate")
    parser.add_argument("--freshness-seconds", type=float, default=None, help="(30 full, 8 quick)")
    parser.add_argument("--isolation-rate", type=float, default=20.0)
    parser.add_argument("--drain-timeout", type=float, default=300.0)
    parser.add_argument("--cpu-budget-repeat", type=int, default=2,
                        help="full runs: runs of each request in the CPU budget measured after the scenarios "
                             "(bench.cpu_budget, ~6 minutes with 2; 0 leaves it out)")
    parser.add_argument("--wait-quiet", type=float, default=0.0,
                        help="wait up to this many seconds for the machine to be idle (<15%% busy) before starting")
    parser.add_argument("--modules", default="",
                        help="scenario modules (comma-separated, e.g. bench.prospects) run after the main scenarios, "
                             "besides SCENARIO_MODULES")
    parser.add_argument("--modules-only", action="store_true",
                        help="only the reference points and the scenario modules (no data set; written under var/)")
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
