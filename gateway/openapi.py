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
from marshmallow import fields, validate

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


def numeric_bounds(self: Any, field: Any, ret: dict, **kwargs: Any) -> dict:
    """A Range's bounds as JSON numbers (json.dumps makes strings of Decimals), exclusive where the Range
    excludes them (apispec writes every bound as inclusive). Changes `ret` itself: it removes keys."""
    for key, exclusive, inclusive_attr in (("minimum", "exclusiveMinimum", "min_inclusive"),
                                           ("maximum", "exclusiveMaximum", "max_inclusive")):
        if key not in ret:
            continue
        value = ret[key]
        if isinstance(value, Decimal):
            value = ret[key] = int(value) if value == value.to_integral_value() else float(value)
        if any(isinstance(validator, validate.Range) and getattr(validator, key[:3]) == value
               and not getattr(validator, inclusive_attr) for validator in field.validators):
            ret[exclusive] = ret.pop(key)
    return {}


class _Plugin(MarshmallowPlugin):
    def init_spec(self, spec: APISpec) -> None:
        super().init_spec(spec)  # builds the converter anew: add ours to each
        self.converter.add_attribute_function(_decimal_as_string)
        self.converter.add_attribute_function(numeric_bounds)


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


def component(spec: APISpec, schema: Any) -> dict:
    """A reference to the marshmallow schema's component, registered if it is not yet."""
    name = schema_name(schema)
    if name not in spec.components.schemas:
        spec.components.schema(name, schema=schema)
    return {"$ref": "#/components/schemas/" + name}


def _operation(spec: APISpec, route: Route, method: str, path_parameters: list[dict]) -> dict:
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
    if method in BODY_METHODS and route.actions:
        operation["requestBody"]["content"]["application/json"]["schema"] = {"oneOf": [
            {"allOf": [component(spec, action.body), {"type": "object", "required": ["action"],
                                                     "properties": {"action": {"const": name}}}]}
            for name, action in route.actions.items()]}
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
            by_path.setdefault(path, {})[method.lower()] = _operation(spec, route, method, parameters)
    add_links(routes if routes is not None else all_routes(), by_path)
    for path, operations in by_path.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def parameter_names(route: Route) -> set:
    """The names of the route's path and query parameters."""
    names = {parameter["name"] for parameter in openapi_path(route.path)[1]}
    if route.query is not None:
        names |= {field.data_key or name for name, field in route.query._declared_fields.items()}
    return names


def add_links(routes: list[Route], by_path: dict) -> None:
    """OpenAPI links from each route that `creates` a record to every operation taking its id as a path or
    query parameter (a new deal's id to GET/PUT/DELETE /api/deals/{deal_id}.json), for clients and for
    stateful testing (Schemathesis follows them)."""
    operations = [(route, method, by_path[openapi_path(route.path)[0]][method.lower()])
                  for route in routes for method in route.methods]
    for route, method, operation in operations:
        for parameter, expression in route.creates:
            links = {"{}_{}".format(target["operationId"], parameter): {
                "operationId": target["operationId"], "parameters": {parameter: expression},
                "description": "The {} of the record this answer names".format(parameter)}
                for other, _, target in operations if other is not route and parameter in parameter_names(other)}
            if links:
                operation["responses"][str(route.status)].setdefault("links", {}).update(links)




@lru_cache(maxsize=1)
def document() -> dict:
    """Built once per process: the route map does not change while it runs."""
    return build()
