"""Shared benchmark plumbing: a throw-away PostgreSQL + RabbitMQ environment with the whole system
running on it, timing helpers, and result files under bench/results/."""
import contextlib
import fcntl
import json
import os
import secrets
import socket
import statistics
import time
from datetime import date

from infra import migrate
from infra.processes import ROOT, System, available_components
from tests.support import resources
from tests.support.client import Api

RESULTS_DIR = os.path.join(ROOT, "bench", "results")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class BenchEnvironment:
    def __init__(self, system, api, database_urls, vhost):
        self.system, self.api, self.database_urls, self.vhost = system, api, database_urls, vhost


@contextlib.contextmanager
def bench_environment(components=None, extra_env=None):
    """Fresh databases and vhost, migrated, with `components` (default: all) running; removed after."""
    run_id = "b" + resources.new_run_id()
    vhost = "crm-bench-{}".format(run_id)
    amqp_uri = resources.create_vhost(vhost)
    urls = resources.database_urls(run_id)
    resources.create_databases(urls)
    env = {"AMQP_URI": amqp_uri, "CRM_ENV": "test", "JWT_SECRET": secrets.token_urlsafe(32),
           "GATEWAY_ADDRESS": "127.0.0.1:{}".format(_free_port()), "LOG_LEVEL": "WARNING"}
    env.update({"{}_DATABASE_URL".format(service.upper()): url for service, url in urls.items()})
    env.update(extra_env or {})
    os.environ.update(env)
    components = components or available_components()
    system = None
    try:
        for service in urls:
            if service in components and os.path.isdir(os.path.join(ROOT, "services", service, "migrations")):
                migrate.upgrade(service)
        system = System(env=dict(os.environ), log_dir=os.path.join(ROOT, "var", "bench-logs", run_id),
                        components=components).start()
        yield BenchEnvironment(system, Api(system.base_url), urls, vhost)
    finally:
        if system is not None:
            system.stop()
        resources.drop_databases(urls)
        resources.delete_vhost(vhost)


LOCK_PATH = os.environ.get("BENCH_LOCK", "/tmp/crm-bench.lock")


def machine_lock(log=None):
    """One benchmark at a time on this machine (any checkout): two at once measure each other; waits
    for the other one. Hold the returned handle until the run ends. Other load tools can take the
    same lock: `flock /tmp/crm-bench.lock <command>`."""
    handle = open(LOCK_PATH, "a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        message = "another benchmark holds {}; waiting for it".format(LOCK_PATH)
        log(message) if log else print(message, flush=True)
        fcntl.flock(handle, fcntl.LOCK_EX)
    return handle


def migrated_database(service, prefix):
    """{service: url} of a new throw-away PostgreSQL database migrated to head, the service's
    `<SERVICE>_DATABASE_URL` pointing at it (drop it with resources.drop_databases)."""
    urls = {service: resources.database_urls(prefix + resources.new_run_id())[service]}
    resources.create_databases(urls)
    os.environ["{}_DATABASE_URL".format(service.upper())] = urls[service]
    migrate.upgrade(service)
    return urls


def time_calls(function, repeat):
    """Durations in milliseconds of `repeat` calls of `function`."""
    durations = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        durations.append((time.perf_counter() - started) * 1000)
    return durations


def summarize(durations):
    ordered = sorted(durations)

    def pct(p):
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * p))], 3)

    return {"n": len(ordered), "mean_ms": round(statistics.fmean(ordered), 3), "p50_ms": pct(0.50),
            "p95_ms": pct(0.95), "p99_ms": pct(0.99), "max_ms": round(ordered[-1], 3)}


def write_result(name, data):
    os.makedirs(RESULTS_DIR, exist_ok=True)
    path = os.path.join(RESULTS_DIR, "{}-{}.json".format(name, date.today().isoformat()))
    with open(path, "w") as handle:
        json.dump(data, handle, indent=2, default=str)
    return path
