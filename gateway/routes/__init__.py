"""Every HTTP route of the public API, one module per API area.

A handler takes (ctx, **path_values) and returns a JSON-able body, or (status, body) or
(status, body, headers). Raising a ServiceError answers in the route's family envelope. Each route
also names what the OpenAPI document is generated from: a summary and the marshmallow schema of its
JSON body or query, where it has one.
"""
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional, Tuple

from werkzeug.routing import Map, Rule

from gateway.errors import UnknownAction


@dataclass(frozen=True)
class Route:
    path: str
    methods: tuple
    handler: Callable
    public: bool = False        # no credentials needed (signup, login, health)
    rate_limited: bool = False  # per-caller rate limit (accounts API)
    summary: str = ""           # one line for the API reference
    body: Any = None            # marshmallow schema (class) of the JSON body, for the API reference
    query: Any = None           # marshmallow schema (class) of the query string, for the API reference
    status: int = 200           # the status of a success (201 where the document creates)


@dataclass(frozen=True)
class Action:
    """One value of a body's `action`: the RPC method it calls and the success message it answers."""
    method: str
    message: Optional[str] = None
    body: Any = None            # marshmallow schema (class) of this action's body


def action_of(ctx, actions: Mapping[str, Action]) -> Tuple[str, Action, dict]:
    """(name, Action, body) of the request's `action`; UnknownAction (code 2) if it names none of
    `actions`. Every action is its own RPC method: the service never branches on it again."""
    body = ctx.json()
    name = body.get("action")
    if not isinstance(name, str) or name not in actions:
        raise UnknownAction("Invalid action; use one of: {}".format(", ".join(actions)), "action")
    return name, actions[name], body


def route_modules():
    from gateway.routes import accounts, customer_goals, deals, directory, goals, prospects, reference
    return (directory, deals, goals, accounts, prospects, customer_goals, reference)


def routed_services():
    """The services the public API calls, in the order of their route modules (what /health checks):
    goals serves two route modules, the reference pages call no service."""
    return list(dict.fromkeys(module.SERVICE for module in route_modules() if module.SERVICE))


def all_routes():
    from gateway.routes import health
    return [route for module in route_modules() for route in module.ROUTES] + health.ROUTES


def build_map(routes):
    return Map([Rule(route.path, methods=list(route.methods), endpoint=route) for route in routes],
               strict_slashes=False, merge_slashes=False)
