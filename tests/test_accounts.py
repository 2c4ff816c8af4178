"""Registration, email verification and the password flows, end to end over HTTP and email."""

import time
from datetime import timedelta

import pytest

from api.models.base import utcnow
from tests.helpers import (
    PASSWORD,
    assert_login_ended,
    assert_problem,
    bearer,
    link_token,
    mails_to,
    outbox,
    text_body,
)

NEW_PASSWORD = "a much newer passphrase"
APPLICATION = {"email": "wang.mingyang@example.org", "password": PASSWORD,
               "full_name": "Wang Mingyang", "organization": "GEI", "country": "cn"}


def register(client, **fields):
    return client.post("/api/v1/auth/register", json=APPLICATION | fields)


def log_in(client, email, password=PASSWORD):
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


def verify(client, mail):
    token = link_token(mail, "verify-email")
    assert client.post("/api/v1/auth/verify-email", json={"token": token}).status_code == 204


def forgot(client, email):
    return client.post("/api/v1/auth/password/forgot", json={"email": email})


def reset(client, token, password=NEW_PASSWORD):
    return client.post("/api/v1/auth/password/reset",
                       json={"token": token, "new_password": password})


class TestRegister:
    def test_creates_a_pending_application_and_emails_a_verification_link(self, app, client):
        response = register(client)
        assert response.status_code == 202
        assert "detail" in response.json
        [mail] = mails_to(app, "wang.mingyang@example.org")
        assert mail["Subject"] == "Confirm your email address"
        token = link_token(mail, "verify-email")
        assert f'href="https://cisip.example/verify-email?token={token}"' in mail.get_body(
            ("html",)).get_content()
        assert_problem(log_in(client, APPLICATION["email"]), 403, "account_pending")

    def test_verification_token_works_once(self, app, client, auth_headers):
        register(client)
        token = link_token(mails_to(app, APPLICATION["email"])[0], "verify-email")
        verify = client.post("/api/v1/auth/verify-email", json={"token": token})
        assert verify.status_code == 204
        again = client.post("/api/v1/auth/verify-email", json={"token": token})
        assert_problem(again, 400, "invalid_token")
        admin = auth_headers("admin")
        found = client.get("/api/v1/members", query_string={"status": "pending"},
                           headers=admin).json["items"]
        assert [m["email_verified_at"] is not None for m in found] == [True]

    def test_admin_approval_lets_the_member_log_in(self, app, client, auth_headers):
        register(client)
        verify(client, mails_to(app, APPLICATION["email"])[0])
        admin = auth_headers("admin")
        [pending] = client.get("/api/v1/members", query_string={"status": "pending"},
                               headers=admin).json["items"]
        approved = client.patch(f"/api/v1/members/{pending['id']}", json={"status": "active"},
                                headers=admin)
        assert approved.json["status"] == "active"
        assert log_in(client, APPLICATION["email"]).status_code == 200
        approval = mails_to(app, APPLICATION["email"])[-1]
        assert approval["Subject"] == "Your CISIP membership is approved"
        assert text_body(approval).startswith("Dear Wang Mingyang,")

    def test_an_unverified_email_cannot_be_activated_by_any_route(self, app, client,
                                                                 auth_headers):
        register(client)
        admin = auth_headers("admin")
        [pending] = client.get("/api/v1/members", query_string={"status": "pending"},
                               headers=admin).json["items"]
        url = f"/api/v1/members/{pending['id']}"
        refused = client.patch(url, json={"status": "active"}, headers=admin)
        assert "verified" in assert_problem(refused, 409, "email_unverified")["detail"]
        # Nor through a suspension first.
        assert client.patch(url, json={"status": "suspended"}, headers=admin).status_code == 200
        assert_problem(client.patch(url, json={"status": "active", "role": "editor"},
                                    headers=admin), 409, "email_unverified")
        member = client.get(url, headers=admin).json
        assert (member["status"], member["role"]) == ("suspended", "member")
        assert_problem(log_in(client, APPLICATION["email"]), 403, "account_suspended")
        assert [m["Subject"] for m in mails_to(app, APPLICATION["email"])] == [
            "Confirm your email address"]

        verify(client, mails_to(app, APPLICATION["email"])[0])
        assert client.patch(url, json={"status": "active"}, headers=admin).status_code == 200
        assert log_in(client, APPLICATION["email"]).status_code == 200

    def test_an_invitation_link_proves_the_address(self, app, client, auth_headers):
        admin = auth_headers("admin")
        invited = client.post("/api/v1/members", headers=admin, json={
            "email": "invited@example.org", "full_name": "Invited", "role": "member"}).json
        url = f"/api/v1/members/{invited['id']}"
        assert invited["email_verified_at"] is None
        assert client.patch(url, json={"status": "suspended"}, headers=admin).status_code == 200
        assert_problem(client.patch(url, json={"status": "active"}, headers=admin), 409,
                       "email_unverified")
        [invitation] = mails_to(app, "invited@example.org")
        assert reset(client, link_token(invitation, "reset-password")).status_code == 204
        assert client.patch(url, json={"status": "active"}, headers=admin).status_code == 200

    def test_mail_to_an_unproven_address_carries_no_text_the_applicant_wrote(
            self, app, client, auth_headers):
        spoof = "Claim your prize at https://evil.example"
        register(client, full_name=spoof)
        register(client, full_name=spoof, password="another long passphrase")  # a new link
        admin = auth_headers("admin")
        [pending] = client.get("/api/v1/members", query_string={"status": "pending"},
                               headers=admin).json["items"]
        client.patch(f"/api/v1/members/{pending['id']}", json={"status": "suspended"},
                     headers=admin)
        register(client, full_name=spoof)  # "someone tried to register with your email"
        client.post("/api/v1/members", headers=admin, json={
            "email": "invited@example.org", "full_name": spoof, "role": "member"})
        sent = mails_to(app, APPLICATION["email"]) + mails_to(app, "invited@example.org")
        assert [m["Subject"] for m in sent] == [
            "Confirm your email address", "Confirm your email address",
            "Someone tried to register with your email", "You are invited to CISIP"]
        for mail in sent:
            for part in (text_body(mail), mail.get_body(("html",)).get_content(),
                         mail["Subject"]):
                assert "prize" not in part and "evil" not in part
            assert text_body(mail).startswith("Hello,")

    def test_an_existing_email_gets_the_same_answer_and_its_owner_an_email(
            self, app, client, make_member):
        make_member(email="wu.wensheng@example.org", full_name="Wu Wensheng")
        known = register(client, email="Wu.Wensheng@example.org")
        unknown = register(client, email="someone.new@example.org")
        assert (known.status_code, known.json) == (unknown.status_code, unknown.json)
        [mail] = mails_to(app, "wu.wensheng@example.org")
        assert mail["Subject"] == "Someone tried to register with your email"
        assert "token=" not in mail.get_body(("plain",)).get_content()
        # The existing account is unchanged: its password still works.
        assert log_in(client, "wu.wensheng@example.org").status_code == 200

    @pytest.mark.parametrize(("field", "value"), [
        ("password", "short1"), ("password", "password1234"), ("email", "not-an-email"),
        ("full_name", ""), ("country", "XX"), ("role", "admin"), ("status", "active"),
    ])
    def test_bad_application_is_422_and_creates_nothing(self, app, client, field, value):
        response = register(client, **{field: value})
        body = assert_problem(response, 422, "validation_error")
        assert field in body["errors"]["json"]
        assert outbox(app) == []
        assert_problem(log_in(client, APPLICATION["email"]), 401, "invalid_credentials")

    def test_an_unverified_applicant_registering_again_gets_a_new_link(self, app, client):
        register(client)
        again = register(client, password="another long passphrase")
        assert again.status_code == 202
        first, second = mails_to(app, APPLICATION["email"])
        assert second["Subject"] == "Confirm your email address"
        old, new = link_token(first, "verify-email"), link_token(second, "verify-email")
        assert_problem(client.post("/api/v1/auth/verify-email", json={"token": old}), 400,
                       "invalid_token")
        assert client.post("/api/v1/auth/verify-email", json={"token": new}).status_code == 204

    def test_unknown_park_is_422_for_known_and_unknown_emails(self, app, client, make_member):
        make_member(email="wu.wensheng@example.org")
        for email in ("wu.wensheng@example.org", APPLICATION["email"]):
            response = register(client, email=email,
                                park_id="00000000-0000-0000-0000-000000000000")
            assert_problem(response, 422, "validation_error")
        assert outbox(app) == []

    def test_unknown_park_is_422(self, app, client):
        response = register(client, park_id="00000000-0000-0000-0000-000000000000")
        assert_problem(response, 422, "validation_error")
        assert outbox(app) == []

    @pytest.mark.parametrize("token", ["", "x" * 43, "not even close"])
    def test_bad_verification_token(self, client, token):
        response = client.post("/api/v1/auth/verify-email", json={"token": token})
        assert response.status_code in (400, 422)
        assert response.mimetype == "application/problem+json"


