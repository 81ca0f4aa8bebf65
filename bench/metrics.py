"""What the benchmark records around each measured phase, besides the load generator's numbers:

- RabbitMQ queues (management API, every queue of the run's vhost): the highest `messages`
  (ready + unacked), `messages_ready` and `messages_unacknowledged` seen per queue. The
  management API refreshes these every 5 s (RabbitMQ's collect_statistics_interval), so a phase
  is sampled every second and a short spike can be missed or seen late: these are indications,
  not exact maxima. Draining between phases uses live AMQP passive declares instead.
- Database pool waits: every service's `runtime_stats()` RPC (infra/stats.py) before and after
  the phase: checkouts, checkouts that waited more than 1 ms, total wait, timeouts (deltas) and the
  longest wait since the process started.
- CPU: each process's user+system time from /proc (gateway, services, reference services) and the
  machine's busy share from /proc/stat, so a phase's cost per request can be read off.
"""
import os
import threading
import time

from kombu import Connection

from tests.support import resources

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- RabbitMQ ---------------------------------------------------------------------------------------
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
        return {"samples": self.samples, "sample_errors": self.errors, "max_per_queue": busy,
                "max_messages_any_queue": max((v["messages"] for v in self.maxima.values()), default=0),
                "max_unacked_any_queue": max((v["unacked"] for v in self.maxima.values()), default=0)}


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


# --- runtime stats of the services (pool waits) ----------------------------------------------------------
class RuntimeStatsClient:
    """Calls `runtime_stats()` of each service with nameko's standalone ServiceRpcProxy."""

    def __init__(self, amqp_uri, services, timeout=10):
        self.config = {"AMQP_URI": amqp_uri, "serializer": "json"}
        self.services, self.timeout = list(services), timeout

    def snapshot(self):
        from nameko.standalone.rpc import ServiceRpcProxy
        stats = {}
        for service in self.services:
            try:
                with ServiceRpcProxy(service, self.config, timeout=self.timeout) as proxy:
                    stats[service] = proxy.runtime_stats()
            except Exception as exc:  # an older service without the entrypoint, or one that is down
                stats[service] = {"error": "{}: {}".format(type(exc).__name__, exc)}
        return stats


def pool_deltas(before, after):
    """Per service and database: checkouts, waits over 1 ms, total wait (ms) and timeouts during the
    phase, and the longest wait since the process started."""
    deltas = {}
    for service, now in after.items():
        then = before.get(service, {})
        if "pools" not in now or "pools" not in then:
            deltas[service] = {"error": now.get("error") or then.get("error")}
            continue
        pools = {}
        for database, stats in now["pools"].items():
            old = then["pools"].get(database, {})
            pools[database] = {
                "size": stats.get("size"),
                "checkouts": stats.get("checkouts", 0) - old.get("checkouts", 0),
                "waits_over_1ms": stats.get("waits_over_1ms", 0) - old.get("waits_over_1ms", 0),
                "wait_ms_total": round(stats.get("wait_ms_total", 0) - old.get("wait_ms_total", 0), 1),
                "timeouts": stats.get("timeouts", 0) - old.get("timeouts", 0),
                "connects": stats.get("connects", 0) - old.get("connects", 0),
                "wait_ms_max_since_start": stats.get("wait_ms_max"),
            }
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


INFRASTRUCTURE = ("postgres", "beam.smp", "erl_child_setup", "epmd", "redis-server", "inet_gethost")


def all_processes():
    """{pid: (short command, cpu seconds)} of every process on the machine."""
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
        found[int(entry)] = (command[:120] or name, name, (int(fields[11]) + int(fields[12])) / CLOCK_TICKS)
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
        after = all_processes()
        ours = {pid: name for name, pid in self.pids.items()}
        ours[os.getpid()] = "bench (load generator)"
        self.cpu, infrastructure, others = {}, 0.0, {}
        for pid, (command, name, cpu) in after.items():
            then = self.before.get(pid)
            used = cpu - (then[2] if then and then[0] == command else 0.0)
            if used <= 0:
                continue
            if pid in ours:
                self.cpu[ours[pid]] = round(used, 2)
            elif name in INFRASTRUCTURE:
                infrastructure += used
            else:
                others[command] = others.get(command, 0.0) + used
        self.infrastructure = round(infrastructure, 2)
        self.others = {command: round(used, 2) for command, used in
                       sorted(others.items(), key=lambda item: -item[1])[:5] if used >= 0.05}
        self.others_total = round(sum(others.values()), 2)
        return False

    def report(self):
        return {"machine_busy_percent": self.machine_busy, "process_cpu_seconds": self.cpu,
                "infrastructure_cpu_seconds": self.infrastructure, "other_processes_cpu_seconds": self.others_total,
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
