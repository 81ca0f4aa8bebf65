"""Issue 14: every authenticated route of the gateway's route map, aimed at workspace A's records, with
eight kinds of credentials. The seven bad ones (none, expired, signed with another secret, `alg: none`,
a tampered claim, a revoked API key, a user deactivated a moment ago) are a 401 in the family's
envelope. A valid token of workspace B answers exactly as for a missing record (same status, same
body but for the ids), and no answer to B holds any of A's identifiers. The matrix (routes x cases)
and its counts end the run's output and are kept in var/test-artifacts/security-matrix.txt.

A route added to the map without a request here fails `test_every_authenticated_route_is_in_the_matrix`.
"""
import json
import re
import time
import uuid

import pytest

from gateway.routes import all_routes
from gateway.tests.envelopes import assert_error_envelope
from tests.support.records import Records, api_key, send
from tests.support.reports import publish
from tests.support.tokens import BAD_TOKENS

ID = "<int(max=9223372036854775807):{}>"
MISSING_ID = 2_147_483_000  # within every integer id's bounds (the goals API takes users and groups up to 2^31-1)
MATRIX_EMAIL = "matrix-{}@example.test".format(uuid.uuid4().hex[:10])
CASES = ("no credentials", "expired token", "other secret", "alg none", "tampered claim", "revoked API key",
         "deactivated user", "other workspace")
CREDENTIAL_CASES = CASES[:-1]


def where_gsid(gsid):
    return {"select": ["Name"], "where": {"conditions": [
        {"fieldName": "Gsid", "value": [gsid], "alias": "A", "operator": "EQ"}], "expression": "A"}}


def record(**fields):
    return {"requests": [{"record": fields}]}


