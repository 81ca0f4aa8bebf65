"""Errors of the prospects and clients API, answered in the Boom envelope
(`{"statusCode", "error", "message"}`, gateway.families.BoomFamily): a field error is 400 naming the
field, a body of the wrong shape 422 (Boom badData), a missing permission 403, a record that is
missing, in another workspace or (without all-prospects) another salesman's 404, a duplicate 409."""
from infra.errors import Conflict, NotFound, PermissionDenied, ServiceError, ValidationFailed


class InvalidProspect(ValidationFailed):
    message = "Invalid request"


class InvalidQuery(ValidationFailed):
    message = "Invalid query parameter"


class MalformedPayload(ServiceError):
    status = 422
    code = 4
    message = "The request body does not have the expected shape"


class MissingPermission(PermissionDenied):
    message = "Insufficient permissions for this action"


class ProspectNotFound(NotFound):
    message = "Prospect not found"


class ClientNotFound(NotFound):
    message = "Client not found"


class ContactNotFound(NotFound):
    message = "Contact not found"


class NoteNotFound(NotFound):
    message = "Note not found"


class LocationNotFound(NotFound):
    message = "Location not found"


class DuplicateContact(Conflict):
    message = "This email or phone is already in use"


class IdempotencyKeyReused(Conflict):
    message = "Idempotency-Key was already used with a different request body"
