"""The envelopes of each API family (DESIGN.md, "Envelopes per API family").

A family is chosen by path prefix; it renders errors (and the gateway's own failures such as
unknown routes) in the shape its clients expect.
"""
import json
from http import HTTPStatus

from werkzeug.wrappers import Response


def dumps(body):
    return json.dumps(body, separators=(",", ":"), default=str)


def json_response(body, status=200, headers=None):
    return Response(dumps(body), status=status, headers=headers, mimetype="application/json")


class SalesFamily:
    """/api/sales, /api/auth, /api/directory, /api/catalog: {"code": 0, "data"} / {"res": "error"}."""

    name = "sales"

    @staticmethod
    def error_body(error, request_id):
        return {"res": "error", "code": error.code, "info": error.info}


class DealsFamily:
    """/api/deals...json: plain resources; errors {"errors": {field: [messages]}} with the status."""

    name = "deals"

    @staticmethod
    def error_body(error, request_id):
        return {"errors": error.errors or {"base": [error.info]}}


class CustomerGoalsFamily:
    """/v1/csgoal and /csgoal (seed 001): {"result": false, "errorCode", "errorDesc", "localizedErrorDesc",
    "requestId", "data": null, "message", "localizedMessage", "errorInfo"}. The service's own errors
    (family "csgoal") keep their code's type (8001 a number, "VC_8026" a string); any other error gets
    a CG_ code by its status. `localized*` carry the same English text (one locale)."""

    name = "csgoal"
    CODES_BY_STATUS = {400: "CG_INVALID_REQUEST", 401: "CG_UNAUTHENTICATED", 403: "CG_FORBIDDEN",
                       404: "CG_NOT_FOUND", 405: "CG_METHOD_NOT_ALLOWED", 409: "CG_CONFLICT",
                       413: "CG_PAYLOAD_TOO_LARGE", 414: "CG_URI_TOO_LONG", 415: "CG_UNSUPPORTED_MEDIA_TYPE",
                       429: "CG_RATE_LIMITED", 431: "CG_HEADERS_TOO_LARGE", 500: "CG_INTERNAL_ERROR",
                       503: "CG_UNAVAILABLE", 504: "CG_TIMEOUT"}

    @classmethod
    def error_body(cls, error, request_id):
        if getattr(error, "family", None) == cls.name:
            code, desc = error.code, error.desc
        else:
            code = cls.CODES_BY_STATUS.get(error.status, "CG_ERROR")
            desc = code[len("CG_"):]
        return {"result": False, "errorCode": code, "errorDesc": desc, "localizedErrorDesc": desc,
                "requestId": request_id, "data": None, "message": error.info, "localizedMessage": error.info,
                "errorInfo": getattr(error, "error_info", None)}


def csgoal_ok(data, request_id):
    """The customer goals family's success body."""
    return {"result": True, "errorCode": None, "errorDesc": None, "localizedErrorDesc": None,
            "requestId": request_id, "data": data, "message": None, "localizedMessage": None}


class BoomFamily:
    """Prospects and clients: Boom errors {"statusCode", "error", "message"}."""

    name = "boom"

    @staticmethod
    def error_body(error, request_id):
        return {"statusCode": error.status, "error": HTTPStatus(error.status).phrase, "message": error.info}


PREFIXES = (
    ("/api/deals", DealsFamily),
    ("/v1/csgoal", CustomerGoalsFamily),
    ("/csgoal", CustomerGoalsFamily),  # the document's metric paths have no /v1
    ("/prospects", BoomFamily),
    ("/clients", BoomFamily),
)


def family_for_path(path):
    for prefix, family in PREFIXES:
        if path == prefix or path.startswith(prefix + "/") or path.startswith(prefix + "."):
            return family
    return SalesFamily


def error_response(family, error, request_id, headers=None):
    return json_response(family.error_body(error, request_id), status=error.status, headers=headers)


def error_body_bytes(family, error, request_id):
    """The error's body in the family's envelope, encoded (for the HTTP layer's own refusals)."""
    return dumps(family.error_body(error, request_id)).encode()


def sales_ok(data=None, message=None, **extra):
    """The sales family's success body."""
    body = {"code": 0}
    if message is not None:
        body["message"] = message
    body.update(extra)
    if data is not None:
        body["data"] = data
    return body