class TestForgotAndReset:
    def test_same_answer_for_known_and_unknown_emails(self, app, client, make_member):
        member = make_member()
        known = forgot(client, member.email)
        unknown = forgot(client, "nobody@example.org")
        assert known.status_code == unknown.status_code == 202
        assert known.json == unknown.json
        assert [m["To"] for m in outbox(app)] == [member.email]

    def test_known_and_unknown_emails_take_the_same_minimum_time(self, make_app, make_member):
        app = make_app(FORGOT_MIN_SECONDS="0.15")
        client = app.test_client()
        member = make_member()
        for email in (member.email, "nobody@example.org"):
            started = time.monotonic()
            assert forgot(client, email).status_code == 202
            assert time.monotonic() - started >= 0.15

    def test_reset_link_works_once_and_ends_every_session(self, app, client, login):
        tokens = login()
        forgot(client, tokens["email"])
        [mail] = mails_to(app, tokens["email"])
        assert mail["Subject"] == "Reset your password"
        token = link_token(mail, "reset-password")
        assert len(token) >= 43  # 256 bits, URL-safe base64
        assert reset(client, token).status_code == 204
        assert_problem(reset(client, token, "yet another passphrase"), 400, "invalid_token")
        assert_login_ended(client, tokens)
        assert_problem(log_in(client, tokens["email"]), 401, "invalid_credentials")
        assert log_in(client, tokens["email"], NEW_PASSWORD).status_code == 200

    def test_a_newer_link_kills_the_older_one(self, app, client, make_member):
        member = make_member()
        forgot(client, member.email)
        forgot(client, member.email)
        first, second = (link_token(m, "reset-password") for m in mails_to(app, member.email))
        assert_problem(reset(client, first), 400, "invalid_token")
        assert reset(client, second).status_code == 204

    def test_a_password_change_kills_the_link(self, app, client, login):
        tokens = login()
        forgot(client, tokens["email"])
        token = link_token(mails_to(app, tokens["email"])[0], "reset-password")
        change = client.post("/api/v1/auth/password/change", headers=bearer(
            tokens["access_token"]), json={"current_password": PASSWORD,
                                           "new_password": NEW_PASSWORD})
        assert change.status_code == 204
        assert_problem(reset(client, token, "yet another passphrase"), 400, "invalid_token")

    def test_the_link_expires(self, make_app, make_member):
        app = make_app(RESET_TOKEN_SECONDS=60)
        client = app.test_client()
        member = make_member()
        forgot(client, member.email)
        token = link_token(mails_to(app, member.email)[0], "reset-password")
        from api.extensions import db
        from api.models import AccountToken

        with app.app_context():
            for row in db.session.query(AccountToken).all():
                row.expires_at = utcnow() - timedelta(seconds=1)
            db.session.commit()
        assert_problem(reset(client, token), 400, "invalid_token")

    def test_lifetime_is_capped_at_an_hour(self, make_app):
        app = make_app(RESET_TOKEN_SECONDS=86400)
        assert app.config["RESET_TOKEN_SECONDS"] == 3600

    def test_weak_new_password_is_422_and_keeps_the_token(self, app, client, make_member):
        member = make_member()
        forgot(client, member.email)
        token = link_token(mails_to(app, member.email)[0], "reset-password")
        body = assert_problem(reset(client, token, "qwertyuiop"), 422, "validation_error")
        assert "new_password" in body["errors"]["json"]
        assert reset(client, token).status_code == 204

    def test_suspended_and_pending_members_get_no_link(self, app, client, make_member):
        for status in ("pending", "suspended"):
            member = make_member(status=status)
            assert forgot(client, member.email).status_code == 202
        assert outbox(app) == []

    @pytest.mark.parametrize("token", ["made-up-token", "a" * 43])
    def test_unknown_token_is_400(self, client, token):
        assert_problem(reset(client, token), 400, "invalid_token")


