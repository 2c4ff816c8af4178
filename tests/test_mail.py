"""The mail module: .eml files, real SMTP (a local aiosmtpd server), and a server that is down."""

import logging
import socket

import pytest
from aiosmtpd.controller import Controller

from api.models.base import utcnow
from tests.helpers import link_token, mails_to, outbox, text_body


class Inbox:
    """An aiosmtpd handler keeping what it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def mail_log():
    """Records of the `api.mail` logger (it does not propagate to the root logger)."""
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("api.mail")
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


def forgot(client, email):
    return client.post("/api/v1/auth/password/forgot", json={"email": email})


def test_file_outbox_holds_a_multipart_message(app, client, make_member):
    member = make_member(full_name="Wu Wensheng", email_verified_at=utcnow())
    forgot(client, member.email)
    [mail] = outbox(app)
    assert mail["To"] == member.email
    assert mail["From"] == "CISIP <no-reply@cisip.example>"
    assert mail.get_content_type() == "multipart/alternative"
    assert "Dear Wu Wensheng" in text_body(mail)
    assert "<p>Dear Wu Wensheng,</p>" in mail.get_body(("html",)).get_content()


def test_smtp_delivers_to_a_real_server(make_app, make_member, smtp_server):
    controller, inbox = smtp_server
    app = make_app(MAIL_URL=f"smtp://{controller.hostname}:{controller.port}")
    client = app.test_client()
    member = make_member()
    assert forgot(client, member.email).status_code == 202
    app.extensions["mail"].wait()
    [envelope] = inbox.messages
    assert envelope.rcpt_tos == [member.email]
    assert b"https://cisip.example/reset-password?token=" in envelope.content
    assert b"Content-Type: text/html" in envelope.content


def test_smtp_token_from_the_email_works(make_app, make_member, smtp_server):
    from email import message_from_bytes, policy

    controller, inbox = smtp_server
    app = make_app(MAIL_URL=f"smtp://{controller.hostname}:{controller.port}")
    client = app.test_client()
    member = make_member()
    forgot(client, member.email)
    app.extensions["mail"].wait()
    message = message_from_bytes(inbox.messages[0].content, policy=policy.default)
    token = link_token(message, "reset-password")
    reset = client.post("/api/v1/auth/password/reset",
                        json={"token": token, "new_password": "a brand new passphrase"})
    assert reset.status_code == 204


def test_a_mail_server_that_is_down_neither_blocks_nor_breaks_the_request(
        make_app, make_member, mail_log):
    app = make_app(MAIL_URL=f"smtp://127.0.0.1:{free_port()}", MAIL_TIMEOUT="2")
    client = app.test_client()
    member = make_member()
    response = forgot(client, member.email)
    assert response.status_code == 202
    app.extensions["mail"].wait()
    [record] = mail_log
    assert record.levelname == "ERROR"
    assert member.email in record.getMessage()


def test_starttls_is_required_when_configured(make_app, make_member, smtp_server, mail_log):
    controller, inbox = smtp_server
    app = make_app(MAIL_URL=f"smtp://{controller.hostname}:{controller.port}",
                   MAIL_STARTTLS="true")
    client = app.test_client()
    assert forgot(client, make_member().email).status_code == 202
    app.extensions["mail"].wait()
    # This server offers no STARTTLS: nothing goes out in the clear.
    assert inbox.messages == []
    assert "STARTTLS" in mail_log[0].getMessage()


def test_mail_url_with_an_unknown_scheme_is_refused(make_app):
    with pytest.raises(ValueError, match="MAIL_URL"):
        make_app(MAIL_URL="ftp://mail.example.org")


def test_links_point_at_the_frontend(make_app, make_member):
    app = make_app(FRONTEND_URL="https://www.cisip.example/")
    client = app.test_client()
    member = make_member()
    forgot(client, member.email)
    assert "https://www.cisip.example/reset-password?token=" in text_body(
        mails_to(app, member.email)[0])
