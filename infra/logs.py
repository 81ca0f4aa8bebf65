"""Request ids in the logs: the gateway puts `request_id` in the RPC context, every service logs it."""
import logging
import time

from nameko.extensions import DependencyProvider

log = logging.getLogger("crm.requests")
REQUEST_ID_KEY = "request_id"


class RequestLog(DependencyProvider):
    """Logs each entrypoint run with the request id it belongs to and how long it took."""

    def __init__(self):
        self.started = {}

    def worker_setup(self, worker_ctx):
        self.started[worker_ctx] = time.monotonic()

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        began = self.started.pop(worker_ctx, None)
        elapsed_ms = (time.monotonic() - began) * 1000 if began is not None else -1
        outcome = "error {}".format(type(exc_info[1]).__name__) if exc_info else "ok"
        log.info("request_id=%s %s.%s %s %.1fms", worker_ctx.data.get(REQUEST_ID_KEY, "-"),
                 worker_ctx.service_name, worker_ctx.entrypoint.method_name, outcome, elapsed_ms)

    def get_dependency(self, worker_ctx):
        return worker_ctx.data.get(REQUEST_ID_KEY)
