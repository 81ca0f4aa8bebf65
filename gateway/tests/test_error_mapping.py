"""The one table that turns failures into API errors, per family."""
import logging

import pytest
from nameko.exceptions import RemoteError, UnknownService, deserialize, serialize

from gateway.errors import (TIMED_OUT, UNAVAILABLE, InternalError, MalformedBody, MethodNotAllowed, PayloadTooLarge,
                            RouteNotFound, as_service_error)
from gateway.families import BoomFamily, CustomerGoalsFamily, DealsFamily, SalesFamily, family_for_path
from infra.errors import NotFound, ServiceTimeout, ServiceUnavailable, Unauthenticated, ValidationFailed
from services.directory.exceptions import GroupNotFound, OwnerOnly


@pytest.mark.parametrize("exc, status, code", [
    (MalformedBody(), 400, 1),
    (ValidationFailed("name: required", "name"), 400, 3),
    (Unauthenticated(), 401, 11),
    (OwnerOnly(), 403, 21),
    (GroupNotFound(), 404, 20),
    (MethodNotAllowed(), 405, 15),
    (PayloadTooLarge(), 413, 13),
    (ServiceUnavailable(), 503, 16),
    (ServiceTimeout(), 504, 17),
    (UnknownService("deals"), 503, 16),
    (RemoteError("KeyError", "boom"), 500, 99),
    (ZeroDivisionError(), 500, 99),
])
def test_failures_map_to_status_and_code(exc, status, code):
    error = as_service_error(exc, "req-1")
    assert (error.status, error.code) == (status, code)


@pytest.mark.parametrize("exc, status, detail", [
    (ServiceUnavailable("directory.list_users not sent: the broker is unreachable: [Errno 111] ECONNREFUSED"), 503,
     "ECONNREFUSED"),
    (ServiceUnavailable("RPC connection lost: Connection reset by peer"), 503, "RPC connection lost"),
    (ServiceTimeout("deals did not answer get_deal within 10s"), 504, "get_deal"),
    (UnknownService("goals"), 503, "goals"),
    (ConnectionRefusedError(111, "ECONNREFUSED"), 503, "ECONNREFUSED"),
])
def test_unavailable_and_slow_services_are_answered_in_general_words_and_logged_in_detail(caplog, exc, status, detail):
    with caplog.at_level(logging.WARNING, logger="gateway.errors"):
        error = as_service_error(exc, "req-9")
    assert (error.status, error.info) == (status, TIMED_OUT if status == 504 else UNAVAILABLE)
    assert [record for record in caplog.records if "req-9" in record.getMessage() and detail in record.getMessage()]


def test_a_service_error_survives_the_rpc_round_trip_as_its_own_type():
    received = deserialize(serialize(GroupNotFound("Group 7 not found", "group_id")))
    assert type(received) is GroupNotFound
    assert (received.info, received.field, received.status, received.code) == ("Group 7 not found", "group_id", 404, 20)


@pytest.mark.parametrize("path, family", [
    ("/api/sales/goals", SalesFamily), ("/api/auth/login", SalesFamily), ("/nowhere", SalesFamily),
    ("/api/deals.json", DealsFamily), ("/api/deals/3.json", DealsFamily),
    ("/v1/csgoal/goal", CustomerGoalsFamily), ("/csgoal/external/metrics", CustomerGoalsFamily),
    ("/csgoals", SalesFamily), ("/prospects/list", BoomFamily), ("/clients/4", BoomFamily),
])
def test_family_is_chosen_by_path(path, family):
    assert family_for_path(path) is family


def test_each_family_renders_its_own_error_envelope():
    error = NotFound("Deal not found", "id")
    assert SalesFamily.error_body(error, "r") == {"res": "error", "code": 20, "info": "Deal not found"}
    assert DealsFamily.error_body(error, "r") == {"errors": {"id": ["Deal not found"]}}
    assert DealsFamily.error_body(RouteNotFound("nope"), "r") == {"errors": {"base": ["nope"]}}
    assert CustomerGoalsFamily.error_body(error, "r") == {
        "result": False, "errorCode": "CG_NOT_FOUND", "errorDesc": "NOT_FOUND", "localizedErrorDesc": "NOT_FOUND",
        "requestId": "r", "data": None, "message": "Deal not found", "localizedMessage": "Deal not found",
        "errorInfo": None}
    assert BoomFamily.error_body(error, "r") == {"statusCode": 404, "error": "Not Found", "message": "Deal not found"}
    assert InternalError().status == 500


def test_an_error_without_a_field_crosses_rpc_without_one():
    from nameko.exceptions import deserialize, serialize

    from infra.errors import ServiceTimeout

    crossed = deserialize(serialize(ServiceTimeout("a nested call timed out")))
    assert isinstance(crossed, ServiceTimeout)
    assert crossed.field is None and crossed.errors == {} and crossed.info == "a nested call timed out"
