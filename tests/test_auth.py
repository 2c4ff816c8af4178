"""Login, token refresh with rotation and reuse detection, logout, and the own profile."""

from datetime import timedelta

import jwt as pyjwt
import pytest
from argon2 import PasswordHasher, extract_parameters
from flask_jwt_extended import create_access_token

from api import security
from tests.helpers import PASSWORD, assert_login_ended, assert_problem, bearer


@pytest.fixture
def verifications(monkeypatch):
    """The argon2 parameters of each password verification that runs (the real one)."""
    seen = []
    verify = PasswordHasher.verify

    def counted(self, password_hash, password):
        seen.append(extract_parameters(password_hash))
        return verify(self, password_hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counted)
    return seen


def login_as(client, email, password=PASSWORD):
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


class TestLogin:
    def test_answers_a_bearer_token_pair(self, client, make_member):
        member = make_member()
        response = login_as(client, member.email)
        assert response.status_code == 200
        assert set(response.json) == {"access_token", "refresh_token", "token_type",
                                      "expires_in"}
        assert response.json["token_type"] == "Bearer"
        assert response.json["expires_in"] == 900
        me = client.get("/api/v1/auth/me", headers=bearer(response.json["access_token"]))
        assert me.json["email"] == member.email

    def test_email_is_case_insensitive(self, client, make_member):
        make_member(email="wu.wensheng@example.org")
        assert login_as(client, "Wu.Wensheng@Example.org").status_code == 200

    def test_unknown_email_and_wrong_password_answer_alike(self, client, make_member):
        member = make_member()
        wrong = login_as(client, member.email, "wrong password!")
        unknown = login_as(client, "nobody@example.org")
        assert_problem(wrong, 401, "invalid_credentials")
        assert_problem(unknown, 401, "invalid_credentials")
        assert wrong.json == unknown.json

    @pytest.mark.parametrize(("status", "code"), [("pending", "account_pending"),
                                                  ("suspended", "account_suspended")])
    def test_right_password_on_inactive_account_is_403(self, client, make_member, status,
                                                       code):
        member = make_member(status=status)
        assert_problem(login_as(client, member.email), 403, code)

    def test_wrong_password_on_inactive_account_is_still_401(self, client, make_member):
        member = make_member(status="pending")
        assert_problem(login_as(client, member.email, "wrong password!"), 401,
                       "invalid_credentials")

    def test_every_failed_login_verifies_one_hash_of_the_same_cost(self, client, make_member,
                                                                   auth_headers, verifications):
        member = make_member()
        admin = auth_headers("admin")
        invited = client.post("/api/v1/members", headers=admin, json={
            "email": "invited@example.org", "full_name": "Invited", "role": "member"})
        assert invited.status_code == 201  # active, with no password until the link is used
        deleted = make_member()
        assert client.delete(f"/api/v1/members/{deleted.id}", headers=admin).status_code == 204
        failures = [("nobody@example.org", PASSWORD, 401), (member.email, "wrong password!", 401),
                    ("invited@example.org", PASSWORD, 401), (deleted.email, PASSWORD, 401),
                    (make_member(status="pending").email, "wrong password!", 401),
                    (make_member(status="pending").email, PASSWORD, 403),
                    (make_member(status="suspended").email, PASSWORD, 403)]
        verifications.clear()
        assert login_as(client, member.email).status_code == 200
        cost = verifications.pop()
        for email, password, status in failures:
            assert login_as(client, email, password).status_code == status
            assert verifications == [cost], email
            verifications.clear()

    def test_the_stand_in_hashes_cost_what_real_ones_do(self):
        for profile, hasher in security._HASHERS.items():
            assert not hasher.check_needs_rehash(security._NOBODYS_HASHES[profile]), profile

    def test_records_last_login(self, client, make_member):
        member = make_member()
        tokens = login_as(client, member.email).json
        me = client.get("/api/v1/auth/me", headers=bearer(tokens["access_token"])).json
        assert me["last_login_at"].endswith("Z")

    @pytest.mark.parametrize("body", [{}, {"email": "a@example.org"},
                                      {"email": "not-an-email", "password": "x"},
                                      {"email": "a@example.org", "password": "x", "role": 1}])
    def test_malformed_body_is_422(self, client, body):
        assert_problem(client.post("/api/v1/auth/login", json=body), 422, "validation_error")


