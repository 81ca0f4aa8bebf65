"""The probes Kubernetes runs in a service's container (deploy/k8s): exit 0 when healthy, 1 when not,
with one line saying why.

    python -m infra.probe live <service> [--max-age 30]
    python -m infra.probe ready <service> [--max-age 10] [--timeout 3]

live:  this process's event loop runs: its heartbeat file (infra.heartbeat) is younger than --max-age.
       Nothing else: an outage of the broker or of the database must not restart every pod.
ready: the heartbeat is fresh and says this process consumes its queues, and the service answers
       `ping` through the broker within --timeout. With several replicas any one of them may answer
       the ping (competing consumers): the heartbeat speaks for this pod, the ping for the path from
       this pod through the broker with its credentials.

Neither can hang or leave anything behind: a hard alarm ends the process --timeout + 2 s after it
starts whatever it is doing (the kernel then closes its sockets), the RPC connection is closed on the
way out, and its reply queue is exclusive and auto-deleted with the connection. `live` imports
neither eventlet nor nameko, so it is cheap enough to run every few seconds.
"""
import argparse
import math
import signal
import sys

from infra import heartbeat, settings

HARD_LIMIT_MARGIN_SECONDS = 2


def live(service, max_age):
    """(healthy, why)."""
    state, age = heartbeat.read(service)
    if state is None:
        return False, "{}: no heartbeat yet ({})".format(service, heartbeat.path(service))
    if age > max_age:
        return False, "{}: last heartbeat {:.1f} s ago (over {:g} s): the event loop is stuck".format(service, age, max_age)
    return True, "{}: alive, last heartbeat {:.1f} s ago".format(service, age)


def ready(service, max_age, timeout):
    healthy, why = live(service, max_age)
    if not healthy:
        return healthy, why
    state, _ = heartbeat.read(service)
    if state != heartbeat.CONSUMING:
        return False, "{}: {}, not consuming its queues yet".format(service, state)
    return ping(service, timeout)


def ping(service, timeout):
    """The service's `ping` through the broker, connection and call within `timeout` seconds."""
    import eventlet  # only here: `live` stays light
    eventlet.monkey_patch()
    from infra.errors import ServiceTimeout
    from infra.rpc import RpcClient

    client = RpcClient(settings.get().amqp_uri, name="probe-{}".format(service), connect_timeout=timeout)
    try:
        with eventlet.Timeout(timeout, ServiceTimeout("no answer within {:g} s".format(timeout))):
            client.start()
            answer = client.call(service, "ping", timeout=timeout)
    except Exception as exc:  # unreachable broker, unknown service, timeout: not ready, and why
        return False, "{}: ping failed: {}: {}".format(service, type(exc).__name__, exc)
    finally:
        client.stop()
    if answer != "ok":
        return False, "{}: ping answered {!r}".format(service, answer)
    return True, "{}: ready".format(service)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m infra.probe", description=__doc__.split("\n\n")[0])
    parser.add_argument("kind", choices=("live", "ready"))
    parser.add_argument("service", choices=settings.SERVICES)
    parser.add_argument("--max-age", type=float, default=None, metavar="SECONDS",
                        help="oldest acceptable heartbeat (live: 30, ready: 10)")
    parser.add_argument("--timeout", type=float, default=3.0, metavar="SECONDS", help="ready: the ping's deadline")
    options = parser.parse_args(argv)
    signal.alarm(int(math.ceil(options.timeout)) + HARD_LIMIT_MARGIN_SECONDS)  # default action: the process ends
    if options.kind == "live":
        healthy, why = live(options.service, 30.0 if options.max_age is None else options.max_age)
    else:
        healthy, why = ready(options.service, 10.0 if options.max_age is None else options.max_age, options.timeout)
    print(why, flush=True)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
