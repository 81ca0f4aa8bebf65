"""`runtime_stats()`: what a running service process reports about itself, for the load benchmark
(bench/run.py) and for anyone diagnosing a slow service: its database pools' checkout waits
(infra.db.MeteredQueuePool) and the CPU time the process has used.

A service class inherits the entrypoint: `class DealsService(RuntimeStats):`.
"""

import os
import time
from typing import Any

from infra import db
from infra.entrypoints import rpc


def process_stats() -> dict[str, Any]:
    times = os.times()
    return {
        "pid": os.getpid(),
        "cpu_seconds": round(times.user + times.system, 3),
        "monotonic": time.monotonic(),
        "pools": db.pool_stats(),
    }


class RuntimeStats:
    name: str  # the service's, on the class this is mixed into

    @rpc
    def runtime_stats(self) -> dict[str, Any]:
        return dict(process_stats(), service=self.name)
