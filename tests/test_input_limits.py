"""Issue 14: what a body cannot be, on every API family, is a clear 4xx in the family's envelope:
over 1 MiB (declared, sent without a length, or chunked), invalid UTF-8, a media type other than JSON,
and numbers no integer field holds (1e400, 2**64, -2**63-1, and the NaN/Infinity that Python's parser
reads) in every integer field of every documented body and query. Deep nesting is
gateway/tests/test_json_depth.py's, on every route that takes a body.

Media types (gateway/context.py): a body is read as JSON under application/json (and */*+json),
text/plain, application/x-www-form-urlencoded (what `curl -d` sends) or no Content-Type; any other
type, or a charset other than UTF-8, is a 415. Credentials travel only in headers, so accepting the
types a cross-site form can send opens nothing."""
import json
import re
import socket
import urllib.parse

import pytest

from gateway.openapi import build
from gateway.tests.envelopes import assert_error_envelope, assert_error_response

MIB = 1024 * 1024
# one route taking a JSON body in each family (and each service of the sales family)
FAMILY_ROUTES = [("POST", "/api/sales/campaigns"), ("POST", "/api/sales/goals/goal"),
                 ("POST", "/api/sales/accounts/account"), ("POST", "/api/deals.json"),
                 ("POST", "/v1/csgoal/external/create"), ("POST", "/prospects")]
IDS = ["{} {}".format(method, path) for method, path in FAMILY_ROUTES]
HUGE = ("1e400", str(2 ** 64), str(-2 ** 63 - 1), "NaN", "Infinity", "-Infinity")


@pytest.fixture(scope="module")
def owner(api):
    return api.signup()


def raw_exchange(base_url, head, body=b"", chunks=()):
    """Sends a request as bytes (a head of header lines, then a body or chunks) and reads the answer:
    (status, headers, parsed JSON body)."""
    address = urllib.parse.urlsplit(base_url)
    with socket.create_connection((address.hostname, address.port), timeout=30) as sock:
        sock.sendall(head.encode("latin-1") + b"\r\n" + body)
        for chunk in chunks:
            try:
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            except OSError:  # the gateway answered and closed before the end: that is the point
                break
        answer = b""
        while True:
            try:
                data = sock.recv(65536)
            except OSError:
                break
            if not data:
                break
            answer += data
            if b"\r\n\r\n" in answer:
                head_part, _, rest = answer.partition(b"\r\n\r\n")
                length = next((int(line.split(b":")[1]) for line in head_part.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), None)
                if length is not None and len(rest) >= length:
                    break
    head_part, _, rest = answer.partition(b"\r\n\r\n")
    lines = head_part.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), headers, json.loads(rest)


def head(method, path, token, *extra):
    return "\r\n".join(["{} {} HTTP/1.1".format(method, path), "Host: gateway", "Authorization: Bearer " + token,
                        "Content-Type: application/json", *extra]) + "\r\n"


@pytest.mark.parametrize("method, path", FAMILY_ROUTES, ids=IDS)
def test_a_body_over_one_mebibyte_is_413_however_it_is_sent(api, owner, method, path):
    big = b'{"name": "' + b"x" * MIB + b'"}'
    declared = raw_exchange(api.base_url, head(method, path, owner.token, "Content-Length: {}".format(len(big))), big)
    announced = raw_exchange(api.base_url, head(method, path, owner.token, "Content-Length: {}".format(2 * MIB)))
    chunked = raw_exchange(api.base_url, head(method, path, owner.token, "Transfer-Encoding: chunked"),
                           chunks=[b"x" * 65536] * 17 + [b""])
    for status, headers, body in (declared, announced, chunked):
        assert status == 413, (status, body)
        assert_error_envelope(path, 413, headers, body)


@pytest.mark.parametrize("method, path", FAMILY_ROUTES, ids=IDS)
def test_a_body_without_a_length_is_no_body(api, owner, method, path):
    """HTTP/1.1: with neither Content-Length nor chunked, a request has no body (what follows the head
    would be the next request): the route answers that its JSON body is missing."""
    status, headers, body = raw_exchange(api.base_url, head(method, path, owner.token, "Connection: close"),
                                         b'{"name": "' + b"x" * MIB + b'"}')
    if path == "/prospects":  # its route passes the service what it got, here nothing: 422 (the document's)
        assert status == 422 and assert_error_envelope(path, 422, headers, body)
    else:
        assert status == 400 and "Missing JSON body" in assert_error_envelope(path, 400, headers, body)


