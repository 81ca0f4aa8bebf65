"""A service process's heartbeat file, so that a probe in the same container (infra/probe.py) can tell
that this very process runs and consumes its queues.

Asking the broker cannot tell that: with several replicas, any one of them answers an RPC (competing
consumers). So every service process (the `Heartbeat` provider of infra.service.ServiceBase) rewrites
`<CRM_VAR_DIR>/heartbeat/<service>` every BEAT_SECONDS from a green thread, with its state: `starting`
until every queue consumer of the process consumes, then `consuming`. A blocked event loop writes
nothing, so the file's age is how long the process has been stuck.

This module imports neither eventlet nor nameko: the liveness probe reads the file in ~70 ms.
"""
import os
import time

from infra import settings

BEAT_SECONDS = 2.0
STARTING = "starting"
CONSUMING = "consuming"


def path(service):
    return os.path.join(settings.get().var_dir, "heartbeat", service)


def write(service, state):
    """Replaces the file at once (a reader never sees half of it)."""
    target = path(service)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    temporary = "{}.{}.tmp".format(target, os.getpid())
    with open(temporary, "w") as handle:
        handle.write(state + "\n")
    os.replace(temporary, target)


def read(service):
    """(state, seconds since the last beat) of the service's process, or (None, None) before its first beat."""
    target = path(service)
    try:
        with open(target) as handle:
            state = handle.read().strip()
        age = time.time() - os.stat(target).st_mtime
    except FileNotFoundError:
        return None, None
    return state, max(0.0, age)
