"""The gateway's HTTP entrypoint: nameko's @http, listening with SO_REUSEPORT.

Several gateway processes (GATEWAY_PROCESSES, infra/processes.py) bind the same address and the
kernel spreads new connections over them, so the gateway uses every core without a balancer in
front. Linux only lets processes of the same user share the port.
"""
import socket

import eventlet
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer

LISTEN_BACKLOG = 1024


def listen(address, backlog=LISTEN_BACKLOG):
    """A listening socket on `address` (host, port) that other processes may bind too."""
    if not hasattr(socket, "SO_REUSEPORT"):  # pragma: no cover - every Linux has it
        return eventlet.listen(address, backlog=backlog)
    return eventlet.listen(address, backlog=backlog, reuse_port=True)


class ReusePortWebServer(WebServer):
    def start(self):
        if not self._starting:
            self._starting = True
            self._sock = listen(self.bind_addr)
            self._sock.settimeout(None)  # as nameko's: works around kombu issue 838
            self._serv = self.get_wsgi_server(self._sock, self.get_wsgi_app())
            self._gt = self.container.spawn_managed_thread(self.run)


class HttpEntrypoint(HttpRequestHandler):
    server = ReusePortWebServer()

    def check_signature(self, args, kwargs):
        """nameko checks every request's arguments against the method with inspect (a visible share
        of the gateway's time); the gateway's entrypoints take (request) or (request, path), which the
        URL rules guarantee, and a mismatch would fail the worker anyway."""


http = HttpEntrypoint.decorator