# (method, route path) -> ids -> (path, requests keyword arguments); `ids` holds a workspace's record ids
REQUESTS = {
    ("GET", "/api/directory/me"): lambda i: ("/api/directory/me", {}),
    ("GET", "/api/directory/users"): lambda i: ("/api/directory/users", {}),
    ("POST", "/api/directory/users"): lambda i: ("/api/directory/users", {"json": {
        "email": MATRIX_EMAIL, "password": "a-long-password", "first_name": "M", "last_name": "X"}}),
    ("GET", "/api/directory/users/" + ID.format("user_id")): lambda i: ("/api/directory/users/{}".format(i["user"]), {}),
    ("PUT", "/api/directory/users/" + ID.format("user_id") + "/permissions"): lambda i: (
        "/api/directory/users/{}/permissions".format(i["user"]), {"json": {"permissions": []}}),
    ("POST", "/api/directory/users/" + ID.format("user_id") + "/deactivate"): lambda i: (
        "/api/directory/users/{}/deactivate".format(i["user"]), {}),
    ("GET", "/api/directory/groups"): lambda i: ("/api/directory/groups", {}),
    ("POST", "/api/directory/groups"): lambda i: ("/api/directory/groups", {"json": {
        "name": "matrix group", "members": [i["user"]]}}),
    ("GET", "/api/directory/groups/" + ID.format("group_id")): lambda i: (
        "/api/directory/groups/{}".format(i["group"]), {}),
    ("POST", "/api/directory/groups/" + ID.format("group_id") + "/members"): lambda i: (
        "/api/directory/groups/{}/members".format(i["group"]), {"json": {"users": [i["user"]]}}),
    ("POST", "/api/directory/groups/" + ID.format("group_id") + "/members/remove"): lambda i: (
        "/api/directory/groups/{}/members/remove".format(i["group"]), {"json": {"users": [i["user"]]}}),
    ("GET", "/api/sales/campaigns"): lambda i: ("/api/sales/campaigns", {}),
    ("POST", "/api/sales/campaigns"): lambda i: ("/api/sales/campaigns", {"json": {
        "name": "matrix campaign", "start_date": "2025-01-01", "end_date": "2025-12-31"}}),
    ("GET", "/api/sales/campaigns/<campaign_uuid>"): lambda i: ("/api/sales/campaigns/" + i["campaign"], {}),
    ("GET", "/api/directory/api-keys"): lambda i: ("/api/directory/api-keys", {}),
    ("POST", "/api/directory/api-keys"): lambda i: ("/api/directory/api-keys", {"json": {"name": "matrix"}}),
    ("DELETE", "/api/directory/api-keys/<key_uuid>"): lambda i: ("/api/directory/api-keys/" + i["api_key"], {}),
    ("GET", "/api/catalog/units"): lambda i: ("/api/catalog/units", {}),
    ("GET", "/api/catalog/currencies"): lambda i: ("/api/catalog/currencies", {}),
    ("GET", "/api/catalog/countries"): lambda i: ("/api/catalog/countries", {}),
    ("GET", "/api/deals.json"): lambda i: ("/api/deals.json", {}),
    ("POST", "/api/deals.json"): lambda i: ("/api/deals.json", {"json": {"deal": {
        "name": "matrix deal", "value": "1", "value_type": "Total", "value_count": "1",
        "account_uuid": i["account"], "campaign_uuid": i["campaign"]}}}),
    ("GET", "/api/deals/search.json"): lambda i: ("/api/deals/search.json", {"params": {"name": "Deal"}}),
    ("GET", "/api/deals/stats.json"): lambda i: ("/api/deals/stats.json", {}),
    ("GET", "/api/deals/custom_fields_types.json"): lambda i: ("/api/deals/custom_fields_types.json", {}),
    ("GET", "/api/deals/<int:deal_id>.json"): lambda i: ("/api/deals/{}.json".format(i["deal"]), {}),
    ("PUT", "/api/deals/<int:deal_id>.json"): lambda i: ("/api/deals/{}.json".format(i["deal"]), {
        "json": {"deal": {"name": "renamed"}}}),
    ("PATCH", "/api/deals/<int:deal_id>.json"): lambda i: ("/api/deals/{}.json".format(i["deal"]), {
        "json": {"deal": {"name": "renamed"}}}),
    ("DELETE", "/api/deals/<int:deal_id>.json"): lambda i: ("/api/deals/{}.json".format(i["deal"]), {}),
    ("POST", "/api/sales/goals"): lambda i: ("/api/sales/goals", {"json": {"action": "get_all_goals"}}),
    ("POST", "/api/sales/goals/goal"): lambda i: ("/api/sales/goals/goal", {"json": {
        "action": "update", "uuid": i["sales_goal"], "description": "renamed"}}),
    ("POST", "/api/sales/goals/assign"): lambda i: ("/api/sales/goals/assign", {"json": {
        "goal_uuid": i["sales_goal"], "users": [i["user"]]}}),
    ("POST", "/api/sales/goals/unassign"): lambda i: ("/api/sales/goals/unassign", {"json": {
        "action": "unassign_users", "goal_uuid": i["sales_goal"], "users": [i["user"]]}}),
    ("POST", "/api/sales/goals/progress"): lambda i: ("/api/sales/goals/progress", {"json": {
        "goal_uuid": i["sales_goal"]}}),
    ("POST", "/api/sales/accounts/"): lambda i: ("/api/sales/accounts/", {"json": {}}),
    ("GET", "/api/sales/accounts/account"): lambda i: ("/api/sales/accounts/account", {"params": {"uuid": i["account"]}}),
    ("POST", "/api/sales/accounts/account"): lambda i: ("/api/sales/accounts/account", {"json": {
        "action": "add_contact", "uuid": i["account"], "first_name": "M", "last_name": "X"}}),
    ("POST", "/v1/csgoal/external/create"): lambda i: ("/v1/csgoal/external/create", {"json": record(
        Name="matrix goal", StatusName="New", EntityType="GLOBAL")}),
    ("PUT", "/v1/csgoal/external/update"): lambda i: ("/v1/csgoal/external/update", {"json": record(
        Gsid=i["customer_goal"], Name="renamed")}),
    ("POST", "/v1/csgoal/external/fetch"): lambda i: ("/v1/csgoal/external/fetch", {"json": where_gsid(
        i["customer_goal"])}),
    ("DELETE", "/v1/csgoal/external/delete"): lambda i: ("/v1/csgoal/external/delete", {"json": {
        "recordIds": [i["customer_goal"]]}}),
    ("POST", "/v1/csgoal/external/template"): lambda i: ("/v1/csgoal/external/template", {"json": record(
        Name="matrix template")}),
    ("PUT", "/v1/csgoal/external/template"): lambda i: ("/v1/csgoal/external/template", {"json": record(
        Gsid=i["template"], Name="renamed")}),
    ("DELETE", "/v1/csgoal/external/template/delete"): lambda i: ("/v1/csgoal/external/template/delete", {
        "json": {"recordIds": [i["template"]]}}),
    ("POST", "/v1/csgoal/external/template/fetch"): lambda i: ("/v1/csgoal/external/template/fetch", {
        "json": where_gsid(i["template"])}),
    ("POST", "/csgoal/external/metric/"): lambda i: ("/csgoal/external/metric/", {"json": record(
        name="matrix metric", unitOfMeasure="DECIMAL")}),
    ("PUT", "/csgoal/external/metric/"): lambda i: ("/csgoal/external/metric/", {"json": record(
        gsid=i["metric"], name="renamed")}),
    ("DELETE", "/csgoal/external/metrics"): lambda i: ("/csgoal/external/metrics", {"json": {
        "recordIds": [i["metric"]]}}),
    ("GET", "/v1/csgoal/external/admin/picklist"): lambda i: ("/v1/csgoal/external/admin/picklist", {}),
    ("POST", "/v1/csgoal/external/admin/picklist"): lambda i: ("/v1/csgoal/external/admin/picklist", {"json": {}}),
    ("POST", "/v1/csgoal/external/admin/picklist/create"): lambda i: ("/v1/csgoal/external/admin/picklist/create", {
        "json": {"picklists": [{"name": "matrix type", "picklistCategory": "GOAL_TYPE"}]}}),
}
P, C, PID = "/prospects/" + ID.format("prospect_id"), "/clients/" + ID.format("company_id"), ID
LOCATION = {"name": "Office", "link": "https://maps.example/o", "type": "office"}
CONTACT = {"name": "Jane", "email": "jane@example.test", "phone_code": "52", "phone": "5550102030"}
ROW = [{"name": "Matrix lead", "company": "Matrix Co", "email": "matrix-lead@example.test", "phone": 5512345678}]
REQUESTS.update({
    ("GET", "/prospects/follow-ups"): lambda i: ("/prospects/follow-ups", {}),
    ("GET", "/prospects/grouped"): lambda i: ("/prospects/grouped", {}),
    ("GET", "/prospects/list"): lambda i: ("/prospects/list", {}),
    ("GET", "/prospects/activities"): lambda i: ("/prospects/activities", {}),
    ("GET", "/prospects/kpis"): lambda i: ("/prospects/kpis", {}),
    ("POST", "/prospects/process"): lambda i: ("/prospects/process", {"json": ROW}),
    ("POST", "/prospects"): lambda i: ("/prospects", {"json": ROW}),
    ("GET", P): lambda i: ("/prospects/{}".format(i["prospect"]), {}),
    ("PATCH", P): lambda i: ("/prospects/{}".format(i["prospect"]), {"json": {"name": "renamed"}}),
    ("PATCH", P + "/data"): lambda i: ("/prospects/{}/data".format(i["prospect"]), {"json": {"channel": "web"}}),
    ("PATCH", P + "/partner-data"): lambda i: ("/prospects/{}/partner-data".format(i["prospect"]), {"json": {
        "url": "https://partner.example", "partner_type_id": 1, "partner_origin_id": 1, "rating": 3, "locale_id": 1}}),
    ("POST", P + "/contacts"): lambda i: ("/prospects/{}/contacts".format(i["prospect"]), {"json": CONTACT}),
    ("PUT", P + "/contacts"): lambda i: ("/prospects/{}/contacts".format(i["prospect"]), {"json": {
        "id": i["prospect_contact"], "name": "renamed"}}),
    ("DELETE", "/prospects/" + PID.format("contact_id") + "/contacts"): lambda i: (
        "/prospects/{}/contacts".format(i["prospect_contact"]), {}),
    ("POST", P + "/notes"): lambda i: ("/prospects/{}/notes".format(i["prospect"]), {"json": {"note": "matrix"}}),
    ("PATCH", P + "/notes/" + PID.format("note_id")): lambda i: (
        "/prospects/{}/notes/{}".format(i["prospect"], i["prospect_note"]), {"json": {
            "scheduled_date": "2030-01-01T10:00:00Z", "origin": "prospect"}}),
    ("POST", P + "/locations"): lambda i: ("/prospects/{}/locations".format(i["prospect"]), {"json": LOCATION}),
    ("PUT", "/prospects/locations/" + PID.format("location_id")): lambda i: (
        "/prospects/locations/{}".format(i["prospect_location"]), {"json": {"name": "renamed"}}),
    ("DELETE", "/prospects/locations/" + PID.format("location_id")): lambda i: (
        "/prospects/locations/{}".format(i["prospect_location"]), {}),
    ("GET", C): lambda i: ("/clients/{}".format(i["client"]), {}),
    ("GET", C + "/onboarding"): lambda i: ("/clients/{}/onboarding".format(i["client"]), {}),
    ("PATCH", C + "/onboarding"): lambda i: ("/clients/{}/onboarding".format(i["client"]), {"json": {
        "steps": [{"key": "welcome_call"}]}}),
    ("POST", C + "/contacts"): lambda i: ("/clients/{}/contacts".format(i["client"]), {"json": CONTACT}),
    ("POST", C + "/notes"): lambda i: ("/clients/{}/notes".format(i["client"]), {"json": {"note": "matrix"}}),
    ("PATCH", C + "/data"): lambda i: ("/clients/{}/data".format(i["client"]), {"json": {"channel": "web"}}),
    ("POST", C + "/locations"): lambda i: ("/clients/{}/locations".format(i["client"]), {"json": LOCATION}),
    ("PUT", "/clients/locations/" + PID.format("location_id")): lambda i: (
        "/clients/locations/{}".format(i["client_location"]), {"json": {"name": "renamed"}}),
    ("DELETE", "/clients/locations/" + PID.format("location_id")): lambda i: (
        "/clients/locations/{}".format(i["client_location"]), {}),
})

