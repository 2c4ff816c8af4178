"""Rate limits on login, register, forgot and reset: per IP and per email, 429 with Retry-After."""

import pytest

from tests.helpers import PASSWORD, assert_problem, mails_to


def login_as(client, email, password=PASSWORD, ip="10.0.0.1"):
    return client.post("/api/v1/auth/login", json={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": ip})


def assert_rate_limited(response):
    body = assert_problem(response, 429, "rate_limited")
    assert int(response.headers["Retry-After"]) > 0
    return body


@pytest.fixture
def limited(make_app):
    """An app with rate limits on, as low as a test needs."""

    def factory(**limits):
        return make_app(RATELIMIT_ENABLED="true", **limits)

    return factory


class TestLogin:
    def test_failed_logins_per_account_are_limited_across_addresses(self, limited,
                                                                    make_member):
        app = limited(RATELIMIT_LOGIN_ACCOUNT="3/minute")
        client = app.test_client()
        member = make_member()
        for attempt in range(3):
            wrong = login_as(client, member.email, "wrong password!", ip=f"10.0.0.{attempt}")
            assert_problem(wrong, 401, "invalid_credentials")
        assert_rate_limited(login_as(client, member.email, ip="10.9.9.9"))
        # Another account is not affected.
        other = make_member()
        assert login_as(client, other.email, ip="10.9.9.9").status_code == 200

    def test_successful_logins_do_not_count_against_the_account(self, limited, make_member):
        app = limited(RATELIMIT_LOGIN_ACCOUNT="2/minute")
        client = app.test_client()
        member = make_member()
        for attempt in range(4):
            assert login_as(client, member.email, ip=f"10.0.1.{attempt}").status_code == 200

    def test_logins_per_ip_are_limited(self, limited, make_member):
        app = limited(RATELIMIT_LOGIN_IP="2/minute")
        client = app.test_client()
        for _ in range(2):
            login_as(client, "nobody@example.org", "wrong password!")
        body = assert_rate_limited(login_as(client, make_member().email))
        assert "Retry-After" in body["detail"]
        assert login_as(client, "nobody@example.org", ip="10.0.0.2").status_code == 401

    def test_limits_are_off_when_disabled(self, make_app, make_member):
        app = make_app(RATELIMIT_LOGIN_IP="1/minute")
        client = app.test_client()
        member = make_member()
        assert all(login_as(client, member.email).status_code == 200 for _ in range(3))


class TestForgot:
    def test_at_most_a_few_emails_per_account_however_often_it_is_called(self, limited,
                                                                          make_member):
        app = limited(RATELIMIT_FORGOT_ACCOUNT="2/hour")
        client = app.test_client()
        member = make_member()
        answers = [client.post("/api/v1/auth/password/forgot", json={"email": member.email},
                               environ_base={"REMOTE_ADDR": f"10.0.2.{n}"})
                   for n in range(4)]
        assert [a.status_code for a in answers] == [202, 202, 429, 429]
        assert_rate_limited(answers[-1])
        assert len(mails_to(app, member.email)) == 2

    def test_unknown_emails_are_limited_alike(self, limited):
        app = limited(RATELIMIT_FORGOT_ACCOUNT="1/hour")
        client = app.test_client()
        answers = [client.post("/api/v1/auth/password/forgot",
                               json={"email": "nobody@example.org"}) for _ in range(2)]
        assert [a.status_code for a in answers] == [202, 429]


class TestRegisterAndReset:
    def test_register_per_ip(self, limited):
        app = limited(RATELIMIT_REGISTER_IP="1/hour")
        client = app.test_client()
        body = {"email": "a@example.org", "password": PASSWORD, "full_name": "A"}
        assert client.post("/api/v1/auth/register", json=body).status_code == 202
        assert_rate_limited(client.post("/api/v1/auth/register",
                                        json=body | {"email": "b@example.org"}))

    def test_reset_per_ip(self, limited):
        app = limited(RATELIMIT_RESET_IP="2/minute")
        client = app.test_client()
        guess = {"token": "guessed-token", "new_password": "a new passphrase"}
        for _ in range(2):
            assert_problem(client.post("/api/v1/auth/password/reset", json=guess), 400,
                           "invalid_token")
        assert_rate_limited(client.post("/api/v1/auth/password/reset", json=guess))


def test_limits_hold_in_memory_when_redis_is_down(limited, make_member):
    app = limited(REDIS_URL="redis://127.0.0.1:1/0", RATELIMIT_LOGIN_IP="2/minute")
    client = app.test_client()
    member = make_member()
    assert login_as(client, member.email).status_code == 200
    assert login_as(client, member.email).status_code == 200
    assert_rate_limited(login_as(client, member.email))


def test_behind_a_trusted_proxy_the_forwarded_address_counts(limited, make_member):
    app = limited(TRUSTED_PROXIES="1", RATELIMIT_LOGIN_IP="1/minute")
    client = app.test_client()
    member = make_member()

    def via_proxy(client_ip):
        return client.post("/api/v1/auth/login", json={"email": member.email,
                                                       "password": PASSWORD},
                           headers={"X-Forwarded-For": client_ip})

    assert via_proxy("203.0.113.7").status_code == 200
    assert via_proxy("203.0.113.8").status_code == 200
    assert_rate_limited(via_proxy("203.0.113.7"))
