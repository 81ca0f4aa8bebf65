"""Error base classes. Each carries the HTTP status and the API family's error code.

Services raise subclasses; nameko serializes them over RPC and the gateway, which registers the
services' exception modules, turns them back into these types and renders them in one place.
Every subclass is registered for deserialization automatically.
"""

from typing import Any

from nameko.exceptions import deserialize_to_instance


class ServiceError(Exception):
    """A caller's mistake that an API answers with `status` and the family's `code`."""

    status = 400
    code = 3
    message = "Validation error"

    def __init__(
        self, info: str | None = None, field: str | None = None, errors: dict[str, list[str]] | None = None
    ) -> None:
        self.info = info or self.message
        self.field = field or None  # "" is how a missing field crosses RPC (below)
        # every invalid field with its messages, for families that report them all (deals)
        self.errors = errors or ({field: [self.info]} if field else {})
        # nameko stringifies every argument that is not text, a list or a dict: None would arrive as
        # the field "None"
        super().__init__(self.info, field or "", self.errors)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        deserialize_to_instance(cls)

    def __str__(self) -> str:
        return self.info


class ValidationFailed(ServiceError):
    status = 400
    code = 3
    message = "Validation error"


class NotFound(ServiceError):
    status = 404
    code = 20
    message = "Not found"


class PermissionDenied(ServiceError):
    status = 403
    code = 21
    message = "Insufficient permissions"


class Conflict(ServiceError):
    status = 409
    code = 6
    message = "Already exists"


class Unauthenticated(ServiceError):
    status = 401
    code = 11
    message = "Authentication required"


class RateLimited(ServiceError):
    status = 429
    code = 12
    message = "Too many requests"


class ServiceUnavailable(ServiceError):
    status = 503
    code = 16
    message = "Service unavailable"


class ServiceTimeout(ServiceError):
    status = 504
    code = 17
    message = "Service did not answer in time"


deserialize_to_instance(ServiceError)