AUTHENTICATED = [(method, route.path) for route in all_routes() if not route.public for method in route.methods]


def missing_ids(ids):
    """Ids of the same kinds that name no record anywhere."""
    missing = {}
    for kind, value in ids.items():
        if isinstance(value, int):
            missing[kind] = MISSING_ID
        elif "-" not in value:  # a customer-goals gsid: its 4-character prefix names the kind
            missing[kind] = value[:4] + "Z" * (len(value) - 4)
        else:
            missing[kind] = str(uuid.uuid4())
    return missing


def normalized(response, ids, asked):
    """The answer as text, with the ids the request (`asked`, its text) named and the request id taken out."""
    try:
        body = response.json()
    except ValueError:
        return response.status_code, response.text
    if isinstance(body, dict):
        body.pop("requestId", None)
    text = json.dumps(body, sort_keys=True)
    for value in sorted((str(value) for value in ids.values()), key=len, reverse=True):
        if re.search(r"\b{}\b".format(re.escape(value)), asked):
            text = re.sub(r"\b{}\b".format(re.escape(value)), "<id>", text)
    return response.status_code, text


def wait_until_refused(api, token, seconds=15.0):
    """The deactivation reaches every gateway process within seconds (infra/access.py)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if all(api.get("/api/directory/me", token=token).status_code == 401 for _ in range(4)):
            return
        time.sleep(0.2)
    raise AssertionError("a deactivated user's token still works after {}s".format(seconds))


@pytest.fixture(scope="module")
def world(api):
    """Workspace A with a record of every kind, its bad credentials; workspace B's owner."""
    a, b = api.signup(), api.signup()
    ids = Records(api, a).build().ids
    key_uuid, revoked_key = api_key(api, a, "revoked")
    send(api, "DELETE", "/api/directory/api-keys/" + key_uuid, token=a.token)
    seller = a.add_user()
    send(api, "POST", "/api/directory/users/{}/deactivate".format(seller["id"]), token=a.token)
    wait_until_refused(api, seller["token"])
    credentials = {"no credentials": {}, "revoked API key": {"X-apikey": revoked_key},
                   "deactivated user": {"Authorization": "Bearer " + seller["token"]}}
    for case, kind in (("expired token", "expired"), ("other secret", "forged-signature"), ("alg none", "alg-none"),
                       ("tampered claim", "tampered")):
        credentials[case] = {"Authorization": "Bearer " + BAD_TOKENS[kind](a)}
    secrets = [a.workspace["uuid"], a.owner["uuid"], a.email] + [value for value in ids.values() if isinstance(value, str)]
    return {"a": a, "b": b, "ids": ids, "credentials": credentials, "secrets": secrets}