@pytest.mark.parametrize("method, path", FAMILY_ROUTES, ids=IDS)
def test_invalid_utf8_is_400(api, owner, method, path):
    response = api.patient_request(method, path, owner.token, data=b'{"name": "\xff\xfe\xc3("}',
                                   headers={"Content-Type": "application/json"})
    assert "JSON" in assert_error_response(path, response, 400)


@pytest.mark.parametrize("content_type", ["multipart/form-data; boundary=x", "application/xml",
                                          "application/octet-stream", "text/html", "application/json; charset=latin-1",
                                          "text/plain; charset=utf-16"])
@pytest.mark.parametrize("method, path", FAMILY_ROUTES, ids=IDS)
def test_a_media_type_other_than_json_is_415(api, owner, method, path, content_type):
    response = api.patient_request(method, path, owner.token, data=b'{"name": "x"}',
                                   headers={"Content-Type": content_type})
    assert "accepted" in assert_error_response(path, response, 415)


@pytest.mark.parametrize("content_type", [None, "application/json", "application/json; charset=UTF-8",
                                          "application/merge-patch+json", "text/plain",
                                          "application/x-www-form-urlencoded"])
def test_json_under_the_accepted_media_types_is_read(api, owner, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    body = json.dumps({"name": "Typed", "start_date": "2025-01-01", "end_date": "2025-02-01"}).encode()
    response = api.request("POST", "/api/sales/campaigns", owner.token, data=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["name"] == "Typed"


# --- huge numbers in every integer field ------------------------------------------------------------------
def resolve(document, schema):
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def integer_paths(document, schema, prefix=(), depth=0):
    """Where the body schema has integers: tuples of keys (0 for an array's item)."""
    schema = resolve(document, schema)
    types = schema.get("type", [])
    types = types if isinstance(types, list) else [types]
    if "integer" in types:
        yield prefix
    if depth > 4:
        return
    for name, child in schema.get("properties", {}).items():
        yield from integer_paths(document, child, prefix + (name,), depth + 1)
    if "items" in schema:
        yield from integer_paths(document, schema["items"], prefix + (0,), depth + 1)
    for key in ("allOf", "anyOf", "oneOf"):
        for child in schema.get(key, []):
            yield from integer_paths(document, child, prefix, depth + 1)


def body_with(path, action=None, marker="__HUGE__"):
    value = marker
    for key in reversed(path):
        value = [value] if key == 0 else {key: value}
    if action is not None:
        value = dict(value, action=action)
    return value


def alternatives(body):
    """(action, schema) of each action a body schema documents (one body per action), else (None, body)."""
    if "oneOf" not in body:
        return [(None, body)]
    return [(next(part["properties"]["action"]["const"] for part in option["allOf"] if "properties" in part),
             option) for option in body["oneOf"]]


def integer_fields():
    document = build()
    cases = []
    for route_path, operations in document["paths"].items():
        for method, operation in operations.items():
            if not operation["security"]:
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            for action, schema in alternatives(body) if body else ():
                for field in sorted(set(integer_paths(document, schema))):
                    cases.append((method.upper(), route_path, "body", field, action))
            for parameter in operation["parameters"]:
                if parameter["in"] == "query" and "integer" in json.dumps(parameter["schema"]):
                    cases.append((method.upper(), route_path, "query", (parameter["name"],), None))
    return cases


INTEGER_FIELDS = integer_fields()


def test_the_integer_fields_are_found():
    assert len(INTEGER_FIELDS) >= 30
    assert ("POST", "/api/sales/goals/progress", "body", ("user_id",), None) in INTEGER_FIELDS
    assert ("POST", "/api/sales/goals/goal", "body", ("users", 0), "update") in INTEGER_FIELDS


@pytest.mark.parametrize("method, route_path, where, field, action", INTEGER_FIELDS,
                         ids=["{} {} {} {}{}".format(*case[:3], ".".join(map(str, case[3])),
                                                     " ({})".format(case[4]) if case[4] else "")
                              for case in INTEGER_FIELDS])
def test_numbers_no_integer_field_holds_are_4xx(api, owner, method, route_path, where, field, action):
    path = re.sub(r"\{\w+\}", "1", route_path.replace("{user_id}", str(owner.owner["id"])))
    for huge in HUGE:
        if where == "body":
            data = json.dumps(body_with(field, action)).replace('"__HUGE__"', huge).encode()
            response = api.patient_request(method, path, owner.token, data=data,
                                           headers={"Content-Type": "application/json"})
        else:
            response = api.patient_request(method, path, owner.token, params={field[0]: huge})
        assert 400 <= response.status_code < 500, (huge, response.status_code, response.text)
        assert_error_envelope(path, response.status_code, response.headers, response.json())
