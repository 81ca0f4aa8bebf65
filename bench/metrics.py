"""What the benchmark records around each measured phase, besides the load generator's numbers:

- RabbitMQ queues (management API, every queue of the run's vhost): the highest `messages`
  (ready + unacked), `messages_ready` and `messages_unacknowledged` seen per queue. The
  management API refreshes these every 5 s (RabbitMQ's collect_statistics_interval), so a phase
  is sampled every second and a short spike can be missed or seen late: these are indications,
  not exact maxima. Draining between phases uses live AMQP passive declares instead.
- Database pool waits: every service's `runtime_stats()` RPC (infra/stats.py) before and after
  the phase: checkouts, checkouts that waited more than 1 ms, total wait, timeouts (deltas) and the
  longest wait since the process started.
- CPU: each process's user+system time from /proc (gateway, services, reference services), the
  shared infrastructure's (PostgreSQL, RabbitMQ, Redis, kernel threads) and everything else's, and
  the machine's busy share from /proc/stat: a phase's cost per request can be read off, and a
  benchmark disturbed by other work on the machine says so (`other_processes_percent_of_machine`).
"""
import os
import threading
import time

from kombu import Connection

from tests.support import resources

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- RabbitMQ ---------------------------------------------------------------------------------------
SINKS = ("goals.events.recent", "directory.events.recent")  # bounded, never consumed (infra/sinks.py): left out of the maxima


