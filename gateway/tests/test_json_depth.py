"""A JSON body nested deeper than the gateway accepts is a 400 in the family's envelope on every
route that takes a body, never a 500 (Python's parser gives up near 1,000 levels with a
RecursionError, and far less deep bodies would still burden every service that reads them)."""
import re
import uuid

import pytest

from gateway import routes
from gateway.context import MAX_JSON_DEPTH
from gateway.tests.envelopes import assert_error_response

BODY_METHODS = ("POST", "PUT", "PATCH")
ROUTES_WITH_BODIES = [(route, method) for route in routes.all_routes() for method in route.methods
                      if method in BODY_METHODS and route.body is not None]
# routes that read no body (e.g. POST .../deactivate): whatever is sent is ignored, never a 5xx
ROUTES_WITHOUT_BODIES = [(route, method) for route in routes.all_routes() for method in route.methods
                         if method in BODY_METHODS and route.body is None]


def concrete(path):
    """The route's path with each variable filled: 1 for integers, a uuid for the others."""
    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>",
                  lambda match: "1" if match.group(1) == "int" else str(uuid.uuid4()), path)


def nested(depth):
    return "[" * depth + "]" * depth


DEEP_BODIES = {
    "1000 nested arrays": nested(1000),
    "100000 nested arrays": nested(100000),
    "an object holding 1000 nested objects": '{"name": ' + '{"a": ' * 1000 + "1" + "}" * 1000 + "}",
    "an object one level too deep": '{"name": ' + nested(MAX_JSON_DEPTH) + "}",
}


@pytest.fixture(scope="module")
def owner(api):
    return api.signup()


@pytest.fixture(scope="module")
def limited_callers(api):
    """A caller of its own for each rate-limited route (10 requests per second per caller): the four
    deep bodies sent to one route stay within the limit."""
    callers = {}

    def caller_for(route, method):
        if (route.path, method) not in callers:
            callers[(route.path, method)] = api.signup()
        return callers[(route.path, method)]
    return caller_for


def test_there_are_routes_with_bodies():
    assert len(ROUTES_WITH_BODIES) >= 17


@pytest.mark.parametrize("kind", sorted(DEEP_BODIES))
@pytest.mark.parametrize("route, method", ROUTES_WITH_BODIES,
                         ids=["{} {}".format(method, route.path) for route, method in ROUTES_WITH_BODIES])
def test_a_too_deeply_nested_body_is_400_in_the_family_envelope(api, owner, limited_callers, route, method, kind):
    path = concrete(route.path)
    caller = limited_callers(route, method) if route.rate_limited else owner
    response = api.request(method, path, token=None if route.public else caller.token, data=DEEP_BODIES[kind],
                           headers={"Content-Type": "application/json"})
    message = assert_error_response(path, response, 400)
    assert "nested" in message, message


@pytest.mark.parametrize("route, method", ROUTES_WITHOUT_BODIES,
                         ids=["{} {}".format(method, route.path) for route, method in ROUTES_WITHOUT_BODIES])
def test_a_route_that_reads_no_body_ignores_a_deep_one(api, owner, route, method):
    path = concrete(route.path)
    response = api.request(method, path, token=None if route.public else owner.token,
                           data=DEEP_BODIES["100000 nested arrays"], headers={"Content-Type": "application/json"})
    assert response.status_code < 500, (path, response.status_code, response.text)
    assert response.headers["X-Request-Id"] and response.headers["Content-Type"] == "application/json"


def test_nesting_up_to_the_limit_is_accepted(api, owner):
    """A body exactly at the limit is parsed and judged by the service (here: a wrong type)."""
    body = '{"name": ' + nested(MAX_JSON_DEPTH - 1) + ', "start_date": "2025-01-01", "end_date": "2025-02-01"}'
    response = api.request("POST", "/api/sales/campaigns", token=owner.token, data=body)
    message = assert_error_response("/api/sales/campaigns", response, 400)
    assert "nested" not in message and "name" in message, message
