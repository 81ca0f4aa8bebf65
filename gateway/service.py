"""The gateway service: one catch-all HTTP entrypoint dispatching through our own route map, so
unknown routes, wrong methods and every failure are answered in the family's envelope."""
import time

from nameko.extensions import DependencyProvider
from werkzeug.exceptions import MethodNotAllowed as WerkzeugMethodNotAllowed
from werkzeug.exceptions import NotFound as WerkzeugNotFound
from werkzeug.wrappers import Response

from infra import correlation, ratelimit
from infra.metrics_export import MetricsExporter
from infra.rpc import Services
from infra.auth import Caller, TokenSecret, verify_token
from gateway import routes
from gateway.context import RequestContext
from gateway.http import http, request_id_from
from gateway.errors import MethodNotAllowed, RouteNotFound, as_service_error
from gateway.families import error_response, family_for_path, json_response
from gateway.observe import answered


class WorkerData(DependencyProvider):
    """The worker's context data: what we put here travels with every RPC call (nameko headers)."""

    def get_dependency(self, worker_ctx):
        return worker_ctx.data


class GatewayService:
    name = "gateway"

    services = Services()  # one AMQP connection per process, transient requests (infra/rpc.py)
    worker_data = WorkerData()
    token_secret = TokenSecret()
    metrics_exporter = MetricsExporter()

    url_map = routes.build_map(routes.all_routes())

    @http
    def handle(self, request):
        return self._dispatch(request)

    # --- dispatch -------------------------------------------------------------------------------------
    def _dispatch(self, request):
        started = time.monotonic()
        request_id = request_id_from(request.headers.get("X-Request-Id"))
        correlation.bind_request(request_id)
        family = family_for_path(request.path)
        headers = {"X-Request-Id": request_id}
        template = None  # the route's, once matched (the metrics' label)
        try:
            route, path_values = self._match(request)
            template = route.path
            ctx = RequestContext(request, request_id, self.services, self.worker_data)
            if not route.public:
                ctx.authenticate(self._verify_user_token, self._api_key_caller)
            if route.rate_limited:
                headers.update(ratelimit.check(ctx.caller, ctx.api_key).headers())
            result = route.handler(ctx, **path_values)
            response = self._response(result, headers)
        except Exception as exc:  # every failure is answered in the family's envelope
            error = as_service_error(exc, request_id)
            response = error_response(family, error, request_id,
                                      headers=dict(headers, **getattr(error, "headers", {})))
        answered(request, template, response.status_code, time.monotonic() - started)
        return response

    def _match(self, request):
        adapter = self.url_map.bind("gateway", path_info=request.path)
        try:
            return adapter.match(method=request.method)
        except WerkzeugMethodNotAllowed as exc:
            raise MethodNotAllowed("Method {} not allowed; use {}".format(request.method, ", ".join(exc.valid_methods)))
        except WerkzeugNotFound:
            raise RouteNotFound("No route {} {}".format(request.method, request.path))

    @staticmethod
    def _response(result, headers):
        if isinstance(result, Response):  # a page or a file (the API reference), not JSON
            result.headers.update(headers)
            return result
        status, extra_headers = 200, {}
        if isinstance(result, tuple):
            status, result, *rest = result
            extra_headers = rest[0] if rest else {}
        return json_response(result, status=status, headers=dict(headers, **extra_headers))

    def _verify_user_token(self, token):
        return verify_token(token, secret=self.token_secret)

    @staticmethod
    def _api_key_caller(ctx, api_key):
        return Caller.from_claims(ctx.call("directory", "authenticate_api_key", api_key))
