"""The machine-readable contract: the OpenAPI document covers every route of the gateway's route map,
the AsyncAPI document every event and validates against the AsyncAPI 3.0 schema, and the /docs page
works in a real browser (headless Debian Chromium, no internet needed): every API family is listed
and "Try it out" on sign-up returns a token."""
import json
import os
import subprocess
import sys
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
    os.makedirs(ARTIFACTS, exist_ok=True)
    email = "docs-{}@example.test".format(uuid.uuid4().hex[:10])
    body = json.dumps({"workspace": "Docs", "email": email, "password": "a-long-password",
                       "first_name": "Ada", "last_name": "Lovelace"})
    screenshot = os.path.join(ARTIFACTS, "api-reference.png")
    finished = subprocess.run([sys.executable, "-m", "tests.support.reference_page", system.base_url, screenshot, body],
                              cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert finished.returncode == 0, finished.stderr[-3000:]
    seen = json.loads(finished.stdout)
    for family in FAMILIES:
        assert any(text.startswith(family) for text in seen["families"]), (family, seen["families"])
    data = json.loads(seen["signup_answer"])["data"]
    assert data["token"] and data["user"]["email"] == email
    assert os.path.getsize(screenshot) > 10000
