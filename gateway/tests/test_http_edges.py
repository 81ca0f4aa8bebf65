"""Whatever the request, the gateway answers in the family's envelope, never with a 500."""
import json

import pytest
import requests

from gateway.tests.logs import read_logs


@pytest.fixture(scope="module")
def owner(api):
    return api.signup()


def test_malformed_json_is_400_code_1(api, owner):
    response = api.request("POST", "/api/sales/campaigns", token=owner.token, data=b'{"name": ',
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json() == {"res": "error", "code": 1, "info": "Malformed JSON body"}


@pytest.mark.parametrize("body", [b"[1, 2]", b'"text"', b"42", b"null"])
def test_non_object_body_is_400_code_1(api, owner, body):
    response = api.request("POST", "/api/sales/campaigns", token=owner.token, data=body)
    assert response.status_code == 400 and response.json()["code"] == 1


def test_missing_body_is_400_code_1(api, owner):
    response = api.request("POST", "/api/sales/campaigns", token=owner.token)
    assert response.status_code == 400
    assert response.json() == {"res": "error", "code": 1, "info": "Missing JSON body"}


def test_invalid_utf8_is_400(api, owner):
    response = api.request("POST", "/api/sales/campaigns", token=owner.token, data=b'{"name": "\xff\xfe"}')
    assert response.status_code == 400 and response.json()["code"] == 1


def test_body_over_one_mebibyte_is_413(api, owner):
    body = json.dumps({"name": "x" * (1024 * 1024)}).encode()
    response = api.request("POST", "/api/sales/campaigns", token=owner.token, data=body)
    assert response.status_code == 413
    assert response.json()["code"] == 13


def test_chunked_body_over_one_mebibyte_is_413(api, owner):
    def chunks():
        yield b'{"name": "'
        for _ in range(1100):
            yield b"x" * 1024
        yield b'"}'
    response = api.request("POST", "/api/sales/campaigns", token=owner.token, data=chunks())
    assert response.status_code == 413


def test_unknown_route_is_404_in_the_family_envelope(api, owner):
    sales = api.get("/api/sales/nothing-here", token=owner.token)
    assert sales.status_code == 404 and sales.json()["res"] == "error" and sales.json()["code"] == 14
    deals = api.get("/api/deals/not-a-route/x.json", token=owner.token)
    assert deals.status_code == 404 and "errors" in deals.json()
    boom = api.get("/prospects/nothing/here/at/all", token=owner.token)
    assert boom.status_code == 404 and boom.json()["statusCode"] == 404


def test_unknown_route_is_404_even_without_credentials(api):
    response = api.get("/definitely/not/here")
    assert response.status_code == 404 and response.json()["code"] == 14


def test_wrong_method_is_405(api, owner):
    response = api.request("PUT", "/api/auth/login", data=b"{}")
    assert response.status_code == 405
    assert response.json()["code"] == 15 and "POST" in response.json()["info"]


def test_request_id_is_echoed_or_generated(api, owner):
    given = api.get("/api/sales/campaigns", token=owner.token, headers={"X-Request-Id": "trace-abc-123"})
    assert given.headers["X-Request-Id"] == "trace-abc-123"
    generated = api.get("/api/sales/campaigns", token=owner.token)
    assert len(generated.headers["X-Request-Id"]) == 32


def test_chunked_json_body_is_read(api, owner):
    def chunks():
        yield b'{"name": "Chunked", "start_date": "2025-01-01",'
        yield b' "end_date": "2025-02-01"}'
    response = api.request("POST", "/api/sales/campaigns", token=owner.token, data=chunks())
    assert response.status_code == 200 and response.json()["data"]["name"] == "Chunked"


def test_request_id_is_logged_by_gateway_and_service(api, owner, system):
    api.get("/api/directory/users", token=owner.token, headers={"X-Request-Id": "find-me-in-the-logs-42"})
    logs = read_logs(system, ("gateway", "directory"), {"directory": "find-me-in-the-logs-42"})
    assert "request_id=find-me-in-the-logs-42 GET /api/directory/users 200" in logs["gateway"]
    assert "request_id=find-me-in-the-logs-42 directory.list_users ok" in logs["directory"]


def test_health_reports_each_routed_service(api, system):
    response = requests.get(api.base_url + "/health", timeout=10)
    services = response.json()["services"]
    assert set(services) == {"directory", "accounts", "deals", "goals", "prospects"}
    running = [name for name in services if name in system.components]
    assert all(services[name] == "ok" for name in running)
    if len(running) == len(services):
        assert response.status_code == 200 and response.json()["status"] == "ok"