class TestChangePassword:
    def test_needs_the_current_password_and_ends_other_sessions(self, client, login):
        tokens = login()
        other = log_in(client, tokens["email"]).json
        wrong = client.post("/api/v1/auth/password/change", headers=bearer(
            tokens["access_token"]), json={"current_password": "not my password",
                                           "new_password": NEW_PASSWORD})
        assert_problem(wrong, 400, "invalid_password")
        assert log_in(client, tokens["email"]).status_code == 200
        right = client.post("/api/v1/auth/password/change", headers=bearer(
            tokens["access_token"]), json={"current_password": PASSWORD,
                                           "new_password": NEW_PASSWORD})
        assert right.status_code == 204
        assert client.get("/api/v1/auth/me",
                          headers=bearer(tokens["access_token"])).status_code == 200
        assert_problem(client.get("/api/v1/auth/me", headers=bearer(other["access_token"])),
                       401, "token_revoked")
        assert log_in(client, tokens["email"], NEW_PASSWORD).status_code == 200

    def test_common_new_password_is_422(self, client, login):
        tokens = login()
        response = client.post("/api/v1/auth/password/change", headers=bearer(
            tokens["access_token"]), json={"current_password": PASSWORD,
                                           "new_password": "1234567890"})
        assert_problem(response, 422, "validation_error")
        assert log_in(client, tokens["email"]).status_code == 200

    def test_needs_a_login(self, client):
        response = client.post("/api/v1/auth/password/change",
                               json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
        assert_problem(response, 401, "token_missing")
