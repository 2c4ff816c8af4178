"""The audit trail of security events, read by admins at GET /admin/audit."""

import pytest

from tests.helpers import PASSWORD, assert_problem


def audit(client, headers, **query):
    return client.get("/api/v1/admin/audit", headers=headers, query_string=query)


def test_records_logins_resets_and_admin_changes(client, login, make_member):
    admin = login("admin")
    headers = {"Authorization": f"Bearer {admin['access_token']}"}
    member = make_member()
    client.post("/api/v1/auth/login", json={"email": member.email, "password": "wrong one!"})
    client.post("/api/v1/auth/login", json={"email": "nobody@example.org", "password": "x"})
    client.post("/api/v1/auth/password/forgot", json={"email": member.email})
    client.patch(f"/api/v1/members/{member.id}", json={"role": "editor", "status": "suspended"},
                 headers=headers)
    response = audit(client, headers, member=str(member.id))
    assert response.status_code == 200
    events = [(e["event"], e["detail"]) for e in response.json["items"]]
    # The two changes share a transaction, so their order is not fixed.
    assert sorted(events[:2]) == [("role_changed", {"old": "member", "new": "editor"}),
                                  ("status_changed", {"old": "active", "new": "suspended"})]
    assert events[2:] == [("password_reset_requested", {}),
                          ("login_failed", {"reason": "wrong_password"})]
    changed = response.json["items"][0]
    assert changed["actor"]["id"] == admin["member_id"]
    assert changed["member"]["id"] == str(member.id)
    assert changed["ip_address"] == "127.0.0.1"
    unknown = audit(client, headers, event="login_failed").json["items"]
    assert [e["detail"]["reason"] for e in unknown] == ["unknown_email", "wrong_password"]
    assert all(PASSWORD not in str(e) and "wrong one!" not in str(e) for e in unknown)


def test_filters_by_event_and_time(client, login):
    admin = login("admin")
    headers = {"Authorization": f"Bearer {admin['access_token']}"}
    logins = audit(client, headers, event="login_succeeded").json
    assert logins["pagination"]["total"] == 1
    created = logins["items"][0]["created_at"]
    assert audit(client, headers, event="login_succeeded", to=created).json["items"] == []
    assert len(audit(client, headers, **{"from": created}).json["items"]) == 1
    assert audit(client, headers, **{"from": "2999-01-01T00:00:00Z"}).json["items"] == []


@pytest.mark.parametrize("query", [{"event": "coffee"}, {"member": "nobody"},
                                   {"from": "yesterday"}, {"sort": "event"}])
def test_bad_filters_are_422(client, auth_headers, query):
    assert_problem(audit(client, auth_headers("admin"), **query), 422, "validation_error")


@pytest.mark.parametrize("role", ["member", "editor"])
def test_admins_only(client, auth_headers, role):
    assert_problem(audit(client, auth_headers(role)), 403, "forbidden")


def test_records_sessions_ended_by_the_member(client, login, auth_headers):
    member = login()
    headers = {"Authorization": f"Bearer {member['access_token']}"}
    assert client.post("/api/v1/auth/logout-all", headers=headers).status_code == 204
    events = audit(client, auth_headers("admin"), member=member["member_id"],
                   event="sessions_ended").json["items"]
    assert [(e["detail"], e["actor"]["id"]) for e in events] == [
        ({"session_id": "all"}, member["member_id"])]