def test_every_authenticated_route_is_in_the_matrix():
    assert sorted(set(AUTHENTICATED) - set(REQUESTS)) == []
    assert sorted(set(REQUESTS) - set(AUTHENTICATED)) == []


def check_credential_case(api, world, method, route_path, case):
    path, kwargs = REQUESTS[(method, route_path)](world["ids"])
    response = api.request(method, path, headers=world["credentials"][case], **kwargs)
    if response.status_code != 401:
        return response.status_code, "expected 401: {}".format(response.text[:200])
    assert_error_envelope(path, 401, response.headers, response.json())
    return 401, None


def check_other_workspace(api, world, method, route_path):
    """B's token at A's ids answers as B's token at ids that exist nowhere, and never with A's data."""
    build, ids, token = REQUESTS[(method, route_path)], world["ids"], world["b"].token
    path, kwargs = build(ids)
    aimed = api.patient_request(method, path, token, **kwargs)
    asked = path + json.dumps(kwargs)  # an error may name the id it was asked about: that is no leak
    leaked = [secret for secret in world["secrets"] if secret in aimed.text and secret not in asked]
    if leaked:
        return aimed.status_code, "answered A's {}".format(leaked)
    missing = missing_ids(ids)
    if build(missing) == (path, kwargs):  # a route naming no record (a list, a create): no leak is the rule
        return aimed.status_code, None if aimed.status_code < 500 else aimed.text[:200]
    missing_path, missing_kwargs = build(missing)
    baseline = api.patient_request(method, missing_path, token, **missing_kwargs)
    if normalized(aimed, ids, asked) != normalized(baseline, missing, missing_path + json.dumps(missing_kwargs)):
        return aimed.status_code, "A's record: {} {}; a missing one: {} {}".format(
            aimed.status_code, aimed.text[:150], baseline.status_code, baseline.text[:150])
    return aimed.status_code, None


