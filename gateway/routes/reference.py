"""The API reference, served by the gateway itself (no CDN: it works on a machine without internet):
`GET /openapi.json` (gateway/openapi.py), `GET /asyncapi.json` (gateway/asyncapi.py) and `GET /docs`,
an interactive page of the OpenAPI document (Swagger UI from the pinned `swagger-ui-py` package)."""
import mimetypes
import os

import swagger_ui
from werkzeug.wrappers import Response

from gateway import asyncapi, openapi
from gateway.errors import RouteNotFound
from gateway.routes import Route

ASSETS_DIR = os.path.join(os.path.dirname(swagger_ui.__file__), "static")
ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "favicon-32x32.png")
PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>CRM platform API</title>
  <link rel="stylesheet" href="/docs/static/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/static/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/static/swagger-ui-bundle.js"></script>
  <script src="/docs/static/swagger-ui-standalone-preset.js"></script>
  <script>
    window.ui = SwaggerUIBundle({
      url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true, persistAuthorization: true,
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: "StandaloneLayout",
      docExpansion: "none"
    });
  </script>
</body>
</html>
"""


def openapi_document(ctx):
    return openapi.document()


def asyncapi_document(ctx):
    return asyncapi.document()


def docs_page(ctx):
    return Response(PAGE, mimetype="text/html")


def docs_asset(ctx, asset):
    if asset not in ASSETS:  # only the page's own files, never a path into the package
        raise RouteNotFound("No such file")
    with open(os.path.join(ASSETS_DIR, asset), "rb") as handle:
        body = handle.read()
    response = Response(body, mimetype=mimetypes.guess_type(asset)[0] or "application/octet-stream")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


SERVICE = None  # calls no service

ROUTES = [
    Route("/openapi.json", ("GET",), openapi_document, public=True, summary="This API as an OpenAPI 3.1 document"),
    Route("/asyncapi.json", ("GET",), asyncapi_document, public=True,
          summary="The events on the bus as an AsyncAPI 3.0 document"),
    Route("/docs", ("GET",), docs_page, public=True, summary="The interactive API reference (HTML)"),
    Route("/docs/static/<asset>", ("GET",), docs_asset, public=True, summary="A file of the reference page"),
]
