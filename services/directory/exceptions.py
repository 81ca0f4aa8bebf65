"""Directory errors, in the `/api/sales`-style family: {"res": "error", "code", "info"}."""
from infra.errors import Conflict, NotFound, PermissionDenied, Unauthenticated, ValidationFailed


class InvalidDirectoryInput(ValidationFailed):
    code = 3


class InvalidCredentials(Unauthenticated):
    code = 11
    message = "Invalid email or password"


class UserDeactivated(Unauthenticated):
    code = 11
    message = "This user has been deactivated"


class EmailAlreadyRegistered(Conflict):
    code = 6
    message = "A user with this email already exists"


class GroupNameTaken(Conflict):
    code = 6
    message = "A group with this name already exists in the workspace"


class UserNotFound(NotFound):
    code = 20
    message = "User not found"


class GroupNotFound(NotFound):
    code = 20
    message = "Group not found"


class CampaignNotFound(NotFound):
    code = 20
    message = "Campaign not found"


class ApiKeyNotFound(NotFound):
    code = 20
    message = "API key not found"


class OwnerOnly(PermissionDenied):
    code = 21
    message = "Only the workspace owner can do this"
