"""Starting and stopping the whole system as `nameko run` processes.

Used by `make run` (`python -m infra.supervisor run`, which keeps them running), the end-to-end
tests and the benchmarks, so all three start the system the same way. A service whose module does not
exist yet is skipped.

Each component runs as one or more identical processes (eventlet uses one core per process):
`GATEWAY_PROCESSES` gateway processes share the HTTP port (SO_REUSEPORT, gateway/http.py) and
`<SERVICE>_PROCESSES` (else `SERVICE_PROCESSES`) processes of a service consume its RPC queue and
event queues as competing consumers. Defaults: see `DEFAULT_PROCESSES`.

Every process serves its Prometheus metrics on a port of its own (METRICS_PORT, infra.metrics_export):
process `i` of a component gets METRICS_PORT_BASE + 10 x the component's slot (`METRICS_SLOTS`) + i,
so with the default base 9100 the gateways answer on 9100 and 9101, the directory on 9110, accounts
9120, prospects 9130, deals 9140, goals 9150. METRICS_PORT_BASE=0 takes free ports instead (the tests
and benchmarks, which may run beside `make run`). `System.metrics_ports` says which.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from typing import Any

from infra import settings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

ENTRYPOINTS = {
    "directory": "services.directory.service:DirectoryService",
    "accounts": "services.accounts.service:AccountsService",
    "prospects": "services.prospects.service:ProspectsService",
    "deals": "services.deals.service:DealsService",
    "goals": "services.goals.service:GoalsService",
    "gateway": "gateway.service:GatewayService",
}


DEFAULT_PROCESSES = {"gateway": 2}  # others: 1 (see process_count)
METRICS_SLOTS = {"gateway": 0, "directory": 1, "accounts": 2, "prospects": 3, "deals": 4, "goals": 5}
METRICS_PORTS_PER_COMPONENT = 10


def metrics_port(name: str, index: int, base: int) -> int:
    """The metrics port of process `index` of component `name` (module docstring); base 0: a free one."""
    if not base:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port: int = sock.getsockname()[1]
            return port
    if index >= METRICS_PORTS_PER_COMPONENT:
        raise ValueError(
            "{} processes of {}: at most {} have metrics ports of their own from METRICS_PORT_BASE; "
            "set METRICS_PORT_BASE=0 for free ports".format(index + 1, name, METRICS_PORTS_PER_COMPONENT)
        )
    return base + METRICS_PORTS_PER_COMPONENT * METRICS_SLOTS[name] + index


def process_count(name: str, env: Mapping[str, str] | None = None) -> int:
    """How many processes of component `name` to run: GATEWAY_PROCESSES for the gateway,
    `<NAME>_PROCESSES` else SERVICE_PROCESSES for a service; at least 1."""
    env = os.environ if env is None else env
    if name == "gateway":
        value = env.get("GATEWAY_PROCESSES")
    else:
        value = env.get("{}_PROCESSES".format(name.upper())) or env.get("SERVICE_PROCESSES")
    try:
        return max(1, int(value)) if value else DEFAULT_PROCESSES.get(name, 1)
    except ValueError:
        raise ValueError(
            "{} must be a whole number, not {!r}".format(
                "GATEWAY_PROCESSES" if name == "gateway" else "{}_PROCESSES".format(name.upper()), value
            )
        ) from None


def available_components() -> list[str]:
    present = []
    for name, entrypoint in ENTRYPOINTS.items():
        module = entrypoint.split(":")[0]
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:  # its package does not exist yet
            found = False
        if found:
            present.append(name)
    return present


class System:
    """The running processes of one system: `start()`, `stop(name)`, `start_component(name)`...

    `instances[name]` lists every process of a component; `processes[name]` is its first one;
    `metrics_ports[name]` their metrics ports, in the same order."""

    def __init__(
        self, env: Mapping[str, str] | None = None, log_dir: str | None = None, components: list[str] | None = None
    ) -> None:
        self.env = dict(os.environ if env is None else env)
        self.env.setdefault("PYTHONPATH", ROOT)
        self.log_dir = log_dir or os.path.join(ROOT, "var", "log")
        self.components = components or available_components()
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.instances: dict[str, list[subprocess.Popen[bytes]]] = {}
        self.metrics_ports: dict[str, list[int]] = {}

    @property
    def base_url(self) -> str:
        address = self.env.get("GATEWAY_ADDRESS", "0.0.0.0:8000")
        host, port = address.rsplit(":", 1)
        return "http://{}:{}".format("127.0.0.1" if host in ("0.0.0.0", "") else host, port)

    def start(self, timeout: float = 90) -> System:
        for name in self.components:
            if name != "gateway":
                self.start_component(name)
        if "gateway" in self.components:
            self.start_component("gateway")
        self.wait_healthy(timeout)
        return self

    def command(self, name: str) -> list[str]:
        """The command line of one process of component `name`."""
        return [sys.executable, "-m", "nameko", "run", "--config", os.path.join(ROOT, "config.yaml"), ENTRYPOINTS[name]]

    def spawn(self, name: str, env: Mapping[str, str] | None = None, index: int = 0) -> subprocess.Popen[bytes]:
        """Starts process `index` of component `name` (its own session: a terminal's Ctrl-C reaches only
        the launcher, which stops the processes in order), on the metrics port of that place."""
        os.makedirs(self.log_dir, exist_ok=True)
        ports = self.metrics_ports.setdefault(name, [])
        if index >= len(ports):
            ports.append(metrics_port(name, index, settings.metrics_port_base(self.env)))
        env = dict(env or self.env, METRICS_PORT=str(ports[index]))
        # every process of a component appends to the same log (O_APPEND: whole lines)
        with open(os.path.join(self.log_dir, "{}.log".format(name)), "ab") as log:
            return subprocess.Popen(
                self.command(name), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def start_component(self, name: str, extra_env: Mapping[str, str] | None = None) -> subprocess.Popen[bytes]:
        """Starts the component's processes (process_count); returns the first."""
        env = dict(self.env, **(extra_env or {}))
        self.instances[name] = [self.spawn(name, env, index) for index in range(process_count(name, env))]
        self.processes[name] = self.instances[name][0]
        return self.processes[name]

    def respawn(self, name: str, index: int) -> subprocess.Popen[bytes]:
        """Replaces process `index` of component `name` (which has exited) with a new one."""
        process = self.spawn(name, index=index)
        self.instances[name][index] = process
        if index == 0:
            self.processes[name] = process
        return process

    def metrics_urls(self) -> dict[str, list[str]]:
        """{name: [the /metrics URL of each process, ...]}."""
        return {
            name: ["http://127.0.0.1:{}/metrics".format(port) for port in self.metrics_ports.get(name, [])]
            for name in self.instances
        }

    def pids(self) -> dict[str, list[int]]:
        """{name: [pid, ...]} of every running component."""
        return {name: [process.pid for process in processes] for name, processes in self.instances.items()}

    def stop_component(self, name: str, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
        self.stop_components([name], sig, timeout)

    def stop_components(self, names: Iterable[str], sig: int = signal.SIGTERM, timeout: float = 20) -> None:
        """Signals every process of `names` at once, then waits for them (SIGKILL after `timeout`)."""
        running = []
        for name in names:
            self.processes.pop(name, None)
            running += [process for process in self.instances.pop(name, []) if process.poll() is None]
        for process in running:
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + timeout
        for process in running:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            except ProcessLookupError:
                pass

    def kill_component(self, name: str) -> None:
        """A crash: SIGKILL, no clean shutdown."""
        self.stop_component(name, sig=signal.SIGKILL)

    def stop(self) -> None:
        """The gateway first (no new requests), then every service at once."""
        if "gateway" in self.instances:
            self.stop_component("gateway")
        self.stop_components(list(self.instances))

    def health(self) -> Any:
        """The gateway's /health answer (a JSON object), None while it does not answer."""
        try:
            with urllib.request.urlopen(self.base_url + "/health", timeout=5) as response:
                return json.load(response)
        except urllib.error.HTTPError as exc:
            return json.load(exc)
        except (OSError, ValueError):
            return None

    def wait_healthy(self, timeout: float = 90, components: Iterable[str] | None = None) -> dict[str, Any]:
        wanted = [name for name in (components or self.components) if name != "gateway"]
        deadline = time.monotonic() + timeout
        state: dict[str, Any] | None = None
        while time.monotonic() < deadline:
            for name, process in ((n, p) for n, ps in self.instances.items() for p in ps):
                if process.poll() is not None:
                    raise RuntimeError(
                        "{} exited with {}; see {}/{}.log".format(name, process.returncode, self.log_dir, name)
                    )
            state = self.health()
            if state and all(state["services"].get(name) == "ok" for name in wanted):
                return state
            time.sleep(0.3)
        raise RuntimeError("system not healthy after {}s: {}".format(timeout, state))
