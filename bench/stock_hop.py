"""The stock hop: the reference the request-path targets are ratios against.

A bare nameko @http handler making one nameko RPC (stock `RpcProxy`, default configuration: only
AMQP_URI and WEB_SERVER_ADDRESS set) to a service that returns a constant. Two `nameko run`
processes, as our gateway and a service are:

    with stock_hop(amqp_uri) as base_url:   # GET {base_url}/hop
        ...
"""
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from nameko.rpc import RpcProxy, rpc
from nameko.web.handlers import http

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVICE_NAME = "stock_hop_service"


class StockHopService:
    name = SERVICE_NAME

    @rpc
    def constant(self):
        return {"answer": 42}


class StockHopGateway:
    name = "stock_hop_gateway"

    service = RpcProxy(SERVICE_NAME)

    @http("GET", "/hop")
    def hop(self, request):
        return json.dumps(self.service.constant())


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def stock_hop(amqp_uri, log_dir=None, timeout=60):
    """Starts the stock service and the stock gateway (default nameko config); yields the base URL."""
    port = _free_port()
    log_dir = log_dir or os.path.join(ROOT, "var", "bench-logs")
    os.makedirs(log_dir, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as handle:
        handle.write("AMQP_URI: '{}'\nWEB_SERVER_ADDRESS: '127.0.0.1:{}'\n".format(amqp_uri, port))
        config_path = handle.name
    env = dict(os.environ, PYTHONPATH=ROOT)
    processes = []
    try:
        for cls in ("StockHopService", "StockHopGateway"):
            log = open(os.path.join(log_dir, "stock_hop_{}.log".format(cls)), "ab")
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "nameko", "run", "--config", config_path, "bench.stock_hop:" + cls],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
            log.close()
        base_url = "http://127.0.0.1:{}".format(port)
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(base_url + "/hop", timeout=5) as response:
                    if json.load(response) == {"answer": 42}:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                raise RuntimeError("stock hop did not start; see {}/stock_hop_*.log".format(log_dir))
            time.sleep(0.2)
        yield base_url
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        os.unlink(config_path)