class QueueSampler:
    def __init__(self, vhost, interval=1.0):
        self.vhost, self.interval = vhost, interval
        self.maxima, self.samples, self.errors = {}, 0, 0
        self._stop = threading.Event()
        self._thread = None

    def start(self):
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self):
        try:
            queues = resources.queues(self.vhost)
        except Exception:  # the management API is best effort; count the misses
            self.errors += 1
            return
        self.samples += 1
        for queue in queues:
            entry = self.maxima.setdefault(queue["name"], {"messages": 0, "ready": 0, "unacked": 0})
            entry["messages"] = max(entry["messages"], queue.get("messages") or 0)
            entry["ready"] = max(entry["ready"], queue.get("messages_ready") or 0)
            entry["unacked"] = max(entry["unacked"], queue.get("messages_unacknowledged") or 0)

    def stop(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        self.sample()
        busy = {name: values for name, values in sorted(self.maxima.items()) if values["messages"]}
        consumed = [values for name, values in self.maxima.items() if name not in SINKS]
        return {"samples": self.samples, "sample_errors": self.errors, "max_per_queue": busy,
                "max_messages_any_queue": max((v["messages"] for v in consumed), default=0),
                "max_unacked_any_queue": max((v["unacked"] for v in consumed), default=0)}


def ready_counts(amqp_uri, names):
    """{queue: ready messages} right now (AMQP passive declare: live, unlike the management API)."""
    counts = {}
    with Connection(amqp_uri, connect_timeout=5) as connection:
        channel = connection.channel()
        for name in names:
            try:
                _, count, _ = channel.queue_declare(queue=name, passive=True)
            except Exception:  # gone (auto-delete reply queues): nothing waits there
                channel = connection.channel()
                count = 0
            counts[name] = count
    return counts


def wait_drained(vhost, amqp_uri, timeout=180, settle=1.0, prefix=("evt-",)):
    """Waits until the event queues hold no ready message (then `settle` seconds for the
    messages in flight); returns the seconds it took and whether it drained."""
    started = time.monotonic()
    names = [q["name"] for q in resources.queues(vhost) if q["name"].startswith(prefix)]
    while time.monotonic() - started < timeout:
        if not any(ready_counts(amqp_uri, names).values()):
            time.sleep(settle)
            if not any(ready_counts(amqp_uri, names).values()):
                return round(time.monotonic() - started, 1), True
        time.sleep(0.5)
    return round(time.monotonic() - started, 1), False


# --- PostgreSQL -------------------------------------------------------------------------------------------
def active_queries(admin_url, databases):
    """Queries running now in `databases` (other than this one)."""
    import psycopg2
    connection = psycopg2.connect(admin_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pid, datname, now() - query_start, left(query, 80) FROM pg_stat_activity "
                           "WHERE datname = ANY(%s) AND state = 'active' AND pid <> pg_backend_pid()",
                           (list(databases),))
            return cursor.fetchall()
    finally:
        connection.close()


def wait_no_queries(admin_url, databases, timeout=60):
    """Waits until no query runs in `databases` (a timed-out request can leave one running up to the
    statement timeout); after `timeout`, cancels what still runs. Returns (seconds, cancelled)."""
    import psycopg2
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if not active_queries(admin_url, databases):
            return round(time.monotonic() - started, 1), 0
        time.sleep(0.3)
    running = active_queries(admin_url, databases)
    connection = psycopg2.connect(admin_url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        for pid, *_ in running:
            cursor.execute("SELECT pg_cancel_backend(%s)", (pid,))
    connection.close()
    return round(time.monotonic() - started, 1), len(running)


# --- runtime stats of the services (pool waits) ----------------------------------------------------------
class RuntimeStatsClient:
    """Calls `runtime_stats()` of each service with nameko's standalone ServiceRpcProxy. A service
    may run as several processes (competing consumers of its RPC queue): the call is repeated until
    every expected process answered (RabbitMQ hands calls to the consumers in turn), at most 3 times
    as many calls as processes; each answer names its pid."""

    def __init__(self, amqp_uri, services, timeout=10, process_counts=None):
        self.config = {"AMQP_URI": amqp_uri, "serializer": "json"}
        self.services, self.timeout = list(services), timeout
        self.process_counts = dict(process_counts or {})

    def _cluster(self):
        if getattr(self, "_proxy", None) is None:
            from nameko.standalone.rpc import ClusterRpcProxy
            self._context = ClusterRpcProxy(self.config, timeout=self.timeout)
            self._proxy = self._context.start()  # one connection and reply queue for the whole run
        return self._proxy

    def close(self):
        if getattr(self, "_proxy", None) is not None:
            try:
                self._context.stop()
            except Exception:  # the broker may already be gone at the end of a run
                pass
            self._proxy = None

    def snapshot(self):
        stats = {}
        for service in self.services:
            expected = self.process_counts.get(service, 1)
            processes = {}
            for attempt in (1, 2):  # the kept connection may have been dropped while idle: one reconnect
                try:
                    proxy = getattr(self._cluster(), service)
                    for _ in range(3 * expected):
                        answer = proxy.runtime_stats()
                        processes[str(answer.get("pid"))] = answer
                        if len(processes) >= expected:
                            break
                    stats[service] = {"processes": processes}
                    break
                except Exception as exc:  # an older service without the entrypoint, one that is down
                    self.close()
                    stats[service] = {"error": "{}: {}".format(type(exc).__name__, exc), "processes": processes}
        return stats


def pool_deltas(before, after):
    """Per service and database, summed over the service's processes: checkouts, waits over 1 ms,
    total wait (ms), timeouts and new connections during the phase, and the longest wait since the
    processes started."""
    deltas = {}
    for service, now in after.items():
        then = before.get(service, {})
        if now.get("error") or then.get("error"):
            deltas[service] = {"error": now.get("error") or then.get("error")}
            continue
        pools = {}
        for pid, process in now.get("processes", {}).items():
            old_process = then.get("processes", {}).get(pid, {})
            for database, stats in process.get("pools", {}).items():
                old = old_process.get("pools", {}).get(database, {})
                entry = pools.setdefault(database, {"processes": 0, "size_per_process": stats.get("size"),
                                                    "checkouts": 0, "waits_over_1ms": 0, "wait_ms_total": 0.0,
                                                    "timeouts": 0, "connects": 0, "wait_ms_max_since_start": 0.0})
                entry["processes"] += 1
                for key in ("checkouts", "waits_over_1ms", "timeouts", "connects"):
                    entry[key] += stats.get(key, 0) - old.get(key, 0)
                entry["wait_ms_total"] = round(entry["wait_ms_total"] + stats.get("wait_ms_total", 0)
                                               - old.get("wait_ms_total", 0), 1)
                entry["wait_ms_max_since_start"] = max(entry["wait_ms_max_since_start"], stats.get("wait_ms_max") or 0)
        deltas[service] = pools
    return deltas


# --- CPU -------------------------------------------------------------------------------------------------
def process_cpu_seconds(pid):
    try:
        with open("/proc/{}/stat".format(pid)) as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def machine_cpu():
    with open("/proc/stat") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values), idle


INFRASTRUCTURE = ("postgres", "beam.smp", "erl_child_setup", "epmd", "redis-server", "inet_gethost", "[kernel]")


def all_processes():
    """{pid: (short command, name, cpu seconds, start time)} of every process on the machine."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/{}/stat".format(entry)) as handle:
                raw = handle.read()
            with open("/proc/{}/cmdline".format(entry), "rb") as handle:
                command = handle.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        name, rest = raw.split(" (", 1)[1].rsplit(")", 1)
        fields = rest.split()
        kernel = not command  # kernel threads have no command line (I/O work for everyone)
        found[int(entry)] = (command[:120] or name, "[kernel]" if kernel else name,
                             (int(fields[11]) + int(fields[12])) / CLOCK_TICKS, fields[19])  # starttime
    return found


class CpuMeter:
    """CPU seconds of our processes, of the shared infrastructure (PostgreSQL, RabbitMQ, Redis) and of
    everything else on the machine (another benchmark or test run there distorts the numbers: the
    report shows it instead of hiding it)."""

    def __init__(self, pids):
        self.pids = dict(pids)

    def __enter__(self):
        self.started = time.monotonic()
        self.machine = machine_cpu()
        self.before = all_processes()
        return self

    def __exit__(self, *exc):
        self.elapsed = time.monotonic() - self.started
        total, idle = machine_cpu()
        spent, idle_spent = total - self.machine[0], idle - self.machine[1]
        self.machine_busy = round(100.0 * (spent - idle_spent) / spent, 1) if spent else None
        after = self.after = all_processes()  # kept: a caller may split the infrastructure's CPU further
        ours = {pid: name for name, pid in self.pids.items()}
        ours[os.getpid()] = "bench (load generator)"
        self.cpu, infrastructure, others = {}, {}, {}
        for pid, (command, name, cpu, started) in after.items():
            then = self.before.get(pid)
            # the same process (not a reused pid) by its start time: PostgreSQL rewrites its command line
            used = cpu - (then[2] if then and then[3] == started else 0.0)
            if used <= 0:
                continue
            if pid in ours:
                self.cpu[ours[pid]] = round(used, 2)
            elif name in INFRASTRUCTURE:
                infrastructure[name] = infrastructure.get(name, 0.0) + used
            else:
                others[command] = others.get(command, 0.0) + used
        self.infrastructure = round(sum(infrastructure.values()), 2)
        self.infrastructure_by_process = {name: round(used, 3) for name, used in sorted(infrastructure.items())}
        self.others = {command: round(used, 2) for command, used in
                       sorted(others.items(), key=lambda item: -item[1])[:5] if used >= 0.05}
        self.others_total = round(sum(others.values()), 2)
        return False

    def report(self):
        capacity = max(self.elapsed, 1e-9) * (os.cpu_count() or 1)
        return {"machine_busy_percent": self.machine_busy, "process_cpu_seconds": self.cpu,
                "infrastructure_cpu_seconds": self.infrastructure, "other_processes_cpu_seconds": self.others_total,
                "other_processes_percent_of_machine": round(100.0 * self.others_total / capacity, 1),
                "other_processes_top": self.others, "seconds": round(self.elapsed, 1)}


def quiet_check(seconds=3.0):
    """Before anything starts: how busy the machine is without us (should be ~0)."""
    with CpuMeter({}) as meter:
        time.sleep(seconds)
    return meter.report()


class PhaseMetrics:
    """Everything above around one phase: `with PhaseMetrics(...) as m: ...; m.report()`."""

    def __init__(self, vhost, stats_client, pids):
        self.vhost, self.stats_client, self.pids = vhost, stats_client, pids

    def __enter__(self):
        self.before = self.stats_client.snapshot() if self.stats_client else {}
        self.sampler = QueueSampler(self.vhost).start()
        self.cpu = CpuMeter(self.pids).__enter__()
        return self

    def __exit__(self, *exc):
        self.cpu.__exit__(*exc)
        self.queues = self.sampler.stop()
        after = self.stats_client.snapshot() if self.stats_client else {}
        self.pools = pool_deltas(self.before, after) if self.stats_client else {}
        return False

    def report(self):
        return {"queues": self.queues, "db_pools": self.pools, "cpu": self.cpu.report()}
