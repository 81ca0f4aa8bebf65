"""The JSON schemas of each API family's envelopes and the responses every route documents, for the
OpenAPI document (gateway/openapi.py). They describe what gateway/families.py renders."""
from __future__ import annotations

from typing import Any

ERROR_STATUSES = {
    400: "Invalid input: a field, the body's JSON, its size or nesting",
    401: "Missing, invalid, expired or revoked credentials",
    403: "The caller lacks the permission this operation needs",
    404: "No such record in the caller's workspace (another workspace's answers the same)",
    409: "Conflicts with an existing record",
    413: "Body larger than 1 MiB",
    414: "Request line (method, path and query) longer than 8 KiB",
    415: "A body of a media type other than JSON",
    422: "A well-formed body that cannot be processed as given",
    429: "Too many requests: retry after Retry-After seconds",
    431: "Request headers too large (8 KiB a line, 64 KiB in all)",
    503: "A service is unavailable: try again",
    504: "A service did not answer in time: try again",
}
_ANY = {}
_NULLABLE_TEXT = {"type": ["string", "null"]}
COMPONENTS: dict[str, dict[str, Any]] = {
    "SalesError": {"type": "object", "required": ["res", "code", "info"], "properties": {
        "res": {"const": "error"}, "code": {"type": "integer"}, "info": {"type": "string"}}},
    "SalesSuccess": {"type": "object", "required": ["code"], "properties": {
        "code": {"const": 0}, "data": _ANY, "message": {"type": "string"}, "next_page": _NULLABLE_TEXT}},
    "DealsError": {"type": "object", "required": ["errors"], "properties": {
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}}},
    "BoomError": {"type": "object", "required": ["statusCode", "error", "message"], "properties": {
        "statusCode": {"type": "integer"}, "error": {"type": "string"}, "message": {"type": "string"}}},
    "CustomerGoalsError": {"type": "object", "required": ["result", "errorCode", "errorDesc", "requestId", "data"],
                           "properties": {
                               "result": {"const": False}, "errorCode": {"type": ["integer", "string"]},
                               "errorDesc": {"type": "string"}, "localizedErrorDesc": _NULLABLE_TEXT,
                               "requestId": {"type": "string"}, "data": {"type": "null"},
                               "message": _NULLABLE_TEXT, "localizedMessage": _NULLABLE_TEXT,
                               "errorInfo": {"type": ["object", "null"]}}},
    "CustomerGoalsSuccess": {"type": "object", "required": ["result", "requestId", "data"], "properties": {
        "result": {"const": True}, "errorCode": {"type": "null"}, "errorDesc": {"type": "null"},
        "localizedErrorDesc": {"type": "null"}, "requestId": {"type": "string"}, "data": _ANY,
        "message": _NULLABLE_TEXT, "localizedMessage": _NULLABLE_TEXT}},
}
ERROR_COMPONENT = {"sales": "SalesError", "deals": "DealsError", "boom": "BoomError", "csgoal": "CustomerGoalsError"}
SUCCESS_COMPONENT = {"sales": "SalesSuccess", "csgoal": "CustomerGoalsSuccess"}  # others: the resource itself
_INTEGER = {"schema": {"type": "integer"}}
REQUEST_ID = {"X-Request-Id": {"description": "The request's id (yours if you sent one)", "schema": {"type": "string"}}}
RATE_LIMIT = {
    "X-RateLimit-Limit": dict(_INTEGER, description="Requests allowed per window"),
    "X-RateLimit-Remaining": dict(_INTEGER, description="Requests left in the current window"),
    "X-RateLimit-Reset": dict(_INTEGER, description="Seconds until the window frees a request"),
}
RETRY_AFTER = {"Retry-After": dict(_INTEGER, description="Seconds to wait before trying again")}


def _ref(name: str) -> dict:
    return {"$ref": "#/components/schemas/{}".format(name)}


def success_schema(family_name: str, route: Any) -> Any:
    """The body of a success: the family's envelope around the route's payload, where it has one."""
    payload = route.response if route.response is not None else {}
    if not route.enveloped or family_name not in SUCCESS_COMPONENT:
        return payload
    if route.response is None:
        return _ref(SUCCESS_COMPONENT[family_name])
    return {"allOf": [_ref(SUCCESS_COMPONENT[family_name]),
                      {"type": "object", "required": ["data"], "properties": {"data": payload}}]}


def responses(family: Any, route: Any, method: str) -> dict:
    """Every status the route may answer, each with its family's body and the headers it carries."""
    name = family.name
    success_headers = dict(REQUEST_ID, **(RATE_LIMIT if route.rate_limited else {}))
    body = success_schema(name, route)
    status = str(route.status)
    answers: dict[str, Any] = {status: {"description": "Success", "headers": success_headers,
                                        "content": {media: {"schema": body if media == "application/json" else {}}
                                                    for media in route.media_types}}}
    for code, description in ERROR_STATUSES.items():
        if route.public and code in (401, 403) and code not in route.errors:
            continue
        headers = dict(REQUEST_ID)
        if code == 429:
            headers.update(RETRY_AFTER)
            headers.update(RATE_LIMIT if route.rate_limited else {})
        answers[str(code)] = {"description": description, "headers": headers,
                              "content": {"application/json": {"schema": _ref(ERROR_COMPONENT[name])}}}
    for code, schema in route.answers:
        content = answers[str(code)]["content"]["application/json"]
        content["schema"] = {"anyOf": [content["schema"], schema]}
    return answers
