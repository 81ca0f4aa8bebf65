"""The benchmark's reference points: stock nameko, nothing of ours (no config.yaml, default
max_workers, no DependencyProviders, no auth, no envelopes).

- `ConstantHttp`: nameko's bare `@http` handler returning a constant (the HTTP floor).
- `StockHopGateway` + `StockConstant`: an `@http` handler doing one RPC to another service that
  returns a constant (the stock gateway -> service hop every API request pays at least once).

bench.run starts each as its own `nameko run` process (on free ports, in the benchmark's vhost,
with a config holding only AMQP_URI and WEB_SERVER_ADDRESS) and measures them with the same load
generator in the same run as the CRM's endpoints, so results are ratios to these.
"""
from nameko.rpc import RpcProxy, rpc
from nameko.web.handlers import http


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