class TestTokens:
    def test_missing_token_is_401_token_missing(self, client):
        assert_problem(client.get("/api/v1/auth/me"), 401, "token_missing")

    @pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer a.b.c", "Basic abc"])
    def test_malformed_token_is_401_not_422(self, client, header):
        response = client.get("/api/v1/auth/me", headers={"Authorization": header})
        assert response.status_code == 401
        assert response.mimetype == "application/problem+json"

    def test_token_signed_with_another_key_is_401(self, client, login):
        claims = pyjwt.decode(login()["access_token"], options={"verify_signature": False})
        forged = pyjwt.encode(claims, "another key that is long enough 0123456789",
                              algorithm="HS256")
        assert_problem(client.get("/api/v1/auth/me", headers=bearer(forged)), 401,
                       "token_invalid")

    def test_alg_none_token_is_401(self, client, login):
        claims = pyjwt.decode(login()["access_token"], options={"verify_signature": False})
        forged = pyjwt.encode(claims, None, algorithm="none")
        assert_problem(client.get("/api/v1/auth/me", headers=bearer(forged)), 401,
                       "token_invalid")

    def test_expired_token_is_401_token_expired(self, app, client, login):
        tokens = login()
        claims = pyjwt.decode(tokens["access_token"], options={"verify_signature": False})
        with app.app_context():
            expired = create_access_token(claims["sub"], additional_claims={"sid": claims["sid"]},
                                          expires_delta=timedelta(seconds=-1))
        assert_problem(client.get("/api/v1/auth/me", headers=bearer(expired)), 401,
                       "token_expired")

    def test_refresh_token_is_not_an_access_token(self, client, login):
        tokens = login()
        response = client.get("/api/v1/auth/me", headers=bearer(tokens["refresh_token"]))
        assert_problem(response, 401, "token_invalid")

    def test_access_token_is_not_a_refresh_token(self, client, login):
        tokens = login()
        response = client.post("/api/v1/auth/refresh", headers=bearer(tokens["access_token"]))
        assert_problem(response, 401, "token_invalid")

    def test_token_of_a_suspended_member_stops_working(self, app, client, login, db):
        from api.models import Member, MemberStatus

        tokens = login()
        member = db.session.get(Member, __import__("uuid").UUID(tokens["member_id"]))
        member.status = MemberStatus.SUSPENDED
        db.session.commit()
        assert_problem(client.get("/api/v1/auth/me", headers=bearer(tokens["access_token"])),
                       401, "token_revoked")


class TestRefresh:
    def test_rotates_the_pair_and_keeps_the_login(self, client, login):
        tokens = login()
        response = client.post("/api/v1/auth/refresh", headers=bearer(tokens["refresh_token"]))
        assert response.status_code == 200
        fresh = response.json
        assert fresh["refresh_token"] != tokens["refresh_token"]
        assert client.get("/api/v1/auth/me", headers=bearer(fresh["access_token"])).status_code \
            == 200
        again = client.post("/api/v1/auth/refresh", headers=bearer(fresh["refresh_token"]))
        assert again.status_code == 200

    def test_reusing_a_spent_refresh_token_ends_the_whole_login(self, make_app, login):
        app = make_app(REFRESH_REUSE_GRACE_SECONDS=0)
        client = app.test_client()
        member_login = login()
        first = client.post("/api/v1/auth/refresh",
                            headers=bearer(member_login["refresh_token"])).json
        reuse = client.post("/api/v1/auth/refresh", headers=bearer(member_login["refresh_token"]))
        assert_problem(reuse, 401, "token_revoked")
        # The thief's reuse also ends the rightful holder's newer tokens.
        assert_problem(client.post("/api/v1/auth/refresh",
                                   headers=bearer(first["refresh_token"])), 401, "token_revoked")
        assert_problem(client.get("/api/v1/auth/me", headers=bearer(first["access_token"])),
                       401, "token_revoked")

    def test_a_quick_retry_with_the_previous_token_gets_the_current_pair(self, client, login):
        tokens = login()
        first = client.post("/api/v1/auth/refresh", headers=bearer(tokens["refresh_token"]))
        retry = client.post("/api/v1/auth/refresh", headers=bearer(tokens["refresh_token"]))
        assert retry.status_code == 200
        # Both answers carry a working refresh token for the same, still active login.
        assert client.post("/api/v1/auth/refresh",
                           headers=bearer(retry.json["refresh_token"])).status_code == 200
        assert first.status_code == 200


