"""Errors of the sales goals API, in the `/api/sales` family: {"res": "error", "code", "info"}.

Codes are the document's; HTTP statuses are ours (the document gives none): 400 for a request that
cannot be accepted as sent, 403 for "not the owner", 404 for a goal or campaign that does not
exist in the caller's workspace (another workspace's goal answers exactly like a missing one).
Code 1 (missing JSON body) and 2 (invalid action) are the gateway's (gateway/errors.py): it reads
the body and maps each action to its RPC.
"""
from infra.errors import NotFound, PermissionDenied, ValidationFailed


class InvalidGoalRequest(ValidationFailed):
    """Malformed fields of list/assign/unassign/progress requests."""
    code = 3
    message = "Validation error"


class InvalidFilters(ValidationFailed):
    """Filters that are well-formed but cannot be combined (user_assigned with group_assigned,
    progress_min above progress_max) or a page cursor that is not one of ours."""
    code = 10
    message = "Invalid filters"


class GoalNotFound(NotFound):
    code = 20
    message = "Goal not found"


class NotGoalOwner(PermissionDenied):
    code = 21
    message = "Insufficient permissions: only the goal owner can do this"


class InvalidGoal(ValidationFailed):
    """Create/update business validation (amount, unit, product)."""
    code = 30
    message = "Validation error"


class CampaignNotFound(NotFound):
    code = 31
    message = "Campaign not found"


class InvalidGoalType(ValidationFailed):
    code = 32
    message = "Invalid goal type"


class InvalidAssignment(ValidationFailed):
    """Users or groups that do not exist in the caller's workspace."""
    code = 33
    message = "Invalid assignment"
