"""A Flask-Mailman backend that writes each message as an ``.eml`` file to ``MAIL_DIR``: the
development mailbox of ``make run`` (listed at ``/dev/mail``)."""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import current_app
from flask_mailman.backends.base import BaseEmailBackend

from wijklab import clock


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        folder = Path(current_app.config["MAIL_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            stamp = clock.utcnow().strftime("%Y%m%dT%H%M%S%f")
            path = folder / f"{stamp}-{secrets.token_hex(4)}.eml"
            path.write_bytes(message.message().as_bytes(linesep="\r\n"))
            sent += 1
        return sent
