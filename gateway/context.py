"""What a route handler gets: the parsed request, the verified caller and RPC with a deadline."""
import json

from infra.access import current_access
from infra.auth import CONTEXT_KEY, internal_token
from infra.errors import Unauthenticated
from infra.logs import REQUEST_ID_KEY

from gateway.errors import MalformedBody, NulInText, PayloadTooLarge, UnsupportedMediaType

MAX_BODY_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 32  # arrays and objects inside each other; the APIs' deepest body has 5
# A body is read as JSON under these media types: JSON's own, and what `curl -d` (form) and browsers' simple
# requests (text/plain) send, or none; credentials travel only in headers, so no cross-site form can use them.
# Any other declared type (multipart, XML, octet-stream...) or a charset other than UTF-8 is a 415.
READ_AS_JSON = frozenset(("", "application/json", "text/plain", "application/x-www-form-urlencoded"))
UTF8 = frozenset(("utf-8", "utf8"))


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


def check_media_type(request):
    """UnsupportedMediaType unless the body's declared type is one read as JSON (READ_AS_JSON, */*+json) in UTF-8."""
    mimetype = request.mimetype
    if mimetype not in READ_AS_JSON and not (mimetype.startswith("application/") and mimetype.endswith("+json")):
        raise UnsupportedMediaType("Content-Type {} is not accepted: send application/json".format(mimetype), "body")
    charset = request.mimetype_params.get("charset")
    if charset is not None and charset.lower() not in UTF8:
        raise UnsupportedMediaType("Charset {} is not accepted: send UTF-8".format(charset[:40]), "body")


def holds_nul(value):
    """Whether a parsed JSON value has U+0000 in any string or key."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any("\x00" in key or holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(holds_nul(item) for item in value)
    return False


def refuse_nul_in_url(request):
    """NulInText if the path or a query parameter holds U+0000 (%00): no database text can."""
    if "\x00" in request.path:
        raise NulInText(field="path")
    if b"%00" in request.query_string:  # spares the look at the parameters for almost every request
        for name, value in request.args.items(multi=True):
            if "\x00" in name or "\x00" in value:
                raise NulInText(field=name.replace("\x00", "") or "query")


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
        refuse_nul_in_url(request)
        self.caller = None
        self.api_key = None  # the API key the caller authenticated with, if it used one (rate limits)

    def json(self, required=True):
        """The body as a JSON object; MalformedBody if it is missing, not JSON or not an object."""
        data = self.json_value()
        if data is None:
            if required:
                raise MalformedBody("Missing JSON body", "body")
            return {}
        if not isinstance(data, dict):
            raise MalformedBody("JSON body must be an object", "body")
        return data

    def json_value(self, malformed="Malformed JSON body"):
        """The body as any JSON value, None if it is empty: in a media type read as JSON, parsed, nested at
        most MAX_JSON_DEPTH levels and without U+0000, else the matching 4xx (`malformed` its text)."""
        if not self._raw_body.strip():
            return None
        check_media_type(self.request)
        try:
            data = json.loads(self._raw_body)
        except RecursionError:  # the parser's own bound (about 1,000 levels)
            raise nested_too_deep() from None
        except (ValueError, UnicodeDecodeError):
            raise MalformedBody(malformed, "body")
        if too_deep(self._raw_body, data, MAX_JSON_DEPTH):
            raise nested_too_deep()
        if b"\\u0000" in self._raw_body and holds_nul(data):  # JSON writes U+0000 only as \u0000
            raise NulInText(field="body")
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
