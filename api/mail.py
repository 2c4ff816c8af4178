"""Email: queued in the outbox with the change that sends it, delivered by the worker through
one of two transports chosen by MAIL_URL.

`file://DIR` writes each message as an `.eml` file (development, tests); `smtp://user:pass@host:port`
sends for real (STARTTLS with MAIL_STARTTLS=true; `smtps://` for implicit TLS). A slow or
unreachable mail server never delays or breaks the request that sent a message: the worker
retries it with growing delays (about a day), and every retry carries the same Message-ID.
"""

import logging
import smtplib
import ssl
import time
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app

from api.models.base import utcnow
from api.outbox import Kind, Result, Retries, describe_error, enqueue

logger = logging.getLogger(__name__)


class Mailer:
    """Sends a message through the transport of `url`."""

    def __init__(self, url, sender, *, starttls=False, timeout=10.0):
        self.url = urlsplit(url)
        if self.url.scheme not in {"file", "smtp", "smtps"}:
            raise ValueError(f"MAIL_URL must be file://, smtp:// or smtps://, not {url!r}")
        self.sender = sender
        self.starttls = starttls
        self.timeout = timeout

    def deliver(self, fields):
        """Send the message `send_mail` queued; raises when it could not be handed over."""
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = (self.sender, fields["to"],
                                                              fields["subject"])
        message["Date"] = fields["date"]
        message["Message-ID"] = fields["message_id"]
        message.set_content(fields["text"])
        message.add_alternative(fields["html"], subtype="html")
        if self.url.scheme == "file":
            self._write(message)
        else:
            self._smtp(message)

    def _write(self, message):
        folder = Path(unquote(self.url.netloc + self.url.path))
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"  # sorts by sending time
        # Written aside, then renamed: a reader never sees half a message.
        partial = folder / f".{name}.part"
        partial.write_bytes(message.as_bytes())
        partial.rename(folder / name)

    def _smtp(self, message):
        host, port = self.url.hostname, self.url.port
        client: smtplib.SMTP
        if self.url.scheme == "smtps":
            client = smtplib.SMTP_SSL(host, port or 465, timeout=self.timeout,
                                      context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(host, port or 25, timeout=self.timeout)
        with client:
            if self.starttls:
                client.starttls(context=ssl.create_default_context())
            if self.url.username:
                client.login(unquote(self.url.username), unquote(self.url.password or ""))
            client.send_message(message)


def init_mail(app):
    app.extensions["mail"] = Mailer(app.config["MAIL_URL"], app.config["MAIL_FROM"],
                                    starttls=app.config["MAIL_STARTTLS"],
                                    timeout=app.config["MAIL_TIMEOUT"])


def send_mail(to, subject, text, html):
    """Queue a message with a plain-text and an HTML body, in the caller's transaction."""
    enqueue("email", {"to": to, "subject": subject, "text": text, "html": html,
                      "date": formatdate(utcnow().timestamp(), usegmt=True),
                      "message_id": make_msgid(domain="cisip.example")},
            f"mail to {to}: {subject}")


class EmailKind(Kind):
    """Outbox items of kind `email`: a refusal by the server (5xx) is final, anything else
    (a server down, a timeout, a 4xx) is retried for about a day."""

    name = "email"
    # 30 s, 1 min, 2 min, … doubling up to 1 h: 30 attempts span about a day.
    retries = Retries(attempts=30, first=30, longest=3600)
    logger = logger

    def send(self, item, _prepared):
        try:
            current_app.extensions["mail"].deliver(item.payload)
        except smtplib.SMTPRecipientsRefused as error:
            return Result(False, describe_error(error), permanent=True)
        except smtplib.SMTPResponseException as error:
            return Result(False, describe_error(error), permanent=error.smtp_code >= 500)
        except (OSError, smtplib.SMTPException) as error:
            return Result(False, describe_error(error))
        return Result(True)

