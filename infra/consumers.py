"""Reliable event consumption.

`reliable_event_handler` is nameko's SERVICE_POOL event handler on a quorum queue: a handler that
raises puts the message back (nameko would otherwise ack and lose it), the queue's
`x-delivery-limit` caps the redeliveries, and then the message is dead-lettered to
`<queue>.dead-letter`, where it can be inspected and replayed (`python -m infra.deadletters`).
"""
import logging

from kombu import Connection, Exchange, Queue
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.events import EventHandler

from infra import config

log = logging.getLogger(__name__)

DEAD_LETTER_EXCHANGE = Exchange("crm.dead-letter", type="direct", durable=True)


def dead_letter_queue_name(queue_name):
    return "{}.dead-letter".format(queue_name)


class ReliableEventHandler(EventHandler):
    def __init__(self, source_service, event_type, delivery_limit=None, **kwargs):
        kwargs["requeue_on_error"] = True
        super().__init__(source_service, event_type, **kwargs)
        self.delivery_limit = delivery_limit

    def setup(self):
        super().setup()  # builds self.queue; the QueueConsumer reads it only when it starts
        limit = self.delivery_limit or config.int_setting("EVENT_DELIVERY_LIMIT", 5)
        name = self.queue.name
        self.queue = Queue(
            name,
            exchange=self.queue.exchange,
            routing_key=self.event_type,
            durable=True,
            queue_arguments={
                "x-queue-type": "quorum",
                "x-delivery-limit": limit,
                "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE.name,
                "x-dead-letter-routing-key": name,
            },
        )
        self._declare_queues(name)

    def _declare_queues(self, name):
        # Declared at setup so that events relayed before the first delivery are kept, and the
        # dead-letter queue exists before anything can be dead-lettered into it.
        dead_letters = Queue(dead_letter_queue_name(name), exchange=DEAD_LETTER_EXCHANGE, routing_key=name,
                             durable=True, queue_arguments={"x-queue-type": "quorum"})
        with Connection(self.container.config[AMQP_URI_CONFIG_KEY], connect_timeout=10) as connection:
            channel = connection.channel()
            self.queue(channel).declare()
            dead_letters(channel).declare()


reliable_event_handler = ReliableEventHandler.decorator


def is_newer(stored_version, incoming_version):
    """Order tolerance: apply an event only if its version is newer than the one we hold."""
    return stored_version is None or incoming_version > stored_version
