"""What the benchmarks share beyond the test environment (tests/support/environment.py): the
benchmark's flavour of that environment, the machine lock, timing and statement/CPU counters, and
result files under bench/results/ (one file per tool, overwritten: git keeps the history)."""
import contextlib
import fcntl
import json
import os
import statistics
import time
from datetime import datetime, timezone

from sqlalchemy import event as sa_event

from infra.processes import ROOT, available_components
from tests.support.environment import Environment

RESULTS_DIR = os.path.join(ROOT, "bench", "results")
BENCH_ENV = {"LOG_LEVEL": "WARNING"}  # the services' request logs would cost CPU the numbers should not show


@contextlib.contextmanager
def bench_environment(components=None, extra_env=None):
    """Fresh databases and vhost, migrated, with `components` (default: all) running; removed after.
    Yields the Environment: `.system`, `.api`, `.database_urls`, `.vhost`, `.amqp_uri`."""
    components = components or available_components()
    with Environment("bench", extra_env=dict(BENCH_ENV, **(extra_env or {}))) as env:
        env.migrate(components)
        env.start_system(components)
        yield env


@contextlib.contextmanager
def migrated_database(service):
    """A throw-away PostgreSQL database of `service` only, migrated to head, the settings pointing at
    it; yields its URL (no vhost, no system: for in-process measurements)."""
    with Environment("bench", services=(service,), vhost=False) as env:
        env.migrate([service])
        yield env.database_urls[service]


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


def log(message):
    print("[{}] {}".format(time.strftime("%H:%M:%S"), message), flush=True)


# --- measuring ------------------------------------------------------------------------------------------
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


class StatementCounter:
    """Counts the SQL statements an engine sends (COMMIT is not a statement here)."""

    def __init__(self, engine):
        self.count = 0
        sa_event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *args):
        self.count += 1


class BackendCpu:
    """CPU time of an engine's PostgreSQL backends (/proc of the local server's processes): each pooled
    connection's backend pid is read once, when it connects, so create it before the first connection."""

    def __init__(self, engine):
        self.pids = set()
        sa_event.listen(engine, "connect", self._connected)

    def _connected(self, dbapi_connection, record):
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.pids.add(cursor.fetchone()[0])

    def seconds(self):
        total = 0
        for pid in self.pids:
            try:
                with open("/proc/{}/stat".format(pid)) as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
            except (OSError, IndexError, ValueError):
                pass
        return total / os.sysconf("SC_CLK_TCK")


# --- results --------------------------------------------------------------------------------------------
def write_result(name, data):
    """bench/results/<name>.json (replacing the previous one), stamped with the time and commit."""
    from bench.machine import git_commit
    os.makedirs(RESULTS_DIR, exist_ok=True)
    path = os.path.join(RESULTS_DIR, "{}.json".format(name))
    stamped = dict({"written_at": datetime.now(timezone.utc).isoformat(), "git_commit": git_commit()}, **data)
    with open(path, "w") as handle:
        json.dump(stamped, handle, indent=2, default=str)
    return os.path.relpath(path, ROOT)
