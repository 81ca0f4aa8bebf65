"""`runtime_stats()`: what a running service process reports about itself, for the load benchmark
(bench/run.py) and for anyone diagnosing a slow service: its database pools' checkout waits
(infra.db.MeteredQueuePool) and the CPU time the process has used.

A service class inherits the entrypoint: `class DealsService(RuntimeStats):`.
"""

import os
import time

from infra import db
from infra.entrypoints import rpc


def process_stats():
    times = os.times()
    return {
        "pid": os.getpid(),
        "cpu_seconds": round(times.user + times.system, 3),
        "monotonic": time.monotonic(),
        "pools": db.pool_stats(),
    }


class RuntimeStats:
    @rpc
    def runtime_stats(self):
        return dict(process_stats(), service=self.name)
