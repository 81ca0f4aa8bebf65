"""Where a request's CPU goes: milliseconds of CPU per request in every process of the system, in
PostgreSQL, RabbitMQ, Redis and the kernel, for each kind of request, with the consumers' share of
the writes included (the phase ends when the event queues are drained).

    .venv/bin/python -m bench.cpu_budget [--seconds 12] [--connections 8] [--only update_deal,...]

On a machine with C cores, C x 1000 / (CPU ms per request, the load generator left out) is the
most requests per second the system can answer, whatever the concurrency: this is what limits
throughput once the machine is saturated. A goal with one matching goal, an account and a deal
are created first, so a deal write runs the whole path (deals, its relay, the goals and accounts
consumers, the goals relay). Results: bench/results/cpu_budget.json (replaced by each run) and a table on stdout.
"""
import argparse
import json
import os
import uuid

from bench import loadgen
from bench.metrics import CpuMeter, wait_drained
from bench.reference_services import ReferenceProcesses
from bench.support import bench_environment, machine_lock, write_result

INPUT = "0b6f3a43-3d3c-4a52-9d5c-2f8d3f0e7a11"
STATES = ("won", "open_25", "open_50")
SHARED = {"postgres": "PostgreSQL", "beam.smp": "RabbitMQ", "erl_child_setup": "RabbitMQ", "epmd": "RabbitMQ",
          "inet_gethost": "RabbitMQ", "redis-server": "Redis", "[kernel]": "kernel"}  # metrics.INFRASTRUCTURE


def _auth(token):
    return {"Authorization": "Bearer " + token}


def prepare(api):
    ws = api.signup()
    campaign = ws.add_campaign(name="Budget")
    goal = api.post("/api/sales/goals/goal", {
        "action": "create", "description": "budget", "campaign_uuid": campaign["uuid"], "goal_type": "sale",
        "goal_subtype": "volume", "input_uuid": INPUT, "amount": 10 ** 12, "id_unit": 1}, token=ws.token)
    assert goal.status_code == 200, goal.text
    tax = "{:011d}".format(uuid.uuid4().int % 10 ** 11)
    account = api.post("/api/sales/accounts/account", {
        "action": "create", "country": 1, "tax_id": "{}-{}-{}".format(tax[:2], tax[2:10], tax[10]),
        "name": "Budget Corp"}, token=ws.token)
    assert account.status_code == 200, account.text
    deal = {"name": "budget", "value": "10", "value_type": "Total", "value_count": "1", "target_date": "2025-06-30",
            "type": "sale", "current_state": "open_0", "campaign_uuid": campaign["uuid"], "input_uuid": INPUT,
            "quantity": "5", "unit_id": 1, "account_uuid": account.json()["uuid"]}
    deal_ids = []
    for _ in range(50):
        created = api.post("/api/deals.json", {"deal": deal}, token=ws.token)
        assert created.status_code == 201, created.text
        deal_ids.append(created.json()["deal"]["id"])
    return ws, account.json()["uuid"], deal, deal_ids


def scenarios(ws, account_uuid, deal, deal_ids):
    headers = _auth(ws.token)
    return {
        "get_account": lambda i: ("GET", "/api/sales/accounts/account?uuid=" + account_uuid, headers, None),
        "get_deal": lambda i: ("GET", "/api/deals/{}.json".format(deal_ids[i % len(deal_ids)]), headers, None),
        "create_deal": lambda i: ("POST", "/api/deals.json", headers, {"deal": deal}),
        "update_deal": lambda i: ("PUT", "/api/deals/{}.json".format(deal_ids[i % len(deal_ids)]), headers,
                                  {"deal": {"current_state": STATES[i % len(STATES)]}}),
    }


