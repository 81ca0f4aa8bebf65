"""The generated OpenAPI document says what the gateway does, in terms a generator of requests can use
(found by running Schemathesis against it, tests/test_fuzz.py)."""
import json

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from gateway.openapi import build


@pytest.fixture(scope="module")
def document():
    return build()


def documented(document, path, method, status, media="application/json"):
    """A validator of the body documented for `status` of `method path`, its references resolved."""
    registry = Registry().with_resource("urn:api", Resource.from_contents(document, DRAFT202012))
    pointer = "/".join(part.replace("~", "~0").replace("/", "~1") for part in
                       ("paths", path, method, "responses", str(status), "content", media, "schema"))
    return Draft202012Validator({"$ref": "urn:api#/" + pointer}, registry=registry)


def test_decimal_bounds_are_json_numbers_and_exclusive_where_the_range_is(document):
    """apispec wrote a Decimal Range's bounds as the strings "0" and "1E+15", an invalid schema:
    Schemathesis could not test any deals operation that takes a body."""
    json.dumps(document)  # nothing left for `default=str` to make a string of
    quantity = document["components"]["schemas"]["DealsDealInput"]["properties"]["quantity"]
    assert quantity["minimum"] == 0 and quantity["exclusiveMaximum"] == 10 ** 15 and "maximum" not in quantity


def test_creating_routes_link_to_the_operations_taking_their_id(document):
    links = document["paths"]["/api/deals.json"]["post"]["responses"]["201"]["links"]
    assert {link["operationId"] for link in links.values()} == {
        "deals_get_deal_get", "deals_update_deal_put", "deals_update_deal_patch", "deals_delete_deal_delete"}
    assert all(link["parameters"] == {"deal_id": "$response.body#/deal/id"} for link in links.values())
    user_links = document["paths"]["/api/directory/users"]["post"]["responses"]["200"]["links"]
    assert {link["parameters"]["user_id"] for link in user_links.values()} == {"$response.body#/data/id"}
    account = document["paths"]["/api/sales/accounts/account"]
    assert {link["operationId"] for link in account["post"]["responses"]["200"]["links"].values()} == {
        account["get"]["operationId"]}


@pytest.fixture(scope="module")
def served(api):
    return api.get("/openapi.json").json()


def test_the_unenveloped_answers_are_documented_as_they_are(api, served):
    """/health, /openapi.json and /asyncapi.json were documented as the sales envelope {"code": 0, ...},
    /docs as JSON."""
    for path in ("/health", "/openapi.json", "/asyncapi.json"):
        response = api.get(path)
        assert response.status_code == 200, (path, response.text)
        documented(served, path, "get", 200).validate(response.json())
        assert not documented(served, path, "get", 200).is_valid({"code": 0, "data": None}), path
    page = api.get("/docs")
    assert page.headers["Content-Type"].split(";")[0] in served["paths"]["/docs"]["get"]["responses"]["200"]["content"]
    assets = served["paths"]["/docs/static/{asset}"]["get"]["responses"]["200"]["content"]
    for asset in ("swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png"):
        response = api.get("/docs/static/" + asset)
        assert response.status_code == 200 and response.headers["Content-Type"].split(";")[0] in assets, asset


def test_a_wrong_password_is_a_documented_401(api, served):
    """Login is public, and the document left out every 401 of public routes."""
    response = api.post("/api/auth/login", {"email": "nobody@example.test", "password": "not-the-password"})
    assert response.status_code == 401
    documented(served, "/api/auth/login", "post", 401).validate(response.json())


def test_the_http_layers_refusals_are_documented(api, served):
    """A request line over 8 KiB is refused with 414 before any route: every operation documents it."""
    response = api.get("/v1/csgoal/external/admin/picklist?entityIds=" + "x" * 9000)
    assert response.status_code == 414
    documented(served, "/v1/csgoal/external/admin/picklist", "get", 414).validate(response.json())
    assert all({"414", "431"} <= set(operation["responses"]) for operations in served["paths"].values()
               for operation in operations.values())
