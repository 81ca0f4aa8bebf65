"""What every error answer of the gateway looks like: JSON in the envelope of its path's family
(gateway/families.py), with the request id in `X-Request-Id`."""
from gateway.families import BoomFamily, CustomerGoalsFamily, DealsFamily, SalesFamily, family_for_path


def assert_error_envelope(path, status, headers, body):
    """`body` (parsed JSON) is an error of `status` in the family of `path`; returns its message."""
    family = family_for_path(path)
    request_id = headers.get("X-Request-Id")
    assert request_id, headers
    assert headers.get("Content-Type", "").startswith("application/json"), headers
    if family is SalesFamily:
        assert body["res"] == "error" and isinstance(body["code"], int), body
        return body["info"]
    if family is DealsFamily:
        messages = [message for field in body["errors"].values() for message in field]
        assert messages, body
        return " ".join(messages)
    if family is CustomerGoalsFamily:
        assert body["result"] is False and body["data"] is None and body["requestId"] == request_id, body
        # the document's codes keep their type (8001 a number, "VC_8026" a string); the gateway's are CG_
        code = body["errorCode"]
        assert isinstance(code, int) or (isinstance(code, str) and code[:3] in ("CG_", "VC_")), body
        return body["message"]
    assert family is BoomFamily
    assert body["statusCode"] == status and body["error"], body
    return body["message"]


def assert_error_response(path, response, status):
    """A `requests` response is `status` in the family's envelope; returns its message."""
    assert response.status_code == status, (path, response.status_code, response.text)
    return assert_error_envelope(path, status, response.headers, response.json())
