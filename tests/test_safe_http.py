"""No SSRF through webhooks: refused addresses at creation and at each delivery, redirects
not followed, answers read only in part. Uses real sockets on the loopback interface."""

from datetime import timedelta

import pytest

from api.models.base import utcnow
from api.safe_http import is_public
from api.worker import drain
from tests.helpers import assert_problem
from tests.receiver import Receiver

HOOKS = "/api/v1/webhooks"


@pytest.mark.parametrize("address, public", [
    ("93.184.215.14", True), ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True),
    ("127.0.0.1", False), ("127.8.9.10", False), ("10.0.0.1", False), ("172.16.0.1", False),
    ("192.168.1.1", False), ("169.254.169.254", False), ("100.64.0.1", False),
    ("0.0.0.0", False),  # noqa: S104 (an address to refuse, not one to bind) ("224.0.0.1", False), ("239.255.255.250", False),
    ("240.0.0.1", False), ("255.255.255.255", False), ("::1", False), ("::", False),
    ("fe80::1", False), ("fe80::1%eth0", False), ("fc00::1", False), ("ff02::1", False),
    ("::ffff:127.0.0.1", False), ("::ffff:10.0.0.1", False), ("::ffff:93.184.215.14", True),
    ("2002:7f00:1::", False), ("2002:a00:1::", False), ("64:ff9b::7f00:1", False),
    ("64:ff9b::a9fe:a9fe", False),
])
def test_public_addresses(address, public):
    assert is_public(address) is public


@pytest.fixture
def admin(auth_headers):
    return auth_headers("admin")


@pytest.mark.parametrize("url", [
    "https://127.0.0.1/hook", "https://10.0.0.1/hook", "https://[::1]/hook",
    "https://169.254.169.254/latest/meta-data/", "https://localhost/hook",
    "https://[::ffff:127.0.0.1]/hook", "https://2130706433/hook", "https://0x7f.1/hook",
    "https://[fe80::1]/hook", "http://93.184.215.14/hook", "https://user:pw@93.184.215.14/",
])
def test_endpoints_at_private_addresses_are_refused(client, admin, url):
    """WEBHOOK_ALLOWED_HOSTS and WEBHOOK_ALLOW_HTTP unset, as in production."""
    response = client.post(HOOKS, json={"url": url, "events": ["park.created"]},
                           headers=admin)
    body = assert_problem(response, 422, "validation_error")
    assert "url" in body["errors"]["json"]
    assert client.get(HOOKS, headers=admin).json["items"] == []


def test_the_address_is_checked_again_at_each_delivery(make_app, admin, auth_headers):
    """An endpoint allowed when it was made, delivered by a worker that does not allow it."""
    receiver = Receiver()
    try:
        maker = make_app(WEBHOOK_ALLOW_HTTP="true", WEBHOOK_ALLOWED_HOSTS="127.0.0.1")
        worker = make_app(WEBHOOK_ALLOW_HTTP="true")
        client = maker.test_client()
        hook = client.post(HOOKS, json={"url": receiver.url, "events": ["park.created"]},
                           headers=admin).json
        client.post("/api/v1/parks", json={"name": "Taguspark", "country": "PT"},
                    headers=auth_headers("editor"))
        assert drain(worker) == 1
        assert receiver.calls == []
        [attempt] = client.get(f"{HOOKS}/{hook['id']}/deliveries", headers=admin).json["items"]
        assert attempt["http_status"] is None and attempt["next_retry_at"] is not None
        assert attempt["error"] == ("Refused: 127.0.0.1 resolves to 127.0.0.1, which is not a "
                                    "public address.")
    finally:
        receiver.close()


def test_redirects_are_not_followed(make_app, admin):
    """A 'public' endpoint (127.0.0.2, allowed here) redirecting to loopback (127.0.0.1, not
    allowed): the call ends at the redirect, which counts as a failure."""
    target = Receiver()
    redirector = Receiver(host="127.0.0.2", statuses=[302], location=target.url)
    try:
        app = make_app(WEBHOOK_ALLOW_HTTP="true", WEBHOOK_ALLOWED_HOSTS="127.0.0.2")
        client = app.test_client()
        hook = client.post(HOOKS, json={"url": redirector.url, "events": ["park.created"]},
                           headers=admin).json
        client.post(f"{HOOKS}/{hook['id']}/test", headers=admin)
        drain(app)
        assert len(redirector.calls) == 1 and target.calls == []
        [attempt] = client.get(f"{HOOKS}/{hook['id']}/deliveries", headers=admin).json["items"]
        assert (attempt["http_status"], attempt["succeeded"]) == (302, False)
        assert "redirects are not followed" in attempt["error"]
        assert_problem(client.post(HOOKS, json={"url": target.url, "events": ["park.created"]},
                                   headers=admin), 422, "validation_error")
    finally:
        redirector.close()
        target.close()


def test_only_a_few_kb_of_the_answer_are_read_and_an_excerpt_kept(make_app, admin):
    receiver = Receiver(answer=b"<html>" + b"x" * 1_000_000)
    try:
        app = make_app(WEBHOOK_ALLOW_HTTP="true", WEBHOOK_ALLOWED_HOSTS="localhost")
        client = app.test_client()
        url = receiver.url.replace("127.0.0.1", "localhost")
        hook = client.post(HOOKS, json={"url": url, "events": ["park.created"]},
                           headers=admin).json
        client.post(f"{HOOKS}/{hook['id']}/test", headers=admin)
        drain(app, now=utcnow() + timedelta(seconds=1))
        [(headers, _body)] = receiver.calls
        assert headers["Host"] == url.split("/")[2]  # the name, though the address was dialled
        [attempt] = client.get(f"{HOOKS}/{hook['id']}/deliveries", headers=admin).json["items"]
        assert attempt["succeeded"] is True
        assert attempt["response_excerpt"] == "<html>" + "x" * 194
    finally:
        receiver.close()
