"""A real SMTP server in the test process (aiosmtpd on a free loopback port): the app sends
mail to it over SMTP exactly as it would to a school's mail server."""

from __future__ import annotations

import email
import email.policy
import re
import socket
import threading

from aiosmtpd.controller import Controller

LINK = re.compile(r"https?://[^\s<>\"']+")


class Received:
    """One message as the SMTP server received it."""

    def __init__(self, envelope):
        self.sender = envelope.mail_from
        self.recipients = list(envelope.rcpt_tos)
        self.message = email.message_from_bytes(envelope.content, policy=email.policy.default)

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def to(self) -> str:
        return str(self.message["To"])

    @property
    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()

    @property
    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else ""

    def links(self) -> list[str]:
        return list(dict.fromkeys(LINK.findall(self.text)))


class Mailbox:
    """What the server received; ``refuse`` makes it answer 451 (try later) to every message."""

    def __init__(self):
        self.messages: list[Received] = []
        self.refuse = False
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "451 Requested action aborted: try again later"
        with self._lock:
            self.messages.append(Received(envelope))
        return "250 Message accepted for delivery"

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()
        self.refuse = False

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.recipients]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_smtp_server() -> tuple[Controller, Mailbox]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller, mailbox