def matrix_text(rows, problems):
    width = max(len(label) for label in rows)
    lines = ["{:<{}}  {}".format("route", width, " | ".join(CASES))]
    for label, cells in rows.items():
        lines.append("{:<{}}  {}".format(label, width, " | ".join(
            "{:^{}}".format(str(cells[case]) + ("!" if (label, case) in problems else ""), len(case)) for case in CASES)))
    lines.append("")
    lines.append("{} routes x {} cases = {} requests".format(len(rows), len(CASES), len(rows) * len(CASES)))
    for case in CASES:
        statuses = {}
        for cells in rows.values():
            statuses[cells[case]] = statuses.get(cells[case], 0) + 1
        wrong = sum(1 for label in rows if (label, case) in problems)
        lines.append("{:<17} {}; as expected: {}/{}".format(case + ":", ", ".join(
            "{} x{}".format(status, count) for status, count in sorted(statuses.items())), len(rows) - wrong, len(rows)))
    lines += ["", "problems: {}".format(len(problems) or "none")]
    lines += ["  {} [{}]: {}".format(label, case, text) for (label, case), text in problems.items()]
    return "\n".join(lines)


def test_bad_credentials_are_401_and_another_workspace_sees_nothing(api, world):
    rows, problems = {}, {}
    for method, route_path in AUTHENTICATED:  # every bad credential first: none of them may change anything
        label = "{} {}".format(method, route_path)
        rows[label] = {}
        for case in CREDENTIAL_CASES:
            rows[label][case], problem = check_credential_case(api, world, method, route_path, case)
            if problem:
                problems[(label, case)] = problem
    for method, route_path in AUTHENTICATED:
        label = "{} {}".format(method, route_path)
        rows[label]["other workspace"], problem = check_other_workspace(api, world, method, route_path)
        if problem:
            problems[(label, "other workspace")] = problem
    publish("security-matrix.txt", "Security matrix", matrix_text(rows, problems))
    assert not problems, "\n".join("{} [{}]: {}".format(*key, text) for key, text in problems.items())
