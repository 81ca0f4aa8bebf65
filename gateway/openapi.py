"""The OpenAPI 3.1 document of the public HTTP API, generated from the gateway's route map and the
marshmallow schemas the routes name (apispec), never written by hand: a route added to
`gateway.routes` is in the document, with its family's envelopes, its security and its errors.
Served at `GET /openapi.json` (gateway/routes/reference.py).
"""
from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import fields

from gateway import envelopes
from gateway.families import family_for_path
from gateway.routes import Route, all_routes

TITLE = "CRM platform API"
VERSION = "1.0.0"
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")
_CONVERTER = re.compile(r"<(?:(?P<converter>\w+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")
SECURITY = [{"bearerAuth": []}, {"apiKeyHeader": []}, {"accessKey": []}]
SECURITY_SCHEMES = {
    "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                   "description": "The token from POST /api/auth/login or /api/auth/signup."},
    "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-apikey",
                     "description": "An API key of the directory (POST /api/directory/api-keys)."},
    "accessKey": {"type": "apiKey", "in": "header", "name": "accesskey",
                  "description": "The same API key, as the customer-goals API names its header."},
}
TAGS = {
    "directory": "Directory and sign-in", "accounts": "Accounts", "deals": "Deals", "goals": "Sales goals",
    "prospects": "Prospects and clients", "customer_goals": "Customer goals", "reference": "Reference",
}


def _decimal_as_string(self: Any, field: Any, **kwargs: Any) -> dict:
    if isinstance(field, fields.Decimal) and field.as_string:  # sent as "12.50", not as a number
        return {"type": ["string", "null"] if field.allow_none else "string", "pattern": r"^-?\d+(\.\d+)?$"}
    return {}


def _decimal_bounds_as_numbers(self: Any, field: Any, ret: dict, **kwargs: Any) -> dict:
    # a Range of Decimals (deals' value) would otherwise be written as the string "1E+15"
    return {key: int(value) if value == int(value) else float(value) for key, value in ret.items()
            if key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum") and isinstance(value, Decimal)}


class _Plugin(MarshmallowPlugin):
    def init_spec(self, spec: APISpec) -> None:
        super().init_spec(spec)  # builds the converter anew: add ours to each
        self.converter.add_attribute_function(_decimal_as_string)
        self.converter.add_attribute_function(_decimal_bounds_as_numbers)


def marshmallow_plugin(resolver: Any = None, standalone: bool = False) -> MarshmallowPlugin:
    """apispec's marshmallow plugin with decimals described as our schemas send them; `standalone`:
    ready to convert schemas on its own (the AsyncAPI document), without an APISpec of its own."""
    plugin = _Plugin(schema_name_resolver=resolver or schema_name)
    if standalone:
        plugin.init_spec(APISpec(title=TITLE, version=VERSION, openapi_version="3.1.0"))
    return plugin


def schema_name(schema: Any) -> str:
    """Component names that stay unique across services: `services.deals.schemas.DealInput` -> DealsDealInput."""
    cls = schema if isinstance(schema, type) else type(schema)
    parts = cls.__module__.split(".")
    area = parts[1] if parts[0] == "services" and len(parts) > 2 else parts[-1]
    name = cls.__name__[:-6] if cls.__name__.endswith("Schema") and cls.__name__ != "Schema" else cls.__name__
    return "".join(word.capitalize() for word in area.split("_")) + name


def openapi_path(rule: str) -> tuple[str, list[dict]]:
    """The werkzeug rule as an OpenAPI path, and its path parameters."""
    parameters = []

    def replace(match: re.Match) -> str:
        schema: dict[str, Any] = {"type": "string"}
        if match.group("converter") == "int":
            schema = {"type": "integer", "minimum": 0}
            for argument in (match.group("args") or "").split(","):
                key, _, value = argument.partition("=")
                if key.strip() == "max" and value.strip().isdigit():
                    schema["maximum"] = int(value)
        parameters.append({"name": match.group("name"), "in": "path", "required": True, "schema": schema})
        return "{" + match.group("name") + "}"

    return _CONVERTER.sub(replace, rule), parameters


def _operation(route: Route, method: str, path_parameters: list[dict]) -> dict:
    family = family_for_path(route.path)
    module = route.handler.__module__.rsplit(".", 1)[-1]
    operation: dict[str, Any] = {
        "operationId": "{}_{}_{}".format(module, route.handler.__name__, method.lower()),
        "summary": route.summary or route.handler.__name__.replace("_", " "),
        "tags": [TAGS.get(module, module)],
        "parameters": list(path_parameters),
        "responses": envelopes.responses(family, route, method),
    }
    if route.query is not None:
        operation["parameters"].append({"in": "query", "schema": route.query})
    if method in BODY_METHODS and route.body is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": route.body}}}
    operation["security"] = [] if route.public else SECURITY
    return operation


def build(routes: list[Route] | None = None) -> dict:
    spec = APISpec(title=TITLE, version=VERSION, openapi_version="3.1.0", plugins=[marshmallow_plugin()],
                   info={"description": "Every route of the gateway, in each API family's own envelope. "
                                        "Events: GET /asyncapi.json."})
    for name, scheme in SECURITY_SCHEMES.items():
        spec.components.security_scheme(name, scheme)
    for name, schema in envelopes.COMPONENTS.items():
        spec.components.schema(name, schema)
    by_path: dict[str, dict] = {}
    for route in routes if routes is not None else all_routes():
        path, parameters = openapi_path(route.path)
        for method in route.methods:
            by_path.setdefault(path, {})[method.lower()] = _operation(route, method, parameters)
    for path, operations in by_path.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


@lru_cache(maxsize=1)
def document() -> dict:
    """Built once per process: the route map does not change while it runs."""
    return build()
