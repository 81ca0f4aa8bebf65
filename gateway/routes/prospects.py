"""Routes of the prospects and clients API (003 document): plain JSON in and out, errors in the Boom
envelope `{"statusCode", "error", "message"}` (gateway.families.BoomFamily). The service checks every
permission and body itself; see services/prospects/README.md."""
import json

from gateway.context import MAX_JSON_DEPTH, nested_too_deep, too_deep
from gateway.errors import MalformedBody
from gateway.routes import Route
from services.prospects.schemas import inputs, queries

SERVICE = "prospects"  # the service these routes call
ID = "int(max=9223372036854775807)"  # path ids within BIGINT
REPLAYED_HEADER = "Idempotent-Replayed"


def _body(ctx):
    """The JSON body as sent (an object or, for imports, an array; None when empty): its shape is the
    service's to judge (422); text that is not JSON, or nested deeper than the gateway accepts, is
    refused here (400). RequestContext.json() takes objects only."""
    raw = ctx._raw_body  # read and size-checked by RequestContext
    if not raw.strip():
        return None
    try:
        data = json.loads(raw)
    except RecursionError:  # the parser's own bound (about 1,000 levels)
        raise nested_too_deep() from None
    except (ValueError, UnicodeDecodeError):
        raise MalformedBody("Invalid request payload JSON format", "body")
    if too_deep(raw, data, MAX_JSON_DEPTH):
        raise nested_too_deep()
    return data


def _query(ctx):
    return ctx.args.to_dict()  # the first value of each parameter, e.g. {"nextContact[0]": "2026-03-01"}


def _object(ctx):
    body = _body(ctx)
    return {} if body is None else body


def _rpc(method, *path_names, body=False, query=False):
    """A handler calling `method` with the path values, then the body and/or the query; named after the
    RPC method (the API reference's operation ids come from handler names)."""
    def handler(ctx, **values):
        args = [values[name] for name in path_names]
        if body:
            args.append(_object(ctx))
        if query:
            args.append(_query(ctx))
        return ctx.call(SERVICE, method, *args)
    handler.__name__ = handler.__qualname__ = method
    return handler


def create_prospects(ctx):
    result = ctx.call(SERVICE, "create_prospects", _body(ctx), idempotency_key=ctx.headers.get("Idempotency-Key"))
    headers = {REPLAYED_HEADER: "true"} if result["replayed"] else {}
    body = {"inserts": result["inserts"], "errors": result["errors"]}
    if result["conflict"]:  # no row inserted: every one is a duplicate
        return 409, dict({"statusCode": 409, "error": "Conflict",
                          "message": "No row could be inserted: every row is a duplicate"}, **body), headers
    return 200, body, headers


def process_prospects(ctx):
    return ctx.call(SERVICE, "process_prospects", _body(ctx))


P = "/prospects/<{}:prospect_id>".format(ID)
C = "/clients/<{}:company_id>".format(ID)

