"""API1:2023 Broken object level authorization: a member reaches only their own objects."""

from tests.helpers import PASSWORD, assert_problem, bearer


def test_a_member_cannot_edit_another_members_data(client, login):
    me, other = login(), login()
    before = client.get(f"/api/v1/members/{other['member_id']}",
                        headers=bearer(other["access_token"])).json
    url = f"/api/v1/members/{other['member_id']}"
    mine = bearer(me["access_token"])
    assert_problem(client.patch(url, json={"status": "suspended"}, headers=mine), 403)
    assert_problem(client.delete(url, headers=mine), 403)
    # The other member is untouched and can still log in and work.
    after = client.get(url, headers=bearer(other["access_token"]))
    assert after.status_code == 200
    assert after.json == before
    assert client.post("/api/v1/auth/login", json={"email": other["email"],
                                                   "password": PASSWORD}).status_code == 200


def test_a_member_cannot_end_another_members_login(client, login):
    me, other = login(), login()
    theirs = client.get("/api/v1/auth/sessions", headers=bearer(other["access_token"]))
    session_id = theirs.json["items"][0]["id"]
    assert_problem(client.delete(f"/api/v1/auth/sessions/{session_id}",
                                 headers=bearer(me["access_token"])), 404)
    assert client.get("/api/v1/auth/me", headers=bearer(other["access_token"])).status_code == 200


def test_a_member_sees_only_their_own_logins(client, login):
    me, other = login(), login()
    mine = client.get("/api/v1/auth/sessions", headers=bearer(me["access_token"])).json
    theirs = client.get("/api/v1/auth/sessions", headers=bearer(other["access_token"])).json
    assert {s["id"] for s in mine["items"]}.isdisjoint({s["id"] for s in theirs["items"]})


def test_another_members_email_is_not_shown(client, login):
    me, other = login(), login()
    response = client.get(f"/api/v1/members/{other['member_id']}",
                          headers=bearer(me["access_token"]))
    assert response.status_code == 200
    assert other["email"] not in response.get_data(as_text=True)
    listing = client.get("/api/v1/members?per_page=100", headers=bearer(me["access_token"]))
    assert other["email"] not in listing.get_data(as_text=True)