def data_scenarios(env, size):
    """The prospects Kanban (a page of it with its counters, `size` prospects of 20 salesmen) and the
    customer goals fetch (a page of 100 of `size` goals, two conditions), on workspaces of their own
    loaded as bench.prospects and bench.customer_goals load theirs."""
    from bench import customer_goals, prospects
    from bench.dataset import vacuum_analyze
    api = env.api
    kanban = api.signup(workspace="budget-prospects")
    prospects.load(env.database_urls["prospects"], kanban, prospects.salesmen(api, kanban), size)
    goals_ws = api.signup(workspace="budget-csgoals")
    headers = _auth(goals_ws.token)
    statuses = {p["name"]: p["gsid"] for p in api.get(
        "/v1/csgoal/external/admin/picklist?picklistCategory=GOAL_STATUS", headers=headers).json()["data"]["picklists"]}
    goal_type = api.get("/v1/csgoal/external/admin/picklist", headers=headers).json()["data"]["picklists"][0]["gsid"]
    customer_goals.load_goals(env.database_urls["goals"], goals_ws.workspace["id"], goals_ws.owner["uuid"],
                              list(statuses.values())[:4], goal_type, size, seed=7)
    vacuum_analyze(env.database_urls["goals"])
    body = customer_goals.fetch_body(statuses)
    return {
        "prospects_kanban": lambda i: ("GET", "/prospects/grouped?counters=true", _auth(kanban.token), None),
        "customer_goals_fetch": lambda i: ("POST", "/v1/csgoal/external/fetch", headers, body),
    }


def measure(env, name, make_request, args, base_url=None, pids=None):
    """`pids` (default: every process of the system) are the processes whose CPU is counted."""
    if pids is None:
        pids = {"{}{}".format(component, index): pid for component, component_pids in env.system.pids().items()
                for index, pid in enumerate(component_pids)}
    wait_drained(env.vhost, env.amqp_uri)
    with CpuMeter(pids) as meter:
        result = loadgen.saturate(base_url or env.system.base_url, make_request, connections=args.connections,
                                  seconds=args.seconds, warmup=0)
        drained, _ = wait_drained(env.vhost, env.amqp_uri)
    requests = sum(n for status, n in result["statuses"].items() if status.startswith("2"))
    shared = {}
    for process, seconds in meter.infrastructure_by_process.items():
        shared[SHARED[process]] = shared.get(SHARED[process], 0.0) + seconds
    # PostgreSQL serves other test runs on this machine too: only the backends of this run's databases
    # count (the server's own background processes, WAL writer and checkpointer, are left out)
    ours = postgres_backends_seconds(meter, [url.rsplit("/", 1)[-1] for url in env.database_urls.values()])
    shared["PostgreSQL (others)"] = max(0.0, shared.get("PostgreSQL", 0.0) - ours)
    shared["PostgreSQL"] = ours
    report = meter.report()
    per_request = {process: round(1000 * seconds / requests, 2)
                   for process, seconds in sorted(report["process_cpu_seconds"].items())}
    per_request.update({process: round(1000 * seconds / requests, 2) for process, seconds in sorted(shared.items())})
    system = round(sum(v for k, v in per_request.items() if not k.startswith("bench") and "others" not in k), 2)
    cores = os.cpu_count() or 1
    return {"requests": requests, "non_2xx": sum(n for s, n in result["statuses"].items() if not s.startswith("2")),
            "throughput_rps": result["ok_rps"], "drain_seconds_after": drained,
            "cpu_ms_per_request": per_request, "system_cpu_ms_per_request": system,
            "cpu_bound_rps": round(cores * 1000 / system, 1) if system else None, "cores": cores,
            "other_processes_percent_of_machine": report["other_processes_percent_of_machine"]}


def postgres_backends_seconds(meter, databases):
    """CPU seconds of the PostgreSQL backends serving `databases` during the meter's phase."""
    total = 0.0
    for pid, (command, name, cpu, started) in meter.after.items():
        if name == "postgres" and any(" {} ".format(database) in command for database in databases):
            then = meter.before.get(pid)
            total += cpu - (then[2] if then and then[3] == started else 0.0)
    return total


def measure_stock_hop(env, args):
    """The reference: nameko's stock @http -> RPC -> constant (bench.reference_services), same vhost and
    broker, measured like the requests above (its processes are the `ref:` columns)."""
    refs = ReferenceProcesses(env.amqp_uri, env.system.log_dir).start()
    try:
        return measure(env, "stock_hop", lambda i: ("GET", "/hop", {}, None), args, base_url=refs.urls["stock_hop"],
                       pids={name: pid for name, pid in refs.pids().items() if "ConstantHttp" not in name})
    finally:
        refs.stop()


