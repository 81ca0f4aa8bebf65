"""A bounded queue that keeps a service's events routable.

The outbox relay publishes `mandatory` and keeps an unroutable row pending, retrying it on a slower
pass: with no subscriber bound, an event would wait there until some subscriber binds, and one
that binds later would get it late. A service whose events must always flow declares
`EventsSink("<service>")`: a classic, durable queue `<service>.events.recent` bound to every event
of `<service>.events`, keeping the newest `length` events (older ones dropped), declared when the
container is set up, before the relay publishes. Subscribers bind their own queues (docs/events.md).
"""

from kombu import Connection, Exchange, Queue
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.extensions import DependencyProvider

SINK_LENGTH = 10000


def sink_queue_name(service: str) -> str:
    return "{}.events.recent".format(service)


class EventsSink(DependencyProvider):
    def __init__(self, service: str, length: int = SINK_LENGTH) -> None:
        self.service, self.length = service, length

    def setup(self) -> None:
        exchange = Exchange("{}.events".format(self.service), type="topic", durable=True)
        queue = Queue(
            sink_queue_name(self.service),
            exchange=exchange,
            routing_key="#",
            durable=True,
            queue_arguments={"x-max-length": self.length, "x-overflow": "drop-head"},
        )
        with Connection(self.container.config[AMQP_URI_CONFIG_KEY], connect_timeout=10) as connection:
            channel = connection.channel()
            exchange(channel).declare()
            queue(channel).declare()
