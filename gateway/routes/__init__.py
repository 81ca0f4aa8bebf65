"""Every HTTP route of the public API, one module per API area.

A handler takes (ctx, **path_values) and returns a JSON-able body, or (status, body) or
(status, body, headers). Raising a ServiceError answers in the route's family envelope.
"""
from dataclasses import dataclass
from typing import Callable

from werkzeug.routing import Map, Rule


@dataclass(frozen=True)
class Route:
    path: str
    methods: tuple
    handler: Callable
    public: bool = False        # no credentials needed (signup, login, catalog, health)
    rate_limited: bool = False  # per-caller rate limit (accounts API)


def route_modules():
    from gateway.routes import accounts, deals, directory, goals
    return (directory, deals, goals, accounts)


def routed_services():
    """The services the public API calls, in the order of their route modules (what /health checks)."""
    return [module.SERVICE for module in route_modules()]


def all_routes():
    return [route for module in route_modules() for route in module.ROUTES]


def build_map(routes):
    return Map([Rule(route.path, methods=list(route.methods), endpoint=route) for route in routes],
               strict_slashes=False, merge_slashes=False)
