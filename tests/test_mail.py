"""The mail module: .eml files, real SMTP (a local aiosmtpd server), a server that is down
(retried, same Message-ID), one that refuses (failed, visible to admins, retried on request)."""

import logging
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller

from api.models.base import utcnow
from api.worker import drain
from tests.faults import free_port
from tests.helpers import assert_problem, link_token, mails_to, outbox, text_body


class Inbox:
    """An aiosmtpd handler keeping what it receives (refusing every recipient with `refuse`)."""

    def __init__(self, refuse=False):
        self.messages = []
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


def start_smtp(port=None, refuse=False):
    inbox = Inbox(refuse)
    controller = Controller(inbox, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    return controller, inbox


@pytest.fixture
def smtp_server():
    controller, inbox = start_smtp()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def admin_headers(auth_headers):
    return auth_headers("admin")


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
    drain(app)
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
    drain(app)
    message = message_from_bytes(inbox.messages[0].content, policy=policy.default)
    token = link_token(message, "reset-password")
    reset = client.post("/api/v1/auth/password/reset",
                        json={"token": token, "new_password": "a brand new passphrase"})
    assert reset.status_code == 204


def test_a_mail_server_that_is_down_delays_the_mail_and_it_is_retried(
        make_app, make_member, mail_log, admin_headers):
    port = free_port()
    app = make_app(MAIL_URL=f"smtp://127.0.0.1:{port}", MAIL_TIMEOUT="2")
    client = app.test_client()
    member = make_member()
    assert forgot(client, member.email).status_code == 202
    assert drain(app) == 1
    [record] = mail_log
    assert record.levelname == "WARNING"
    assert member.email in record.getMessage() and "attempt 1" in record.getMessage()
    state = client.get("/api/v1/admin/outbox", headers=admin_headers).json
    assert (state["pending"], state["due"], state["failed"]) == (1, 0, 0)
    # Nothing is retried before its time; then the server is back and the retry delivers.
    assert drain(app) == 0
    controller, inbox = start_smtp(port)
    try:
        assert drain(app, now=utcnow() + timedelta(minutes=2)) == 1
        [envelope] = inbox.messages
        assert envelope.rcpt_tos == [member.email]
    finally:
        controller.stop()
    assert client.get("/api/v1/admin/outbox", headers=admin_headers).json["pending"] == 0


def test_a_refused_recipient_fails_at_once_and_admins_can_retry_it(
        make_app, make_member, mail_log, admin_headers):
    controller, inbox = start_smtp(refuse=True)
    try:
        app = make_app(MAIL_URL=f"smtp://{controller.hostname}:{controller.port}")
        client = app.test_client()
        member = make_member()
        forgot(client, member.email)
        assert drain(app) == 1
        assert mail_log[0].levelname == "ERROR" and "550" in mail_log[0].getMessage()
        failed = client.get("/api/v1/admin/outbox/items?status=failed",
                            headers=admin_headers).json["items"]
        [item] = failed
        assert item["kind"] == "email" and item["attempts"] == 1
        assert item["summary"] == f"mail to {member.email}: Reset your password"
        assert "550" in item["last_error"] and "token" not in str(item)
        inbox.refuse = False
        retried = client.post(f"/api/v1/admin/outbox/items/{item['id']}/retry",
                              headers=admin_headers)
        assert retried.status_code == 202 and retried.json["status"] == "pending"
        assert drain(app) == 1
        assert [envelope.rcpt_tos for envelope in inbox.messages] == [[member.email]]
        assert_problem(client.post(f"/api/v1/admin/outbox/items/{item['id']}/retry",
                                   headers=admin_headers), 404, "not_found")
    finally:
        controller.stop()


def test_a_queued_mail_survives_the_process_that_queued_it(make_app, make_member):
    """The queue is a table: an app that queued a mail and never delivered it loses nothing;
    another one (a worker process) delivers it."""
    sender, worker = make_app(), make_app()
    member = make_member()
    forgot(sender.test_client(), member.email)
    assert [mail["To"] for mail in outbox(worker)] == [member.email]


def test_starttls_is_required_when_configured(make_app, make_member, smtp_server, mail_log):
    controller, inbox = smtp_server
    app = make_app(MAIL_URL=f"smtp://{controller.hostname}:{controller.port}",
                   MAIL_STARTTLS="true")
    client = app.test_client()
    assert forgot(client, make_member().email).status_code == 202
    drain(app)
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
