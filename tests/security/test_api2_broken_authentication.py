"""API2:2023 Broken authentication: tampered, forged, expired and misused tokens."""

import base64
import json
import time

import jwt

from config import DEV_JWT_SECRET_KEY
from tests.helpers import assert_problem, bearer


def b64(data):
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def claims(token):
    return jwt.decode(token, options={"verify_signature": False})


def test_alg_none_is_refused(client, login):
    payload = claims(login("admin")["access_token"])
    for alg in ("none", "None", "NONE"):
        forged = f"{b64({'alg': alg, 'typ': 'JWT'})}.{b64(payload)}."
        assert_problem(client.get("/api/v1/admin/audit", headers=bearer(forged)), 401,
                       "token_invalid")


def test_a_token_signed_with_another_key_is_refused(client, login):
    payload = claims(login()["access_token"])
    for key in ("wrong-key-0123456789-0123456789-012", DEV_JWT_SECRET_KEY[::-1]):
        forged = jwt.encode(payload | {"role": "admin"}, key, algorithm="HS256")
        assert_problem(client.get("/api/v1/auth/me", headers=bearer(forged)), 401,
                       "token_invalid")


def test_a_tampered_payload_is_refused(client, login, make_member):
    tokens = login()
    header, _payload, signature = tokens["access_token"].split(".")
    admin = make_member(role="admin")
    payload = claims(tokens["access_token"]) | {"sub": str(admin.id)}
    forged = f"{header}.{b64(payload)}.{signature}"
    assert_problem(client.get("/api/v1/auth/me", headers=bearer(forged)), 401, "token_invalid")


def test_an_expired_token_is_refused(app, client, login):
    """The real token of a live login, re-signed with the app's own key but expired."""
    tokens = login()
    for kind in ("access_token", "refresh_token"):
        payload = claims(tokens[kind]) | {"exp": int(time.time()) - 5}
        expired = jwt.encode(payload, app.config["JWT_SECRET_KEY"], algorithm="HS256")
        url = "/api/v1/auth/me" if kind == "access_token" else "/api/v1/auth/refresh"
        method = client.get if kind == "access_token" else client.post
        assert_problem(method(url, headers=bearer(expired)), 401, "token_expired")
    # The genuine pair still works: the failures changed nothing.
    assert client.get("/api/v1/auth/me", headers=bearer(tokens["access_token"])).status_code == 200


def test_a_refresh_token_is_not_an_access_token_and_back(client, login):
    tokens = login()
    assert_problem(client.get("/api/v1/auth/me", headers=bearer(tokens["refresh_token"])), 401,
                   "token_invalid")
    assert_problem(client.post("/api/v1/auth/refresh", headers=bearer(tokens["access_token"])),
                   401, "token_invalid")


def test_the_token_of_a_deleted_member_is_refused(client, login):
    tokens = login()
    headers = bearer(tokens["access_token"])
    assert client.delete(f"/api/v1/members/{tokens['member_id']}", headers=headers
                         ).status_code == 204
    assert_problem(client.get("/api/v1/auth/me", headers=headers), 401)
    assert_problem(client.post("/api/v1/auth/refresh", headers=bearer(tokens["refresh_token"])),
                   401)


def test_the_token_of_a_suspended_member_is_refused(client, login):
    admin, member = login("admin"), login()
    assert client.patch(f"/api/v1/members/{member['member_id']}", json={"status": "suspended"},
                        headers=bearer(admin["access_token"])).status_code == 200
    assert_problem(client.get("/api/v1/auth/me", headers=bearer(member["access_token"])), 401)


def test_malformed_authorization_headers_are_401(client):
    for value in ("Bearer", "Bearer ", "Basic YWxhZGRpbjpvcGVuc2VzYW1l", "Bearer a.b",
                  "Bearer " + "a" * 10000, "Bearer \u00e9.\u00e9.\u00e9"):
        response = client.get("/api/v1/auth/me", headers={"Authorization": value})
        assert response.status_code == 401, (value[:20], response.get_data(as_text=True))
        assert response.mimetype == "application/problem+json"
