"""A channel in publisher-confirm mode whose confirms are pipelined (infra.outbox's relay publishes a
window of events back to back and waits for all their acks together), and the outcomes it reports."""

import socket
import time
from typing import Any


class Nacked(Exception):
    """The broker refused (basic.nack) some of a batch's events: those rows stay pending."""


class ConfirmTimeout(Exception):
    """The broker did not confirm every event of a window in time: the unconfirmed rows stay pending."""


class ConfirmingChannel:
    """One channel in publisher-confirm mode, with the bookkeeping to pipeline confirms: publishes are
    numbered as the broker numbers them (delivery tags 1, 2, ... from `confirm.select`), acks and nacks
    (`multiple` too) settle their tags, and a `basic.return` names its message by `message_id` (the
    event id), since a return carries no delivery tag. RabbitMQ sends a return before the ack of the
    same message, so once every tag of a window is settled its returns are known."""

    def __init__(self, connection: Any, exchange: Any) -> None:
        self.connection = connection
        self.channel = connection.channel()
        exchange(self.channel).declare()
        self.channel.events["basic_ack"].add(self._on_ack)
        self.channel.events["basic_nack"].add(self._on_nack)
        self.channel.events["basic_return"].add(self._on_return)
        self.channel.confirm_select()
        self.exchange_name = exchange.name
        self.next_tag = 1
        self.unconfirmed: dict[int, str] = {}  # delivery tag -> event id, in tag order
        self.acked: set[str] = set()  # event ids, each settled one way
        self.nacked: set[str] = set()
        self.returned: set[str] = set()

    def publish(self, event_id: str, event_type: str, payload: str) -> None:
        message = self.channel.prepare_message(
            payload.encode("utf-8"),  # already JSON text
            priority=0,
            content_type="application/json",
            content_encoding="utf-8",
            headers={},
            properties={"delivery_mode": 2, "message_id": event_id},
        )
        # basic_publish may read frames first (acks of earlier publishes are settled there too)
        self.channel.basic_publish(message, exchange=self.exchange_name, routing_key=event_type, mandatory=True)
        self.unconfirmed[self.next_tag] = event_id
        self.next_tag += 1

    def wait_for_confirms(self, timeout: float) -> None:
        """Reads the broker's frames until every publish so far is acked or nacked; ConfirmTimeout
        after `timeout` seconds (the unsettled ones stay in `unconfirmed`)."""
        deadline = time.monotonic() + timeout
        while self.unconfirmed:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ConfirmTimeout("{} event(s) unconfirmed after {:g}s".format(len(self.unconfirmed), timeout))
            try:
                self.connection.drain_events(timeout=remaining)
            except socket.timeout:
                pass

    def _settle(self, delivery_tag: int, multiple: bool, into: set[str]) -> None:
        if multiple:
            tags = [tag for tag in self.unconfirmed if tag <= delivery_tag]
        else:
            tags = [delivery_tag] if delivery_tag in self.unconfirmed else []
        for tag in tags:
            into.add(self.unconfirmed.pop(tag))

    def _on_ack(self, delivery_tag: int, multiple: bool) -> None:
        self._settle(delivery_tag, multiple, self.acked)

    def _on_nack(self, delivery_tag: int, multiple: bool) -> None:
        self._settle(delivery_tag, multiple, self.nacked)

    def _on_return(self, exception: Exception, exchange: str, routing_key: str, message: Any) -> None:
        self.returned.add(message.properties.get("message_id"))

    def take_outcomes(self) -> tuple[set[str], set[str], set[str]]:
        """(acked, nacked, returned) event ids settled since the last call; clears them."""
        outcomes = self.acked, self.nacked, self.returned
        self.acked, self.nacked, self.returned = set(), set(), set()
        return outcomes
