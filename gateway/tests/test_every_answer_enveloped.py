"""Every answer of the gateway is JSON in its family's envelope with an `X-Request-Id`, including
what the HTTP layer refuses before any route runs (odd methods, oversized or malformed request
lines and headers, broken bodies) and /health. Sent as raw bytes: HTTP clients refuse to send
most of these."""
import http.client
import json
import socket
import urllib.parse

import pytest
import requests

from gateway.tests.envelopes import assert_error_envelope, assert_error_response

FAMILY_PATHS = ["/api/auth/login", "/api/deals.json", "/v1/csgoal/external/fetch", "/prospects/list"]


@pytest.fixture(scope="module")
def address(api):
    parts = urllib.parse.urlsplit(api.base_url)
    return parts.hostname, parts.port


def exchange(address, raw):
    """Sends `raw` bytes on a new connection; (status, headers, parsed JSON body) of the answer."""
    with socket.create_connection(address, timeout=15) as sock:
        sock.sendall(raw)
        response = http.client.HTTPResponse(sock)
        response.begin()
        body = response.read()
    headers = {name.title(): value for name, value in response.getheaders()}
    try:
        parsed = json.loads(body)
    except ValueError:
        raise AssertionError("not JSON: {} {!r} {!r}".format(response.status, headers, body[:300]))
    return response.status, headers, parsed


def request_bytes(method, path, headers=(), body=b""):
    lines = ["{} {} HTTP/1.1".format(method, path), "Host: gateway", "Connection: close"]
    lines += ["{}: {}".format(name, value) for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def assert_refused(address, raw, path, status):
    answer_status, headers, body = exchange(address, raw)
    assert answer_status == status, (answer_status, headers, body)
    return assert_error_envelope(path, status, headers, body)


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND", "MKCOL", "BREW"])
@pytest.mark.parametrize("path", FAMILY_PATHS)
def test_unknown_methods_are_answered_in_the_family_envelope(address, method, path):
    status, headers, body = exchange(address, request_bytes(method, path))
    assert status in (404, 405), (status, body)
    assert_error_envelope(path, status, headers, body)


def test_an_unknown_method_on_a_route_is_405_naming_the_allowed_ones(address):
    message = assert_refused(address, request_bytes("PROPFIND", "/api/auth/login"), "/api/auth/login", 405)
    assert "POST" in message


@pytest.mark.parametrize("path", FAMILY_PATHS)
def test_a_20_kb_authorization_header_is_431_in_the_family_envelope(address, path):
    raw = request_bytes("GET", path, [("Authorization", "Bearer " + "a" * 20 * 1024)])
    assert_refused(address, raw, path, 431)


@pytest.mark.parametrize("path", FAMILY_PATHS)
def test_headers_too_large_together_are_431_in_the_family_envelope(address, path):
    raw = request_bytes("GET", path, [("X-Filler-{}".format(i), "b" * 4000) for i in range(20)])
    assert_refused(address, raw, path, 431)


@pytest.mark.parametrize("path", ["/api/sales/goals", "/api/deals/search.json", "/v1/csgoal/x", "/clients/x"])
def test_a_request_line_too_long_is_414_in_the_family_envelope_of_its_path(address, path):
    raw = request_bytes("GET", path + "?q=" + "x" * 10000)
    assert_refused(address, raw, path, 414)


@pytest.mark.parametrize("raw, status", [
    (b"GARBAGE\r\n\r\n", 400),
    (b"GET /api/auth/login HTTP/9.9\r\nHost: x\r\n\r\n", 505),
    (b"GET /api/auth/login HTTP/1.1 extra\r\nHost: x\r\n\r\n", 400),
    (b"GET /api/auth/login HTTP/1.1\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(120)) + b"\r\n", 431),
])
def test_malformed_request_lines_and_headers_are_answered_in_the_envelope(address, raw, status):
    status_seen, headers, body = exchange(address, raw)
    assert status_seen == status, (status_seen, body)
    assert_error_envelope("/api/auth/login", status, headers, body)


@pytest.mark.parametrize("headers", [
    [("Content-Length", "-5")],
    [("Content-Length", "many")],
    [("Content-Length", "4"), ("Transfer-Encoding", "chunked")],
])
@pytest.mark.parametrize("path", ["/api/auth/login", "/api/deals.json"])
def test_a_bad_content_length_is_400_in_the_family_envelope(address, headers, path):
    assert_refused(address, request_bytes("POST", path, headers, b"{}"), path, 400)


def test_a_malformed_chunked_body_is_400_in_the_family_envelope(address):
    raw = request_bytes("POST", "/api/auth/login", [("Transfer-Encoding", "chunked")], b"zz\r\n{}\r\n0\r\n\r\n")
    assert_refused(address, raw, "/api/auth/login", 400)


def test_doubled_slashes_are_routed_by_the_gateway_not_redirected(address):
    status, headers, body = exchange(address, request_bytes("GET", "//api//sales//campaigns"))
    assert status == 404, (status, headers, body)
    assert_error_envelope("/api/sales/campaigns", status, headers, body)


def test_health_answers_with_a_request_id(api):
    generated = requests.get(api.base_url + "/health", timeout=10)
    assert len(generated.headers["X-Request-Id"]) == 32
    given = requests.get(api.base_url + "/health", headers={"X-Request-Id": "health-probe-7"}, timeout=10)
    assert given.headers["X-Request-Id"] == "health-probe-7"
    assert set(given.json()["services"]) >= {"directory"}


def test_health_with_a_wrong_method_is_405_in_the_envelope(api):
    assert_error_response("/health", requests.post(api.base_url + "/health", timeout=10), 405)


def test_a_request_id_that_is_not_a_plain_token_is_replaced(api):
    response = requests.get(api.base_url + "/api/catalog/units", headers={"X-Request-Id": "evil id\tnewline"},
                            timeout=10)
    assert response.status_code == 401
    assert response.headers["X-Request-Id"] != "evil id\tnewline" and len(response.headers["X-Request-Id"]) == 32
