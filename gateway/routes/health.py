"""GET /health: whether every service the public API calls answers `ping` in time.

200 `{"status": "ok", "services": {name: "ok"}}` when all do, else 503 with each one's state
("timeout", "unavailable: <kind>"). Public, and answered like every route (request id, log line).
"""
import eventlet

from gateway.routes import Route, routed_services
from infra.errors import ServiceTimeout

HEALTH_TIMEOUT_SECONDS = 2.0


def health(ctx):
    names = routed_services()
    states = dict(zip(names, eventlet.GreenPool().imap(lambda name: ping(ctx, name), names)))
    healthy = all(state == "ok" for state in states.values())
    return 200 if healthy else 503, {"status": "ok" if healthy else "degraded", "services": states}


def ping(ctx, service):
    try:
        return "ok" if ctx.call(service, "ping", timeout=HEALTH_TIMEOUT_SECONDS) == "ok" else "unexpected answer"
    except ServiceTimeout:
        return "timeout"
    except Exception as exc:  # the service is down or not deployed
        return "unavailable: {}".format(type(exc).__name__)


ANSWER = {"type": "object", "required": ["status", "services"], "properties": {
    "status": {"enum": ["ok", "degraded"]}, "services": {"type": "object", "additionalProperties": {"type": "string"}}}}

ROUTES = [Route("/health", ("GET",), health, public=True, summary="Whether every service answers (503 if one does not)",
                enveloped=False, response=ANSWER, answers=((503, ANSWER),))]