def print_result(name, result):
    runs = result.get("system_cpu_ms_per_request_runs")
    print("{:<12} {:>7.1f} req/s, system CPU {} ms per request{}: {}".format(
        name, result["throughput_rps"], result["system_cpu_ms_per_request"],
        " (runs: {})".format(runs) if runs else "", json.dumps(result["cpu_ms_per_request"])), flush=True)


def table(results):
    processes = sorted({p for r in results.values() for p in r["cpu_ms_per_request"]})
    lines = ["| request | req/s | " + " | ".join(processes) + " | system total | CPU-bound req/s |",
             "|---|---:|" + "---:|" * len(processes) + "---:|---:|"]
    for name, r in results.items():
        lines.append("| {} | {} | {} | {} | {} |".format(
            name, r["throughput_rps"], " | ".join(str(r["cpu_ms_per_request"].get(p, "")) for p in processes),
            r["system_cpu_ms_per_request"], r["cpu_bound_rps"]))
    return "\n".join(lines)


def repeated(measure_once, repeat):
    """The run with the median system total of `repeat` runs, with every run's total beside it (the noise)."""
    runs = sorted((measure_once() for _ in range(repeat)), key=lambda r: r["system_cpu_ms_per_request"])
    chosen = dict(runs[len(runs) // 2])
    if repeat > 1:
        chosen["system_cpu_ms_per_request_runs"] = [r["system_cpu_ms_per_request"] for r in runs]
    return chosen


REQUESTS = ("stock_hop", "get_account", "get_deal", "create_deal", "update_deal", "prospects_kanban",
            "customer_goals_fetch")
BEFORE = "cpu_budget-before"  # results/cpu_budget-before.json: issue 15's baseline, kept
# measured by this tool on a checkout of 5d24b0a; re-measure it on the machine of the run (bench/README.md)
BEFORE_WHAT = "5d24b0a, before issue 15's changes, measured by this tool"


DEFAULTS = {"seconds": 12.0, "connections": 8, "data_size": 10000}  # per request; of each data workspace


def measure_budget(seconds=DEFAULTS["seconds"], connections=DEFAULTS["connections"], data_size=DEFAULTS["data_size"],
                   repeat=1, only=()):
    """Every request of REQUESTS (or those in `only`) measured `repeat` times on a fresh system of its
    own; the median run of each. Takes no machine lock: the caller holds it (main, or bench.run)."""
    args = argparse.Namespace(seconds=seconds, connections=connections)
    results = {}
    wanted = set(only)
    with bench_environment(extra_env={"RATE_LIMIT_PER_SECOND": "1000000"}) as env:
        made = dict({"stock_hop": None}, **scenarios(*prepare(env.api)))
        if not wanted or {"prospects_kanban", "customer_goals_fetch"} & wanted:
            made.update(data_scenarios(env, data_size))
        for name, make_request in made.items():
            if wanted and name not in wanted:
                continue
            if make_request is None:
                results[name] = repeated(lambda: measure_stock_hop(env, args), repeat)
            else:
                results[name] = repeated(lambda: measure(env, name, make_request, args), repeat)
            print_result(name, results[name])
    return results


def write(name, settings, results):
    """bench/results/<name>.json: the settings, every request's result and the table."""
    return write_result(name, {"settings": settings, "results": results, "table": table(results)})


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=DEFAULTS["seconds"])
    parser.add_argument("--connections", type=int, default=DEFAULTS["connections"])
    parser.add_argument("--only", default="", help="comma-separated, of: " + ",".join(REQUESTS))
    parser.add_argument("--data-size", type=int, default=DEFAULTS["data_size"],
                        help="prospects and customer goals of the Kanban's and the fetch's workspaces")
    parser.add_argument("--repeat", type=int, default=1, help="runs per request; the median's row is kept")
    parser.add_argument("--name", default="cpu_budget", help="result file: bench/results/<name>.json")
    parser.add_argument("--no-write", action="store_true", help="print only, write no result file")
    args = parser.parse_args()
    lock = machine_lock()  # noqa: F841  (one benchmark per machine; held until the process exits)
    results = measure_budget(args.seconds, args.connections, args.data_size, args.repeat,
                             [name for name in args.only.split(",") if name])
    print()
    print(table(results))
    if not args.no_write:
        print("written", write(args.name, vars(args), results))


if __name__ == "__main__":
    main()
