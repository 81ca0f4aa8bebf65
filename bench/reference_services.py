"""The benchmark's reference points: stock nameko, nothing of ours (no config.yaml, default
max_workers, no DependencyProviders, no auth, no envelopes).

- `ConstantHttp`: nameko's bare `@http` handler returning a constant (the HTTP floor).
- `StockHopGateway` + `StockConstant`: an `@http` handler doing one RPC to another service that
  returns a constant (the stock gateway -> service hop every API request pays at least once).

`ReferenceProcesses` starts each as its own `nameko run` process (on free ports, in the
benchmark's vhost, with a config holding only AMQP_URI and WEB_SERVER_ADDRESS); bench.run measures
them with the same load generator in the same run as the CRM's endpoints, so results are ratios
to these.
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

from nameko.rpc import RpcProxy, rpc
from nameko.web.handlers import http

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class ConstantHttp:
    name = "stock_constant_http"

    @http("GET", "/constant")
    def constant(self, request):
        return "ok"


class StockConstant:
    name = "stock_constant"

    @rpc
    def constant(self):
        return "ok"


class StockHopGateway:
    name = "stock_hop_gateway"

    constant_service = RpcProxy("stock_constant")

    @http("GET", "/hop")
    def hop(self, request):
        return self.constant_service.constant()


# --- running them ---------------------------------------------------------------------------------------
class ReferenceProcesses:
    """bench.reference_services as `nameko run` processes with a stock config (AMQP_URI and, for the
    HTTP ones, WEB_SERVER_ADDRESS; nothing else, so every other setting is nameko's default)."""

    def __init__(self, amqp_uri, log_dir):
        self.amqp_uri, self.log_dir = amqp_uri, log_dir
        self.processes, self.urls = {}, {}
        self.config_dir = tempfile.mkdtemp(prefix="crm-bench-ref-")

    def _start(self, cls, port=None):
        config = os.path.join(self.config_dir, "{}.yaml".format(cls))
        with open(config, "w") as handle:
            handle.write("AMQP_URI: '{}'\n".format(self.amqp_uri))
            if port:
                handle.write("WEB_SERVER_ADDRESS: '127.0.0.1:{}'\n".format(port))
        os.makedirs(self.log_dir, exist_ok=True)
        output = open(os.path.join(self.log_dir, "reference-{}.log".format(cls)), "ab")
        env = dict(os.environ, PYTHONPATH=ROOT)
        self.processes[cls] = subprocess.Popen(
            [sys.executable, "-m", "nameko", "run", "--config", config, "bench.reference_services:{}".format(cls)],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        output.close()

    def start(self, timeout=60):
        from tests.support.environment import free_port  # here, not at import: the references load only nameko
        http_port, hop_port = free_port(), free_port()
        self._start("StockConstant")
        self._start("ConstantHttp", http_port)
        self._start("StockHopGateway", hop_port)
        self.urls = {"constant_http": "http://127.0.0.1:{}".format(http_port),
                     "stock_hop": "http://127.0.0.1:{}".format(hop_port)}
        deadline = time.monotonic() + timeout
        for url, path in ((self.urls["constant_http"], "/constant"), (self.urls["stock_hop"], "/hop")):
            while True:
                for name, process in self.processes.items():
                    if process.poll() is not None:
                        raise RuntimeError("reference service {} exited; see {}".format(name, self.log_dir))
                try:
                    with urllib.request.urlopen(url + path, timeout=5) as response:
                        if response.read() == b"ok":
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("reference services did not answer {} within {}s".format(url + path, timeout))
                time.sleep(0.3)
        return self

    def pids(self):
        return {"ref:" + name: process.pid for name, process in self.processes.items()}

    def stop(self, grace=5):
        """SIGTERM to all, SIGKILL what is left after `grace` seconds (a stock nameko @http process can
        take long to stop gracefully; these hold no state)."""
        for process in self.processes.values():
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + grace
        for process in self.processes.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait()
        shutil.rmtree(self.config_dir, ignore_errors=True)

