"""Email: one module, two transports chosen by MAIL_URL.

`file://DIR` writes each message as an `.eml` file (development, tests); `smtp://user:pass@host:port`
sends for real (STARTTLS with MAIL_STARTTLS=true; `smtps://` for implicit TLS). Messages are
delivered by a small background executor, so a slow or unreachable mail server never delays
or breaks the request that sent them; a failed delivery is logged.
"""

import logging
import smtplib
import ssl
import time
import uuid
from concurrent.futures import ThreadPoolExecutor, wait
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app

logger = logging.getLogger(__name__)


class Mailer:
    """Delivers messages in the background through the transport of `url`."""

    def __init__(self, url, sender, *, starttls=False, timeout=10.0):
        self.url = urlsplit(url)
        if self.url.scheme not in {"file", "smtp", "smtps"}:
            raise ValueError(f"MAIL_URL must be file://, smtp:// or smtps://, not {url!r}")
        self.sender = sender
        self.starttls = starttls
        self.timeout = timeout
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mail")
        self._pending = set()

    def send(self, to, subject, text, html):
        """Queue a message with a plain-text and an HTML body; answers at once."""
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message["Date"] = formatdate(localtime=False, usegmt=True)
        message["Message-ID"] = make_msgid(domain="cisip.example")
        message.set_content(text)
        message.add_alternative(html, subtype="html")
        future = self._executor.submit(self._deliver, message)
        self._pending.add(future)
        future.add_done_callback(self._pending.discard)

    def _deliver(self, message):
        try:
            if self.url.scheme == "file":
                self._write(message)
            else:
                self._smtp(message)
        except Exception as error:
            logger.error("mail to %s not sent: %s: %s", message["To"], type(error).__name__,
                         error)

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

    def wait(self, timeout=10):
        """Block until every queued message was delivered or failed (tests, shutdown)."""
        wait(list(self._pending), timeout=timeout)

    def close(self):
        self._executor.shutdown(wait=True)


def init_mail(app):
    app.extensions["mail"] = Mailer(app.config["MAIL_URL"], app.config["MAIL_FROM"],
                                    starttls=app.config["MAIL_STARTTLS"],
                                    timeout=app.config["MAIL_TIMEOUT"])


def send_mail(to, subject, text, html):
    current_app.extensions["mail"].send(to, subject, text, html)
