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
