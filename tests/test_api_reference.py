"""The machine-readable contract: the OpenAPI document covers every route of the gateway's route map,
the AsyncAPI document every event and validates against the AsyncAPI 3.0 schema, and the /docs page
works in a real browser (headless Debian Chromium, no internet needed): every API family is listed
and "Try it out" on sign-up returns a token."""
import json
import os
import uuid

import jsonschema
import pytest
from marshmallow import ValidationError
from openapi_spec_validator import validate as validate_openapi

from contracts.catalog import CATALOG
from gateway.openapi import openapi_path
from gateway.routes import all_routes
from infra.processes import ROOT

FAMILIES = ("Directory and sign-in", "Accounts", "Deals", "Sales goals", "Prospects and clients", "Customer goals")
ASYNCAPI_SCHEMA = os.path.join(ROOT, "docs", "asyncapi", "asyncapi-3.0.0.schema.json")
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = os.path.join(ROOT, "var", "test-artifacts")


@pytest.fixture(scope="module")
def openapi(api):
    response = api.get("/openapi.json")
    assert response.status_code == 200 and response.headers["X-Request-Id"]
    return response.json()


def test_the_openapi_document_is_valid_and_has_every_route_of_the_route_map(openapi):
    validate_openapi(openapi)
    assert openapi["openapi"] == "3.1.0"
    missing = []
    for route in all_routes():
        path, _ = openapi_path(route.path)
        for method in route.methods:
            if method.lower() not in openapi["paths"].get(path, {}):
                missing.append("{} {}".format(method, route.path))
    assert not missing, missing
    tags = {tag for operations in openapi["paths"].values() for operation in operations.values()
            for tag in operation["tags"]}
    assert set(FAMILIES) <= tags


def test_every_operation_documents_its_errors_security_and_rate_limits(openapi):
    schemes = openapi["components"]["securitySchemes"]
    assert {"bearerAuth", "apiKeyHeader", "accessKey"} <= set(schemes)
    assert schemes["apiKeyHeader"]["name"] == "X-apikey" and schemes["accessKey"]["name"] == "accesskey"
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert {"400", "404", "429", "503", "504"} <= set(responses), (method, path)
            assert "Retry-After" in responses["429"]["headers"], (method, path)
            if operation["security"]:
                assert "401" in responses and "403" in responses, (method, path)
    accounts = openapi["paths"]["/api/sales/accounts/account"]["post"]["responses"]
    assert {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} <= set(accounts["429"]["headers"])


def test_the_asyncapi_document_validates_and_its_examples_match_the_contracts(api):
    response = api.get("/asyncapi.json")
    assert response.status_code == 200
    document = response.json()
    with open(ASYNCAPI_SCHEMA) as handle:
        jsonschema.Draft7Validator(json.load(handle)).validate(document)
    messages = document["components"]["messages"]
    assert {contract.event_type for contract in CATALOG} == {message["name"] for message in messages.values()}
    for contract in CATALOG:
        contract.schema().load(contract.example)  # the example is what a consumer accepts
        message = next(m for m in messages.values() if m["name"] == contract.event_type)
        jsonschema.Draft202012Validator(message["payload"]).validate(contract.example)
        with pytest.raises((ValidationError, jsonschema.ValidationError)):  # and the schema can refuse
            broken = dict(contract.example, version="three")
            contract.schema().load(broken)
            jsonschema.Draft202012Validator(message["payload"]).validate(broken)


def test_the_reference_page_lists_every_family_and_signs_up_from_the_browser(system):
    from playwright.sync_api import sync_playwright

    os.makedirs(ARTIFACTS, exist_ok=True)
    email = "docs-{}@example.test".format(uuid.uuid4().hex[:10])
    body = json.dumps({"workspace": "Docs", "email": email, "password": "a-long-password",
                       "first_name": "Ada", "last_name": "Lovelace"})
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 2000})
            page.goto(system.base_url + "/docs")
            page.wait_for_selector(".opblock-tag", timeout=30000)
            listed = page.locator(".opblock-tag").all_inner_texts()
            for family in FAMILIES:
                assert any(text.startswith(family) for text in listed), (family, listed)
            page.locator(".opblock-tag", has_text="Directory and sign-in").click()
            signup = page.locator("#operations-Directory_and_sign-in-directory_signup_post")
            signup.locator(".opblock-summary").click()
            signup.locator("button.try-out__btn").click()
            signup.locator("textarea.body-param__text").fill(body)
            signup.locator("button.execute").click()
            answer = signup.locator(".live-responses-table .response-col_description pre").first
            answer.wait_for(timeout=30000)
            data = json.loads(answer.inner_text())["data"]
            page.screenshot(path=os.path.join(ARTIFACTS, "api-reference.png"), full_page=False)
        finally:
            browser.close()
    assert data["token"] and data["user"]["email"] == email
