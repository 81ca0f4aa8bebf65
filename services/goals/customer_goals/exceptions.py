"""Errors of the customer goals API, in its family's envelope (gateway.families.CustomerGoalsFamily):
`{"result": false, "errorCode", "errorDesc", "localizedErrorDesc", "requestId", "data": null,
"message", "localizedMessage", "errorInfo"}`.

`errorCode` keeps the document's types: its table's numbers (8001 .. 8010) and its `VC_...`
strings. Errors the document does not name get `CG_...` strings (README.md lists them).
`errorDesc` is the short name (the document's "Error Message" column), `message` the sentence.
"""
import json

from infra.errors import Conflict, NotFound, PermissionDenied, ServiceError, ValidationFailed


class CustomerGoalsError(ServiceError):
    """Rendered with its own `code` by the customer goals family (other errors get a CG_ code by
    status there)."""
    family = "csgoal"
    desc = "INVALID_REQUEST"


class InvalidCustomerGoalRequest(CustomerGoalsError, ValidationFailed):
    """A body that cannot be accepted as sent: missing or mistyped fields, unknown fields,
    a malformed where expression."""
    code = "CG_INVALID_REQUEST"
    desc = "INVALID_REQUEST"
    message = "Invalid request"


class CtaRecordEmpty(CustomerGoalsError, ValidationFailed):
    code = 8001
    desc = "CTA_RECORD_EMPTY"
    message = "CTA set provided is empty"


class SpRecordEmpty(CustomerGoalsError, ValidationFailed):
    code = 8002
    desc = "SP_RECORD_EMPTY"
    message = "Success Plan set provided is empty"


class InvalidPageRequest(CustomerGoalsError, ValidationFailed):
    code = 8007
    desc = "INVALID_PAGE_REQUEST"
    message = "Invalid page request"


class InvalidLookupConfig(CustomerGoalsError, ValidationFailed):
    code = 8008
    desc = "INVALID_LOOKUP_CONFIG"
    message = "Lookup Error"


class InvalidField(CustomerGoalsError, ValidationFailed):
    code = 8009
    desc = "INVALID_FIELD"
    message = "Invalid field in select clause"


class InvalidStatusName(CustomerGoalsError, ValidationFailed):
    code = 8010
    desc = "INVALID_STATUS_NAME"
    message = "Invalid status name provided"


class MetricInUse(CustomerGoalsError, ValidationFailed):
    """VC_8026: carries `error_info` ({"usageInLayouts", "usageInGoals", "hasUsage"}) for the envelope's
    `errorInfo`."""
    code = "VC_8026"
    desc = "METRIC_IN_USE"
    message = "Metric is used in some goals or templates. Cannot delete the metric."

    def __init__(self, info=None, field=None, errors=None, error_info=None):
        super().__init__(info, field, errors)
        # nameko sends an error's args as text (a number or a boolean would arrive as 'True'): JSON keeps types
        self.error_info = json.loads(error_info) if isinstance(error_info, str) else error_info
        self.args = self.args[:3] + (json.dumps(self.error_info),)


class CustomerGoalNotFound(CustomerGoalsError, NotFound):
    code = "CG_NOT_FOUND"
    desc = "RECORD_NOT_FOUND"
    message = "Goal not found"


class TemplateNotFound(CustomerGoalNotFound):
    message = "Goal template not found"


class MetricNotFound(CustomerGoalNotFound):
    message = "Metric not found"


class NotWorkspaceAdmin(CustomerGoalsError, PermissionDenied):
    code = "CG_FORBIDDEN"
    desc = "FORBIDDEN"
    message = "Only the workspace owner administers goal types and statuses"


class PicklistExists(CustomerGoalsError, Conflict):
    code = "CG_CONFLICT"
    desc = "ALREADY_EXISTS"
    message = "A goal type or status with this name already exists"
