"""Deals errors. The deals family answers {"errors": {field: [messages]}} with the status below:
422 for invalid input (the Rails convention of the document's API), 404 for a deal that is
missing or belongs to another workspace."""
from infra.errors import Conflict, NotFound, ValidationFailed


class InvalidDeal(ValidationFailed):
    status = 422
    code = 3
    message = "is invalid"


class InvalidQuery(ValidationFailed):
    status = 400
    code = 3
    message = "Invalid query parameter"


class DealNotFound(NotFound):
    code = 20
    message = "Deal not found"


class IdempotencyKeyReused(Conflict):
    code = 6
    message = "Idempotency-Key was already used with a different request body"
