"""What the gateway records of each request it answers: the metrics by route template, method and
status (infra.metrics), and one log line with the request id bound for the request
(infra.correlation)."""
from infra import metrics
from infra.logs import get_logger

log = get_logger("crm.gateway")


def answered(request, route, status, seconds):
    """`route` is the matched route's template (None: no route matched)."""
    metrics.http_done(route, request.method, status, seconds)
    log.info("{} {} {}".format(request.method, request.path, status), route=route,
             duration_ms=round(seconds * 1000, 1))