class TestLogout:
    def test_ends_access_and_refresh_token_at_once(self, client, login):
        tokens = login()
        assert client.get("/api/v1/auth/me",
                          headers=bearer(tokens["access_token"])).status_code == 200
        response = client.post("/api/v1/auth/logout", headers=bearer(tokens["access_token"]))
        assert response.status_code == 204
        assert_login_ended(client, tokens)

    def test_other_logins_of_the_member_keep_working(self, client, make_member):
        member = make_member()
        first = login_as(client, member.email).json
        second = login_as(client, member.email).json
        client.post("/api/v1/auth/logout", headers=bearer(first["access_token"]))
        assert client.get("/api/v1/auth/me",
                          headers=bearer(second["access_token"])).status_code == 200

    def test_revocation_is_seen_by_another_app_process(self, make_app, login):
        """Two apps share the database (and Redis when configured), as processes do."""
        first, second = make_app().test_client(), make_app().test_client()
        tokens = login()
        assert second.get("/api/v1/auth/me",
                          headers=bearer(tokens["access_token"])).status_code == 200
        first.post("/api/v1/auth/logout", headers=bearer(tokens["access_token"]))
        assert_problem(second.get("/api/v1/auth/me", headers=bearer(tokens["access_token"])),
                       401, "token_revoked")

    def test_revocation_survives_a_restart_and_a_dead_redis(self, make_app, login):
        tokens = login()
        make_app().test_client().post("/api/v1/auth/logout",
                                      headers=bearer(tokens["access_token"]))
        restarted = make_app(REDIS_URL="redis://127.0.0.1:1/0").test_client()
        assert_problem(restarted.get("/api/v1/auth/me",
                                     headers=bearer(tokens["access_token"])), 401,
                       "token_revoked")


class TestMe:
    def test_shows_the_contract_fields(self, client, login):
        tokens = login(full_name="Wang Mingyang", organization="GEI")
        body = client.get("/api/v1/auth/me", headers=bearer(tokens["access_token"])).json
        assert set(body) == {"id", "email", "full_name", "title", "organization", "country",
                             "park", "bio", "photo_url", "role", "status", "language",
                             "created_at", "last_login_at", "email_verified_at"}
        assert (body["full_name"], body["organization"], body["role"], body["status"]) == (
            "Wang Mingyang", "GEI", "member", "active")
        assert "password" not in str(body)

    def test_private_responses_are_not_cached(self, client, login):
        tokens = login()
        response = client.get("/api/v1/auth/me", headers=bearer(tokens["access_token"]))
        assert "no-store" in response.headers["Cache-Control"]

    def test_patch_edits_own_profile(self, client, login, auth_headers):
        park = client.post("/api/v1/parks", json={"name": "Taguspark", "country": "PT"},
                           headers=auth_headers("editor")).json
        headers = bearer(login()["access_token"])
        response = client.patch("/api/v1/auth/me", headers=headers, json={
            "full_name": "Bi Kong", "title": "Vice President", "organization": "Geek+",
            "country": "cn", "park_id": park["id"], "bio": "Robotics.",
            "photo_url": "https://cdn.example.org/bi.jpg", "language": "zh"})
        assert response.status_code == 200
        assert response.json["park"] == {"id": park["id"], "slug": "taguspark",
                                         "name": "Taguspark", "country": "PT"}
        assert (response.json["country"], response.json["language"]) == ("CN", "zh")
        assert client.get("/api/v1/auth/me", headers=headers).json == response.json

    @pytest.mark.parametrize("body", [{"role": "admin"}, {"status": "active"},
                                      {"email": "x@example.org"}, {"password": "abcdefghijk"},
                                      {"country": "XX"}, {"photo_url": "javascript:x"},
                                      {"language": "not a language"}, {"full_name": ""},
                                      {"language": "en-" + "-".join(["abcdefgh"] * 5)},
                                      {"organization": "GEI\x13"}, {"full_name": "\x00"},
                                      {"park_id": "not-a-uuid"}])
    def test_patch_rejects_other_fields_and_bad_values(self, client, login, body):
        headers = bearer(login()["access_token"])
        before = client.get("/api/v1/auth/me", headers=headers).json
        problem = assert_problem(client.patch("/api/v1/auth/me", json=body, headers=headers),
                                 422, "validation_error")
        assert set(problem["errors"]["json"]) == set(body)
        assert client.get("/api/v1/auth/me", headers=headers).json == before

    def test_patch_with_unknown_park_is_422(self, client, login):
        headers = bearer(login()["access_token"])
        problem = assert_problem(client.patch(
            "/api/v1/auth/me", json={"park_id": "00000000-0000-4000-8000-000000000000"},
            headers=headers), 422, "validation_error")
        assert "park_id" in problem["errors"]["json"]
