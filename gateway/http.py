"""The gateway's HTTP layer: nameko's @http over eventlet.wsgi, made to answer every request itself.

- Several gateway processes (GATEWAY_PROCESSES, infra/processes.py) bind the same address with
  SO_REUSEPORT and the kernel spreads new connections over them, so the gateway uses every core
  without a balancer in front. Linux only lets processes of the same user share the port.
- Every request, whatever its method or path, reaches the gateway's one entrypoint, which routes it
  (gateway/service.py): nameko's own URL map would answer unknown methods with werkzeug's HTML 405.
- What eventlet's HTTP protocol refuses before any application runs (a request line or header
  lines too long, a malformed request line or header, a bad Content-Length) is answered in the
  family's envelope with a request id, instead of eventlet's empty or HTML 400s.
"""
import logging
import re
import socket
import urllib.parse
import uuid
from functools import partial
from http import HTTPStatus

import eventlet
from eventlet.event import Event
from eventlet.wsgi import HeaderLineTooLong, HeadersTooLarge
from nameko.exceptions import ContainerBeingKilled
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import HttpOnlyProtocol, WebServer
from werkzeug.wrappers import Request

from gateway.errors import HeaderFieldsTooLarge, RequestLineTooLong, RequestRefused, as_service_error
from gateway.families import error_body_bytes, error_response, family_for_path
from infra.errors import ServiceUnavailable

log = logging.getLogger("crm.gateway")

LISTEN_BACKLOG = 1024
REQUEST_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,64}")


def listen(address, backlog=LISTEN_BACKLOG):
    """A listening socket on `address` (host, port) that other processes may bind too.

    TCP_NODELAY (inherited by every accepted connection): eventlet's wsgi writes an answer in 16 KiB
    pieces, and without it the piece after the first waited for the client's delayed ACK, about
    50 ms on every answer over 16 KiB (a page of 100 customer goals)."""
    if not hasattr(socket, "SO_REUSEPORT"):  # pragma: no cover - every Linux has it
        sock = eventlet.listen(address, backlog=backlog)
    else:
        sock = eventlet.listen(address, backlog=backlog, reuse_port=True)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def request_id_from(given):
    """The client's `X-Request-Id` when it is a plain token of at most 64 characters, else a new one
    (it goes into our logs and headers)."""
    return given if given and REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def path_of(request_line):
    """The path of a raw (possibly truncated) request line, for choosing the family; "/" if none."""
    words = request_line.decode("latin-1").split()
    if len(words) < 2:
        return "/"
    target = words[1] if words[1].startswith("/") else urllib.parse.urlsplit(words[1]).path  # absolute form
    return target.split("?", 1)[0] or "/"


class EnvelopeProtocol(HttpOnlyProtocol):
    """eventlet's HTTP/1.1 protocol whose own refusals are answered in the family's envelope."""

    def _read_request_line(self):
        line = super()._read_request_line()
        if len(line) >= self.server.url_length_limit:
            self.refuse(RequestLineTooLong(), line)
            return b""  # eventlet closes the connection
        return line

    def parse_request(self):
        try:
            parsed = super().parse_request()
        except (HeaderLineTooLong, HeadersTooLarge):
            self.refuse(HeaderFieldsTooLarge())
            return False
        if parsed and not self.body_framing_is_valid():
            self.refuse(RequestRefused("Content-Length must be a whole number, and not sent with Transfer-Encoding"))
            return False
        return parsed

    def body_framing_is_valid(self):
        """eventlet's own checks, made here so that it never answers them itself."""
        length = self.headers.get("Content-Length")
        if length is None:
            return True
        return length.strip().isdigit() and self.headers.get("Transfer-Encoding") is None

    def send_error(self, code, message=None, explain=None):
        """http.server's refusals (malformed request line or header, unsupported HTTP version)."""
        self.refuse(RequestRefused(message[:200] if message else None, status=code))

    def refuse(self, error, request_line=None):
        request_id = uuid.uuid4().hex
        path = path_of(request_line if request_line is not None else self.raw_requestline or b"")
        body = error_body_bytes(family_for_path(path), error, request_id)
        head = ("HTTP/1.1 {} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nX-Request-Id: {}\r\n"
                "Connection: close\r\n\r\n").format(error.status, HTTPStatus(error.status).phrase, len(body), request_id)
        self.close_connection = True
        try:
            self.wfile.write(head.encode("latin-1") + body)
            self.wfile.flush()
        except OSError:  # the client is gone
            pass
        log.info("request_id=%s refused %s: %s", request_id, error.status, error.info)


class AnyRequestApp:
    """The WSGI application: every request to the server's one entrypoint."""

    def __init__(self, server):
        self.server = server

    def __call__(self, environ, start_response):
        request = Request(environ, shallow=True)
        request.path_values = {}
        entrypoint = next(iter(self.server.entrypoints()), None)
        if entrypoint is None:  # stopping
            response = failure_response(request, ContainerBeingKilled())
        else:
            response = entrypoint.handle_request(request)
        return response(environ, start_response)


class ReusePortWebServer(WebServer):
    def start(self):
        if not self._starting:
            self._starting = True
            self._sock = listen(self.bind_addr)
            self._sock.settimeout(None)  # as nameko's: works around kombu issue 838
            self._serv = self.get_wsgi_server(self._sock, self.get_wsgi_app(), protocol=EnvelopeProtocol)
            self._gt = self.container.spawn_managed_thread(self.run)

    def get_wsgi_app(self):
        return AnyRequestApp(self)

    def entrypoints(self):
        return list(self._providers)


def failure_response(request, exc):
    """The answer when no worker could handle the request: the gateway is stopping (503), or a bug."""
    request_id = request_id_from(request.headers.get("X-Request-Id"))
    if isinstance(exc, ContainerBeingKilled):
        error = ServiceUnavailable("The gateway is restarting; try again")
    else:
        error = as_service_error(exc, request_id)
    return error_response(family_for_path(request.path), error, request_id, headers={"X-Request-Id": request_id})


class HttpEntrypoint(HttpRequestHandler):
    """The gateway's one HTTP entrypoint (`@http`): every method on every path."""

    server = ReusePortWebServer()

    def __init__(self, **kwargs):
        super().__init__("*", "/<path:path>", **kwargs)

    def handle_request(self, request):
        request.shallow = False
        try:
            answered = Event()
            self.container.spawn_worker(self, (request,), {}, context_data={},
                                        handle_result=partial(self.handle_result, answered))
            return self.response_from_result(answered.wait())  # a Response as it is
        except Exception as exc:  # the container is stopping, or the worker failed outside the dispatch
            return failure_response(request, exc)


http = HttpEntrypoint.decorator
