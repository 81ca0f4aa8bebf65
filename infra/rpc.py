"""RPC with a deadline: nameko's proxies wait for a reply forever, so every call goes through here."""
import eventlet

from infra import config
from infra.errors import ServiceTimeout, ServiceUnavailable


def rpc_timeout():
    return config.float_setting("RPC_TIMEOUT_SECONDS", 10)


def call(proxy, method, *args, timeout=None, **kwargs):
    """Calls `proxy.method(*args, **kwargs)`; ServiceTimeout if no reply within `timeout` seconds."""
    seconds = timeout if timeout is not None else rpc_timeout()
    service = getattr(proxy, "service_name", "service")
    try:
        with eventlet.Timeout(seconds):
            return getattr(proxy, method)(*args, **kwargs)
    except eventlet.Timeout:
        raise ServiceTimeout("{} did not answer {} within {:.0f}s".format(service, method, seconds))
    except (ConnectionError, OSError) as exc:
        raise ServiceUnavailable("{} is unreachable: {}".format(service, exc))
