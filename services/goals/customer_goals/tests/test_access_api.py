"""Who may call the customer goals API and how it answers the gateway's own refusals: the
`accesskey` header (a directory API key, never expiring, revoked at once) or a Bearer token; the
per-caller rate limit (429, Retry-After, the envelope); unknown routes, methods and bodies; and
another workspace's goal, template or metric answering exactly like a missing one."""
import eventlet
import pytest
import requests

from services.goals.customer_goals.tests.support import (CREATE, FETCH, METRIC, METRICS, PICKLIST, TEMPLATE,
                                                         TEMPLATE_DELETE, UPDATE, CsGoals)


def api_key(api, ws):
    return api.post("/api/directory/api-keys", {"name": "CRM sync"}, token=ws.token).json()["data"]


def test_an_access_key_works_until_it_is_revoked(api, ws):
    key = api_key(api, ws)
    by_key = CsGoals(api, access_key=key["key"])
    goal = by_key.create(Name="by key")
    assert goal["CreatedById"] == ws.owner["uuid"]
    assert CsGoals(api, ws.token).fetch_one(goal["Gsid"])["dataList"]["Name"] == "by key"
    assert api.delete("/api/directory/api-keys/" + key["uuid"], token=ws.token).status_code == 200
    status, code, envelope = by_key.error("POST", FETCH, {})
    assert (status, code, envelope["errorDesc"]) == (401, "CG_UNAUTHENTICATED", "UNAUTHENTICATED")


@pytest.mark.parametrize("headers", [{}, {"accesskey": "crm_not-a-key"}, {"Authorization": "Bearer nope"},
                                     {"Authorization": "Basic x"}])
def test_without_valid_credentials_it_is_401_in_the_envelope(api, headers):
    status, code, envelope = CsGoals(api).error("POST", FETCH, {}, headers=headers)
    assert (status, code, envelope["result"], envelope["data"]) == (401, "CG_UNAUTHENTICATED", False, None)


def test_over_the_per_caller_limit_it_is_429_with_retry_after_in_the_envelope(api, ws):
    def send(_):
        return requests.post(api.base_url + FETCH, json={}, timeout=30,
                             headers={"Authorization": "Bearer " + ws.token, "X-Request-Id": "burst"})
    responses = list(eventlet.GreenPool(25).imap(send, range(25)))
    refused = [response for response in responses if response.status_code == 429]
    assert refused and len(refused) <= 15, [r.status_code for r in responses]
    for response in refused:
        body = response.json()
        assert response.headers["Retry-After"] == "1"
        assert (body["result"], body["errorCode"], body["requestId"], body["data"]) == (
            False, "CG_RATE_LIMITED", "burst", None)
    assert all(response.status_code == 200 for response in responses if response.status_code != 429)


@pytest.mark.parametrize("method, path, code, status", [
    ("POST", "/v1/csgoal/external/nowhere", "CG_NOT_FOUND", 404), ("GET", "/csgoal/external/nope", "CG_NOT_FOUND", 404),
    ("GET", CREATE, "CG_METHOD_NOT_ALLOWED", 405), ("POST", UPDATE, "CG_METHOD_NOT_ALLOWED", 405),
    ("GET", METRICS, "CG_METHOD_NOT_ALLOWED", 405),
])
def test_unknown_routes_and_methods_answer_in_the_envelope(cs, method, path, code, status):
    assert cs.error(method, path)[:2] == (status, code)


def test_malformed_and_oversized_bodies_answer_in_the_envelope(cs):
    for data in (b"{not json", b"[1, 2]", b""):
        assert cs.error("POST", CREATE, data=data, headers={"Content-Type": "application/json"})[:2] == (
            400, "CG_INVALID_REQUEST")
    assert cs.error("POST", CREATE, data=b"x" * (1024 * 1024 + 1))[:2] == (413, "CG_PAYLOAD_TOO_LARGE")


def test_the_metric_paths_with_and_without_a_trailing_slash(cs):
    assert cs.ok("POST", METRIC.rstrip("/"), {"requests": [{"record": {"name": "m", "unitOfMeasure": "CURRENCY"}}]})


def same_answer(first, second):
    """Two refusals alike but for their request ids (and the id they name)."""
    strip = [{k: v for k, v in envelope.items() if k != "requestId"} for _, _, envelope in (first, second)]
    return first[:2] == second[:2] and strip[0]["errorDesc"] == strip[1]["errorDesc"]


def test_another_workspaces_records_answer_like_missing_ones(cs, api):
    stranger = CsGoals(api, api.signup().token)
    goal, template, metric = stranger.create(), stranger.template(), stranger.metric()
    missing_goal, missing_metric = "1CG0" + "M" * 32, "1I05" + "M" * 32
    assert cs.fetch_one(goal["Gsid"]) is None and cs.fetch(TEMPLATE + "/fetch") == []
    update = lambda gsid: cs.error("PUT", UPDATE, {"requests": [{"record": {"Gsid": gsid, "Name": "x"}}]})  # noqa: E731
    assert same_answer(update(goal["Gsid"]), update(missing_goal)) and update(goal["Gsid"])[0] == 404
    tupdate = lambda gsid: cs.error("PUT", TEMPLATE, {"requests": [{"record": {"Gsid": gsid}}]})  # noqa: E731
    assert same_answer(tupdate(template["Gsid"]), tupdate(missing_goal)) and tupdate(template["Gsid"])[0] == 404
    assert cs.ok("DELETE", TEMPLATE_DELETE, {"recordIds": [template["Gsid"]]})["failCount"] == 1
    mdelete = lambda gsid: cs.error("DELETE", METRICS, {"recordIds": [gsid]})  # noqa: E731
    assert same_answer(mdelete(metric["gsid"]), mdelete(missing_metric)) and mdelete(metric["gsid"])[0] == 404
    mupdate = lambda gsid: cs.error("PUT", METRIC, {"requests": [{"record": {"gsid": gsid}}]})  # noqa: E731
    assert same_answer(mupdate(metric["gsid"]), mupdate(missing_metric))
    def uses(**fields):
        record = dict({"Name": "g", "StatusName": "New", "EntityType": "GLOBAL"}, **fields)
        return cs.error("POST", CREATE, {"requests": [{"record": {k: v for k, v in record.items() if v is not None}}]})

    assert same_answer(uses(TemplateId=template["Gsid"]), uses(TemplateId=missing_goal))
    assert same_answer(uses(metricsAssociation=[{"metricId": metric["gsid"]}]),
                       uses(metricsAssociation=[{"metricId": missing_metric}]))
    assert uses(StatusName=None, StatusId=stranger.statuses()["New"])[:2] == (400, 8010)
    assert uses(GoalTypeId=stranger.goal_types()["Default"])[:2] == (400, "CG_INVALID_REQUEST")
    # and the stranger's records are untouched
    assert stranger.fetch_one(goal["Gsid"])["dataList"]["Name"] == goal["Name"]
    assert stranger.ok("POST", PICKLIST, {"includeMetrics": True})["metrics"][0]["gsid"] == metric["gsid"]
