"""Routes of the customer goals API (seeds/001_d2374a3edee1049b.txt), served by the goals service.
Every answer, success or failure, is the family's envelope with `requestId` = the request's
X-Request-Id (gateway.families.CustomerGoalsFamily, csgoal_ok). Authenticated by the `accesskey`
header (an API key of the directory) or a Bearer token; rate-limited per caller
(services/goals/customer_goals/README.md)."""
from gateway.families import csgoal_ok
from gateway.routes import Route
from services.goals.customer_goals import exceptions  # noqa: F401 (registers the service's errors for RPC)
from services.goals.customer_goals import schemas

SERVICE = "goals"  # the service these routes call
LIST_PARAMETERS = ("entityIds",)


def _rpc(method):
    """A handler passing the JSON body to `method` and answering its result in the envelope."""
    def handler(ctx):
        return csgoal_ok(ctx.call(SERVICE, method, ctx.json()), ctx.request_id)
    handler.__name__ = method
    return handler


def picklists(ctx):
    """GET with query parameters (entityIds comma-separated or repeated), or POST with the document's body."""
    if ctx.request.method == "GET":
        payload = {}
        for name in ctx.args:
            values = ctx.args.getlist(name)
            payload[name] = ([part for value in values for part in value.split(",") if part]
                             if name in LIST_PARAMETERS else values[0])
    else:
        payload = ctx.json(required=False)
    return csgoal_ok(ctx.call(SERVICE, "list_goal_picklists", payload), ctx.request_id)


def _route(path, method, rpc_method, summary, body):
    return Route(path, (method,), _rpc(rpc_method), rate_limited=True, summary=summary, body=body)


ROUTES = [
    _route("/v1/csgoal/external/create", "POST", "create_customer_goal",
           "Create one customer goal (from a template with TemplateId)", schemas.RecordsRequest),
    _route("/v1/csgoal/external/update", "PUT", "update_customer_goal",
           "Update one customer goal (fields, links, metric values)", schemas.RecordsRequest),
    _route("/v1/csgoal/external/fetch", "POST", "fetch_customer_goals",
           "Fetch customer goals: select, where (conditions, expression), pageSize, pageNumber",
           schemas.FetchRequest),
    _route("/v1/csgoal/external/delete", "DELETE", "delete_customer_goals",
           "Delete customer goals by recordIds (not in the document)", schemas.RecordIdsRequest),
    _route("/v1/csgoal/external/template", "POST", "create_goal_templates", "Create goal templates",
           schemas.RecordsRequest),
    _route("/v1/csgoal/external/template", "PUT", "update_goal_templates", "Update goal templates",
           schemas.RecordsRequest),
    _route("/v1/csgoal/external/template/delete", "DELETE", "delete_goal_templates",
           "Delete goal templates by recordIds", schemas.RecordIdsRequest),
    _route("/v1/csgoal/external/template/fetch", "POST", "fetch_goal_templates",
           "Fetch goal templates (the same DSL as goals)", schemas.FetchRequest),
    _route("/csgoal/external/metric/", "POST", "create_goal_metrics",
           "Create metrics, associated with goal types by id or name", schemas.MetricsRequest),
    _route("/csgoal/external/metric/", "PUT", "update_goal_metrics",
           "Update metrics and their goal types", schemas.MetricsRequest),
    _route("/csgoal/external/metrics", "DELETE", "delete_goal_metrics",
           "Delete metrics no goal or template uses (VC_8026 otherwise)", schemas.RecordIdsRequest),
    Route("/v1/csgoal/external/admin/picklist", ("GET",), picklists, rate_limited=True,
          summary="Goal types, or statuses with picklistCategory=GOAL_STATUS", query=schemas.PicklistQuery),
    Route("/v1/csgoal/external/admin/picklist", ("POST",), picklists, rate_limited=True,
          summary="Goal types or statuses, with the document's body", body=schemas.PicklistQuery),
    _route("/v1/csgoal/external/admin/picklist/create", "POST", "create_goal_picklists",
           "Add goal types or statuses (workspace owner; not in the document)", schemas.PicklistsRequest),
]
