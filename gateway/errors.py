"""The one place where failures become API errors.

Services' exception modules are imported so nameko deserializes their errors back into the real
types (infra.errors.ServiceError subclasses, which carry status and code). Anything else is a bug:
it is logged with the request id and answered 500 in the family's envelope.
"""
import importlib
import logging

from nameko.exceptions import MethodNotFound, RemoteError, UnknownService

from infra.settings import SERVICES
from infra.errors import ServiceError, ServiceTimeout, ServiceUnavailable, ValidationFailed

log = logging.getLogger(__name__)

for _service in SERVICES:
    try:
        importlib.import_module("services.{}.exceptions".format(_service))
    except ModuleNotFoundError:  # a service not built yet has no errors to register
        pass


class MalformedBody(ValidationFailed):
    code = 1
    message = "Missing or malformed JSON body"


class UnknownAction(ValidationFailed):
    code = 2
    message = "Invalid action"


class PayloadTooLarge(ServiceError):
    status = 413
    code = 13
    message = "Request body is larger than 1 MiB"


class UnsupportedMediaType(ServiceError):
    status = 415
    code = 1
    message = "Send the body as JSON: Content-Type application/json (UTF-8)"


class NulInText(ValidationFailed):
    """PostgreSQL text cannot hold U+0000: refused at the door, for every service."""
    code = 3
    message = "Text may not contain NUL (U+0000) characters"


class RouteNotFound(ServiceError):
    status = 404
    code = 14
    message = "No such route"


class MethodNotAllowed(ServiceError):
    status = 405
    code = 15
    message = "Method not allowed on this route"


class RequestRefused(ServiceError):
    """A request the HTTP layer refuses before any route: a malformed request line or header."""
    status = 400
    code = 1
    message = "Malformed HTTP request"

    def __init__(self, info=None, field=None, errors=None, *, status=None):
        super().__init__(info, field, errors)
        self.status = status or self.status


class RequestLineTooLong(ServiceError):
    status = 414
    code = 13
    message = "Request line (method, path and query) is longer than 8 KiB"


class HeaderFieldsTooLarge(ServiceError):
    status = 431
    code = 13
    message = "Request headers are too large (8 KiB a line, 64 KiB in all)"


class InternalError(ServiceError):
    status = 500
    code = 99
    message = "Internal error"


UNAVAILABLE = "Service unavailable; try again shortly"
TIMED_OUT = "The service did not answer in time; try again"


def _public_field(exc):
    """The request field whose check could not be made (a deal's `account_uuid`), which is the
    client's own vocabulary; the message, which may name internals, is not kept."""
    return getattr(exc, "field", None) if isinstance(exc, ServiceError) else None


def as_service_error(exc, request_id):
    """Maps any exception raised while handling a request to the ServiceError to answer with.
    An unavailable or slow service is told to the client in general words: which service, RPC
    method or broker error it was is logged with the request id, never answered."""
    if isinstance(exc, ServiceTimeout):
        log.warning("request_id=%s timed out: %s", request_id, exc)
        return ServiceTimeout(TIMED_OUT, _public_field(exc))
    if isinstance(exc, (ServiceUnavailable, UnknownService, ConnectionError, OSError)):
        log.warning("request_id=%s unavailable: %s: %s", request_id, type(exc).__name__, exc)
        return ServiceUnavailable(UNAVAILABLE, _public_field(exc))
    if isinstance(exc, ServiceError):
        return exc
    if isinstance(exc, (RemoteError, MethodNotFound)):
        log.error("request_id=%s remote failure: %s", request_id, exc)
        return InternalError()
    log.exception("request_id=%s unexpected failure", request_id, exc_info=exc)
    return InternalError()


__all__ = ["as_service_error", "MalformedBody", "UnknownAction", "PayloadTooLarge", "UnsupportedMediaType", "NulInText",
           "RouteNotFound", "MethodNotAllowed", "RequestRefused", "RequestLineTooLong", "HeaderFieldsTooLarge",
           "InternalError", "ServiceTimeout"]
