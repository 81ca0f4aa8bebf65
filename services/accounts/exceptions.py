"""Accounts errors in the sales family ({"res": "error", "code", "info"}), codes of the accounts document.

Every one is HTTP 400: the document's status list has only 400 for request errors. The document's
"Business Rules" section says "error code 2" for a duplicate country + tax_id while both endpoint
sections say 6: we answer 6 (code 2 is the gateway's "Invalid action").
"""
from infra.errors import ValidationFailed


class InvalidAccountInput(ValidationFailed):
    code = 3
    message = "Validation error"


class AccountNotFound(ValidationFailed):
    code = 5
    message = "Account not found"


class AccountAlreadyInactive(AccountNotFound):
    message = "Account not found or already inactive"


class AccountAlreadyActive(AccountNotFound):
    message = "Account not found or already active"


class AccountAlreadyExists(ValidationFailed):
    code = 6
    message = "Account already exists in this workspace"


class InvalidTaxId(ValidationFailed):
    code = 7
    message = "Invalid tax_id format"


class HasOpenOpportunities(ValidationFailed):
    code = 8
    message = "Cannot inactivate account with open opportunities"


class NotAccountOwner(ValidationFailed):
    code = 9
    message = "You can only inactivate accounts you own"


class ContactNotFound(AccountNotFound):
    message = "Contact not associated to this account"


class FieldNotFound(AccountNotFound):
    message = "Field not associated to this account"


class ContactAlreadyAssociated(AccountAlreadyExists):
    message = "Contact already associated to this account"


class FieldAlreadyAssociated(AccountAlreadyExists):
    message = "Field already associated to this account"
