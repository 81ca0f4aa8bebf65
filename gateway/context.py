"""What a route handler gets: the parsed request, the verified caller and RPC with a deadline."""
import json

from infra.access import current_access
from infra.auth import CONTEXT_KEY, internal_token
from infra.errors import Unauthenticated
from infra.logs import REQUEST_ID_KEY

from gateway.errors import MalformedBody, PayloadTooLarge

MAX_BODY_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 32  # arrays and objects inside each other; the APIs' deepest body has 5


def read_body(request):
    """The raw body, refusing more than 1 MiB whether or not Content-Length says so."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise PayloadTooLarge()
    try:
        if "chunked" in request.headers.get("Transfer-Encoding", "").lower():
            # werkzeug hides a body without Content-Length; eventlet's input decodes the chunks
            body = request.environ["wsgi.input"].read(MAX_BODY_BYTES + 1)
        else:
            body = request.stream.read(MAX_BODY_BYTES + 1)
    except ValueError:  # eventlet's ChunkReadError: a chunk size that is not hexadecimal, or a bad trailer
        raise MalformedBody("Malformed chunked body", "body")
    if len(body) > MAX_BODY_BYTES:
        raise PayloadTooLarge()
    return body


def too_deep(raw, data, limit):
    """Whether parsed JSON `data` nests arrays and objects more than `limit` levels."""
    if raw.count(b"[") + raw.count(b"{") <= limit:  # cannot be: spares the walk for most bodies
        return False
    level = [data]
    for _ in range(limit):
        level = [child for value in level if isinstance(value, (dict, list))
                 for child in (value.values() if isinstance(value, dict) else value)]
        if not level:
            return False
    return any(isinstance(value, (dict, list)) for value in level)


def nested_too_deep():
    return MalformedBody("JSON body is nested deeper than {} levels".format(MAX_JSON_DEPTH), "body")


class RequestContext:
    def __init__(self, request, request_id, proxies, worker_data):
        self.request = request
        self.request_id = request_id
        self.args = request.args
        self.headers = request.headers
        self._proxies = proxies  # service name -> its ClientProxy (made when a route calls it)
        self._worker_data = worker_data  # the worker's context data: forwarded on every RPC
        self._worker_data[REQUEST_ID_KEY] = request_id
        self._raw_body = read_body(request)
        self.caller = None
        self.api_key = None  # the API key the caller authenticated with, if it used one (rate limits)

    def json(self, required=True):
        """The body as a JSON object; MalformedBody if it is missing, not JSON or not an object."""
        if not self._raw_body.strip():
            if required:
                raise MalformedBody("Missing JSON body", "body")
            return {}
        try:
            data = json.loads(self._raw_body)
        except RecursionError:  # the parser's own bound (about 1,000 levels)
            raise nested_too_deep() from None
        except (ValueError, UnicodeDecodeError):
            raise MalformedBody("Malformed JSON body", "body")
        if too_deep(self._raw_body, data, MAX_JSON_DEPTH):
            raise nested_too_deep()
        if not isinstance(data, dict):
            raise MalformedBody("JSON body must be an object", "body")
        return data

    def authenticate(self, verify_user_token, api_key_caller):
        """Sets `caller` from a Bearer token or an API key header, else Unauthenticated; the user's
        current access applies (infra.access: deactivated is Unauthenticated, newer permissions win)."""
        authorization = self.headers.get("Authorization", "")
        api_key = self.headers.get("X-apikey") or self.headers.get("accesskey")
        if authorization:
            scheme, _, token = authorization.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise Unauthenticated("Authorization header must be 'Bearer <token>'")
            self.caller = verify_user_token(token.strip())
        elif api_key:
            self.caller = api_key_caller(self, api_key)
            self.api_key = api_key
        else:
            raise Unauthenticated("Missing credentials: send 'Authorization: Bearer <token>' or an API key header")
        self.caller = current_access(self.caller)
        self._worker_data[CONTEXT_KEY] = internal_token(self.caller)
        return self.caller

    def call(self, service, method, *args, timeout=None, **kwargs):
        return self._proxies(service).call(method, args, kwargs, timeout)
