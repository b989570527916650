"""Delivery channels beyond the inbox: pluggable senders.

HERE NOTHING IS REALLY SENT. The embedded default registers a `LoggingSender` for SMS and WeChat:
it writes the message to the application log and the delivery row says "logged, not sent". A
deployment plugs in real gateways (an HTTP SMS gateway, the WeChat template-message API) by
registering a sender with the same `send(phone, title, body) -> str` signature under the
channel's name (`register("sms", MyGateway(url, key))`), e.g. in its app factory.
"""
from __future__ import annotations

import logging
from typing import Protocol

log = logging.getLogger(__name__)


class Sender(Protocol):
    def send(self, address: str, title: str, body: str) -> str:
        """Hand the message over; return a note for the outbox row. Raise on failure."""


class LoggingSender:
    """Writes the message to the log only (no gateway is configured in the embedded default)."""

    def __init__(self, channel: str):
        self.channel = channel
        self.sent: list[tuple[str, str, str]] = []

    def send(self, address: str, title: str, body: str) -> str:
        log.info("[%s → %s] %s: %s", self.channel, address, title, body)
        self.sent.append((address, title, body))
        return "logged, not sent (no gateway configured)"


_SENDERS: dict[str, Sender] = {"sms": LoggingSender("sms"), "wechat": LoggingSender("wechat")}


def register(channel: str, sender: Sender) -> None:
    _SENDERS[channel] = sender


def sender_for(channel: str) -> Sender:
    return _SENDERS[channel]
