"""`make run`'s launcher: starts the system (infra.processes) and keeps every process running.

`python -m infra.supervisor run` starts every component present (or those RUN_COMPONENTS names),
prints how to use the system, then supervises: a process that exits (a crash, a kill -9, an
out-of-memory kill) is logged and started again after a delay that doubles with each exit in a row
(1, 2, 4 ... RESTART_MAX_SECONDS) and falls back to the first once the process has run
STABLE_SECONDS; the other processes keep serving meanwhile. Only SIGINT (Ctrl-C) or SIGTERM
(`make stop`) stops everything: the gateway first, then every service at once.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Optional

from infra import settings
from infra.processes import ENTRYPOINTS, ROOT, System, available_components

log = logging.getLogger("crm.supervisor")

FIRST_RESTART_SECONDS = 1.0
RESTART_MAX_SECONDS = 30.0
STABLE_SECONDS = 60.0
CHECK_INTERVAL_SECONDS = 0.5


def restart_delay(
    exits_in_a_row: int, first: float = FIRST_RESTART_SECONDS, maximum: float = RESTART_MAX_SECONDS
) -> float:
    """The wait before the restart that follows the `exits_in_a_row`-th exit in a row (1, 2, 3...)."""
    return min(maximum, first * 2.0 ** (exits_in_a_row - 1))


@dataclass
class Slot:
    """One supervised process place: component `name`, process `index` of it."""

    started_at: float
    exits_in_a_row: int = 0
    restart_at: Optional[float] = None


class Supervisor:
    """Keeps every process of `system` running (module docstring). `check()` does one round and is
    what a test drives; `run(stopping)` repeats it until `stopping()` is true."""

    def __init__(
        self,
        system: System,
        first_delay: float = FIRST_RESTART_SECONDS,
        max_delay: float = RESTART_MAX_SECONDS,
        stable_seconds: float = STABLE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.system = system
        self.first_delay, self.max_delay, self.stable_seconds = first_delay, max_delay, stable_seconds
        self.clock = clock
        self.slots: dict[tuple[str, int], Slot] = {}
        self.restarts = 0

    def start(self, timeout: float = 90) -> Supervisor:
        self.system.start(timeout)
        return self

    def check(self) -> None:
        """Notices processes that exited and restarts those whose delay has passed."""
        now = self.clock()
        for name, processes in list(self.system.instances.items()):
            for index, process in enumerate(processes):
                slot = self.slots.setdefault((name, index), Slot(started_at=now))
                if slot.restart_at is not None:
                    if now >= slot.restart_at:
                        self._restart(name, index, slot, now)
                elif process.poll() is not None:
                    self._schedule(name, process, slot, now)

    def run(self, stopping: Callable[[], bool], interval: float = CHECK_INTERVAL_SECONDS) -> None:
        while not stopping():
            self.check()
            time.sleep(interval)

    def stop(self) -> None:
        self.system.stop()

    def _schedule(self, name: str, process: subprocess.Popen[bytes], slot: Slot, now: float) -> None:
        ran = now - slot.started_at
        if ran >= self.stable_seconds:
            slot.exits_in_a_row = 0
        slot.exits_in_a_row += 1
        delay = restart_delay(slot.exits_in_a_row, self.first_delay, self.max_delay)
        slot.restart_at = now + delay
        log.warning(
            "%s (pid %s) exited with %s after %.0fs; restarting in %.0fs (exit %d in a row; see %s/%s.log)",
            name,
            process.pid,
            process.returncode,
            ran,
            delay,
            slot.exits_in_a_row,
            os.path.relpath(self.system.log_dir, ROOT),
            name,
        )

    def _restart(self, name: str, index: int, slot: Slot, now: float) -> None:
        try:
            process = self.system.respawn(name, index)
        except OSError as exc:
            slot.restart_at = None  # counted as another exit in a row at the next check
            log.error("%s could not be started again: %s", name, exc)
            return
        slot.started_at, slot.restart_at = now, None
        self.restarts += 1
        log.warning("%s restarted (pid %s)", name, process.pid)


def selected_components(wanted: Collection[str] | None = None) -> list[str]:
    """The components `make run` starts: RUN_COMPONENTS's, else every one present."""
    wanted = settings.get().run_components if wanted is None else wanted
    unknown = sorted(set(wanted) - set(ENTRYPOINTS))
    if unknown:
        raise SystemExit(
            "RUN_COMPONENTS names unknown components: {} (known: {})".format(", ".join(unknown), ", ".join(ENTRYPOINTS))
        )
    return [name for name in available_components() if not wanted or name in wanted]


def run_forever() -> None:
    """`make run`: start everything, print how to use it, supervise until Ctrl-C or SIGTERM."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stdout)
    var_dir = settings.get().var_dir
    system = System(log_dir=os.path.join(var_dir, "log"), components=selected_components())
    supervisor = Supervisor(system)
    stopping = []
    signal.signal(signal.SIGINT, lambda *_: stopping.append(True))
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    log.info("==> starting: %s", ", ".join(system.components))
    try:
        supervisor.start()
    except RuntimeError as exc:
        log.error("!! %s", exc)
        system.stop()
        sys.exit(1)
    pid_file = os.path.join(var_dir, "run.pid")
    with open(pid_file, "w") as handle:
        handle.write(str(os.getpid()))
    log_dir = os.path.relpath(system.log_dir, ROOT)
    print(
        SUMMARY.format(
            url=system.base_url.replace("127.0.0.1", "localhost"),
            components="\n".join(
                "  {:<10} pid {:<15} log {}/{}.log   metrics :{}".format(
                    name,
                    ",".join(str(p.pid) for p in processes),
                    log_dir,
                    name,
                    ",".join(str(port) for port in system.metrics_ports.get(name, [])),
                )
                for name, processes in system.instances.items()
            ),
        ),
        flush=True,
    )
    try:
        supervisor.run(lambda: bool(stopping))
    finally:
        log.info("==> stopping")
        supervisor.stop()
        if os.path.exists(pid_file):
            os.remove(pid_file)
        log.info("==> stopped")


SUMMARY = """
The CRM is running on {url} (a process that exits is started again; Ctrl-C stops everything)

{components}

Sign up (creates a workspace and its owner, answers a token):
  curl -s -X POST {url}/api/auth/signup -H 'Content-Type: application/json' \\
       -d '{{"workspace": "Acme", "email": "owner@acme.test", "password": "a-long-password",
            "first_name": "Ada", "last_name": "Lovelace"}}'
Then:  curl -s {url}/api/directory/users -H "Authorization: Bearer $TOKEN"
Or the command line (cli/README.md): .venv/bin/crm signup ...  or  .venv/bin/crm demo-data
  (a new workspace full of users, accounts, deals, goals and prospects, and you logged in as its owner)
Health: curl -s {url}/health          Stop: Ctrl-C (or `make stop` from another shell)
Metrics: curl -s localhost:<port>/metrics (ports above; docs/operations.md names the series)
"""

if __name__ == "__main__":
    if sys.argv[1:] == ["run"]:
        run_forever()
    else:
        print("usage: python -m infra.supervisor run")
        sys.exit(2)