ROUTES = [
    Route("/prospects/follow-ups", ("GET",), _rpc("list_follow_ups"), summary="The follow-up status catalog"),
    Route("/prospects/grouped", ("GET",), _rpc("grouped_prospects", query=True), query=queries.GroupedQuery,
          summary="Prospects grouped by follow-up category (Kanban)"),
    Route("/prospects/list", ("GET",), _rpc("list_prospects", query=True), query=queries.ListQuery,
          summary="Paginated prospect list with sorting and filters (DataTables)"),
    Route("/prospects/activities", ("GET",), _rpc("prospect_activities", query=True), query=queries.ActivitiesQuery,
          summary="Follow-up activities in a date range (calendar)"),
    Route("/prospects/kpis", ("GET",), _rpc("prospect_kpis", query=True), query=queries.Filters,
          summary="KPI aggregates per follow-up category"),
    Route("/prospects/process", ("POST",), process_prospects, body=inputs.ImportRow,
          summary="Validate and deduplicate an array of prospects (writes nothing)"),
    Route("/prospects", ("POST",), create_prospects, body=inputs.ImportRow,
          summary="Create an array of prospects (Idempotency-Key header makes a retry insert nothing twice)"),
    Route(P, ("GET",), _rpc("get_prospect", "prospect_id", query=True), query=queries.DetailQuery,
          summary="One prospect with notes, contacts, locations"),
    Route(P, ("PATCH",), _rpc("update_prospect", "prospect_id", body=True), body=inputs.ProspectPatch,
          summary="Update prospect fields (name, email, phone, salesman)"),
    Route(P + "/data", ("PATCH",), _rpc("update_prospect_data", "prospect_id", body=True), body=inputs.DataPatch,
          summary="Update follow-up data and role assignments"),
    Route(P + "/partner-data", ("PATCH",), _rpc("update_partner_data", "prospect_id", body=True),
          body=inputs.PartnerDataInput, summary="Update partner data (type 3 prospects)"),
    Route(P + "/contacts", ("POST",), _rpc("add_prospect_contact", "prospect_id", body=True),
          body=inputs.ContactInput, summary="Add a contact to a prospect"),
    Route(P + "/contacts", ("PUT",), _rpc("update_prospect_contact", "prospect_id", body=True),
          body=inputs.ContactUpdate, summary="Update a contact (by id) or the prospect's own (isDefault)"),
    Route("/prospects/<{}:contact_id>/contacts".format(ID), ("DELETE",), _rpc("delete_contact", "contact_id"),
          summary="Delete a contact; the path id is the contact's"),
    Route(P + "/notes", ("POST",), _rpc("add_prospect_note", "prospect_id", body=True), body=inputs.NoteInput,
          summary="Add a follow-up note (optionally moving the follow-up status)"),
    Route(P + "/notes/<{}:note_id>".format(ID), ("PATCH",), _rpc("update_note", "prospect_id", "note_id", body=True),
          body=inputs.NotePatch, summary="Update a note's scheduled date"),
    Route(P + "/locations", ("POST",), _rpc("add_prospect_location", "prospect_id", body=True),
          body=inputs.LocationInput, summary="Create a location for a prospect"),
    Route("/prospects/locations/<{}:location_id>".format(ID), ("PUT",),
          _rpc("update_prospect_location", "location_id", body=True), body=inputs.LocationPatch,
          summary="Update a location"),
    Route("/prospects/locations/<{}:location_id>".format(ID), ("DELETE",),
          _rpc("delete_prospect_location", "location_id"), summary="Delete a location"),
    Route(C, ("GET",), _rpc("get_client", "company_id"),
          summary="Client details with contacts, notes, integrations, locations, onboarding"),
    Route(C + "/onboarding", ("GET",), _rpc("get_client_onboarding", "company_id", query=True),
          query=queries.OnboardingQuery, summary="Client onboarding checklist"),
    Route(C + "/onboarding", ("PATCH",), _rpc("update_client_onboarding", "company_id", body=True),
          body=inputs.OnboardingPatch, summary="Mark onboarding steps done (or undone)"),
    Route(C + "/contacts", ("POST",), _rpc("add_client_contact", "company_id", body=True), body=inputs.ContactInput,
          summary="Add a contact to a client"),
    Route(C + "/notes", ("POST",), _rpc("add_client_note", "company_id", body=True), body=inputs.NoteInput,
          summary="Add a follow-up note to a client"),
    Route(C + "/data", ("PATCH",), _rpc("update_client_data", "company_id", body=True), body=inputs.DataPatch,
          summary="Update client follow-up data"),
    Route(C + "/locations", ("POST",), _rpc("add_client_location", "company_id", body=True),
          body=inputs.LocationInput, summary="Create a location for a client"),
    Route("/clients/locations/<{}:location_id>".format(ID), ("PUT",),
          _rpc("update_client_location", "location_id", body=True), body=inputs.LocationPatch,
          summary="Update a client location"),
    Route("/clients/locations/<{}:location_id>".format(ID), ("DELETE",),
          _rpc("delete_client_location", "location_id"), summary="Delete a client location"),
]
