"""A bounded queue that keeps `goals.events` routable.

The outbox relay publishes `mandatory` and keeps an unroutable row pending, retrying it before any
later row: with no subscriber bound, the first goal event would hold back every later one, also
from subscribers that bind afterwards. The goals service therefore binds `goals.events.recent`
(classic, durable, the newest 10,000 events, older ones dropped) so its events always route;
subscribers bind their own queues as docs/events.md describes.
"""
from kombu import Connection, Exchange, Queue
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.extensions import DependencyProvider

SINK_QUEUE = "goals.events.recent"
SINK_LENGTH = 10000


class GoalEventsSink(DependencyProvider):
    def setup(self):
        exchange = Exchange("goals.events", type="topic", durable=True)
        queue = Queue(SINK_QUEUE, exchange=exchange, routing_key="#", durable=True,
                      queue_arguments={"x-max-length": SINK_LENGTH, "x-overflow": "drop-head"})
        with Connection(self.container.config[AMQP_URI_CONFIG_KEY], connect_timeout=10) as connection:
            channel = connection.channel()
            exchange(channel).declare()
            queue(channel).declare()
