"""The member directory, its privacy rules, invitations and administration."""

import uuid

import pytest

from tests.helpers import PASSWORD, assert_problem, bearer, link_token, mails_to, outbox
from tests.security.operations import committed_spec

SORT_FIELDS = [value for value in next(
    p for p in committed_spec()["paths"]["/api/v1/members"]["get"]["parameters"]
    if p["name"] == "sort")["schema"]["enum"] if not value.startswith("-")]


def members(client, headers, **query):
    return client.get("/api/v1/members", headers=headers, query_string=query)


class TestDirectory:
    def test_needs_a_login(self, client):
        assert_problem(client.get("/api/v1/members"), 401, "token_missing")

    def test_members_see_active_members_without_their_emails(self, client, login,
                                                             make_member):
        me = login(full_name="Wu Wensheng")
        other = make_member(full_name="Wang Mingyang", organization="GEI")
        make_member(full_name="Pending Applicant", status="pending")
        response = members(client, bearer(me["access_token"]))
        assert response.status_code == 200
        assert response.headers["Link"]
        by_name = {m["full_name"]: m for m in response.json["items"]}
        assert set(by_name) == {"Wu Wensheng", "Wang Mingyang"}
        assert by_name["Wu Wensheng"]["email"] == me["email"]
        assert "email" not in by_name["Wang Mingyang"]
        assert "last_login_at" not in by_name["Wang Mingyang"]
        single = client.get(f"/api/v1/members/{other.id}", headers=bearer(me["access_token"]))
        assert single.json["organization"] == "GEI" and "email" not in single.json

    def test_admins_see_emails_and_every_status(self, client, auth_headers, make_member):
        pending = make_member(full_name="Pending Applicant", status="pending")
        response = members(client, auth_headers("admin"), status="pending")
        assert [(m["full_name"], m["email"]) for m in response.json["items"]] == [
            ("Pending Applicant", pending.email)]

    @pytest.mark.parametrize("query", [{"role": "admin"}, {"status": "pending"}])
    def test_role_and_status_filters_are_for_admins(self, client, auth_headers, query):
        assert_problem(members(client, auth_headers(), **query), 403, "forbidden")

    def test_filters_by_words_country_and_park(self, app, client, auth_headers, make_member):
        from api.extensions import db
        from api.models import Park

        with app.app_context():
            park = Park(name="Taguspark", slug="taguspark", country="PT")
            db.session.add(park)
            db.session.commit()
            park_id = park.id
        make_member(full_name="Eduardo Correia", country="PT", park_id=park_id)
        make_member(full_name="Song Qi", country="CN", organization="Peking University")
        headers = auth_headers()

        def names(**query):
            return [m["full_name"] for m in members(client, headers, **query).json["items"]]

        assert names(q="peking") == ["Song Qi"]
        assert names(country="PT") == ["Eduardo Correia"]
        assert names(park="taguspark") == ["Eduardo Correia"]
        assert names(park=str(park_id)) == ["Eduardo Correia"]

    def test_members_sort_only_by_fields_they_can_read_of_everyone(self, client, auth_headers,
                                                                   make_member):
        make_member(full_name="Wang Mingyang")
        member, admin = auth_headers(), auth_headers("admin")
        shown = members(client, member).json["items"]
        assert len(shown) == 3 and "last_login_at" in SORT_FIELDS
        for field in SORT_FIELDS:
            readable = all(field in item for item in shown)
            for sort in (field, f"-{field}"):
                assert members(client, admin, sort=sort).status_code == 200
                response = members(client, member, sort=sort)
                if readable:
                    assert response.status_code == 200, sort
                else:
                    assert field in assert_problem(response, 403, "forbidden")["detail"]

    @pytest.mark.parametrize("query", [{"sort": "email"}, {"country": "XX"},
                                       {"per_page": 101}, {"role": "king"},
                                       {"park": "a\x00b"}, {"q": ""}])
    def test_bad_filters_are_422(self, client, auth_headers, query):
        assert_problem(members(client, auth_headers("admin"), **query), 422,
                       "validation_error")

    def test_unknown_or_hidden_member_is_404(self, client, auth_headers, make_member):
        headers = auth_headers()
        pending = make_member(status="pending")
        for member_id in (uuid.uuid4(), pending.id):
            assert_problem(client.get(f"/api/v1/members/{member_id}", headers=headers), 404,
                           "not_found")


class TestInvite:
    INVITE = {"email": "wang.mingyang@example.org", "full_name": "Wang Mingyang",
              "role": "editor", "organization": "GEI"}

    def test_creates_an_active_member_who_sets_a_password_from_the_email(
            self, app, client, auth_headers):
        response = client.post("/api/v1/members", json=self.INVITE,
                               headers=auth_headers("admin"))
        assert response.status_code == 201
        assert response.headers["Location"].endswith(f"/api/v1/members/{response.json['id']}")
        assert (response.json["status"], response.json["role"]) == ("active", "editor")
        [mail] = mails_to(app, self.INVITE["email"])
        token = link_token(mail, "reset-password")
        reset = client.post("/api/v1/auth/password/reset",
                            json={"token": token, "new_password": PASSWORD})
        assert reset.status_code == 204
        login = client.post("/api/v1/auth/login",
                            json={"email": self.INVITE["email"], "password": PASSWORD})
        assert login.status_code == 200

    def test_an_invited_member_cannot_log_in_before_choosing_a_password(
            self, client, auth_headers):
        client.post("/api/v1/members", json=self.INVITE, headers=auth_headers("admin"))
        response = client.post("/api/v1/auth/login",
                               json={"email": self.INVITE["email"], "password": ""})
        assert_problem(response, 422, "validation_error")

    def test_existing_email_is_409(self, app, client, auth_headers, make_member):
        make_member(email=self.INVITE["email"])
        response = client.post("/api/v1/members", json=self.INVITE,
                               headers=auth_headers("admin"))
        assert_problem(response, 409, "duplicate")
        assert outbox(app) == []

    @pytest.mark.parametrize("role", ["member", "editor"])
    def test_needs_an_admin(self, client, auth_headers, role):
        response = client.post("/api/v1/members", json=self.INVITE, headers=auth_headers(role))
        assert_problem(response, 403, "forbidden")

    @pytest.mark.parametrize("change", [{"role": "owner"}, {"password": "x" * 12},
                                        {"email": None}])
    def test_bad_invitation_is_422(self, app, client, auth_headers, change):
        response = client.post("/api/v1/members", json=self.INVITE | change,
                               headers=auth_headers("admin"))
        assert_problem(response, 422, "validation_error")
        assert outbox(app) == []


class TestAdminUpdate:
    def test_suspension_ends_every_session(self, client, login, auth_headers):
        victim = login()
        response = client.patch(f"/api/v1/members/{victim['member_id']}",
                                json={"status": "suspended"}, headers=auth_headers("admin"))
        assert response.json["status"] == "suspended"
        assert_problem(client.post("/api/v1/auth/refresh",
                                   headers=bearer(victim["refresh_token"])), 401,
                       "token_revoked")
        login_again = client.post("/api/v1/auth/login",
                                  json={"email": victim["email"], "password": PASSWORD})
        assert_problem(login_again, 403, "account_suspended")

    def test_role_change(self, client, login, auth_headers):
        member = login()
        response = client.patch(f"/api/v1/members/{member['member_id']}",
                                json={"role": "editor"}, headers=auth_headers("admin"))
        assert response.json["role"] == "editor"
        parks = client.post("/api/v1/parks", json={"name": "Kista Science City",
                                                   "country": "SE"},
                            headers=bearer(member["access_token"]))
        assert parks.status_code == 201

    @pytest.mark.parametrize("body", [{"full_name": "X"}, {"status": "deleted"},
                                      {"role": "root"}])
    def test_other_fields_are_422(self, client, login, auth_headers, body):
        member = login()
        response = client.patch(f"/api/v1/members/{member['member_id']}", json=body,
                                headers=auth_headers("admin"))
        assert_problem(response, 422, "validation_error")

    def test_admins_cannot_demote_themselves(self, client, login):
        admin = login("admin")
        response = client.patch(f"/api/v1/members/{admin['member_id']}",
                                json={"role": "member"}, headers=bearer(admin["access_token"]))
        assert_problem(response, 403, "forbidden")

    def test_needs_an_admin(self, client, login, auth_headers):
        member = login()
        response = client.patch(f"/api/v1/members/{member['member_id']}",
                                json={"role": "admin"}, headers=auth_headers("editor"))
        assert_problem(response, 403, "forbidden")


class TestDelete:
    def test_a_member_deletes_themself_and_personal_data_goes(self, app, client, login,
                                                              auth_headers):
        member = login(full_name="Wu Wensheng", organization="GEI", bio="Speaker")
        response = client.delete(f"/api/v1/members/{member['member_id']}",
                                 headers=bearer(member["access_token"]))
        assert response.status_code == 204
        assert_problem(client.get("/api/v1/auth/me", headers=bearer(member["access_token"])),
                       401, "token_revoked")
        assert_problem(client.post("/api/v1/auth/login", json={
            "email": member["email"], "password": PASSWORD}), 401, "invalid_credentials")
        admin = auth_headers("admin")
        assert_problem(client.get(f"/api/v1/members/{member['member_id']}", headers=admin),
                       404, "not_found")
        from api.extensions import db
        from api.models import Member

        with app.app_context():
            row = db.session.get(Member, uuid.UUID(member["member_id"]))
            assert (row.full_name, row.organization, row.bio, row.password_hash) == (
                "Former member", None, None, None)
            assert member["email"] not in row.email

    def test_admin_deletes_a_member(self, client, make_member, auth_headers):
        member = make_member()
        response = client.delete(f"/api/v1/members/{member.id}", headers=auth_headers("admin"))
        assert response.status_code == 204

    def test_a_member_cannot_delete_another(self, client, make_member, auth_headers):
        other = make_member()
        response = client.delete(f"/api/v1/members/{other.id}", headers=auth_headers())
        assert_problem(response, 403, "forbidden")

    def test_the_email_can_register_again(self, app, client, login):
        member = login()
        client.delete(f"/api/v1/members/{member['member_id']}",
                      headers=bearer(member["access_token"]))
        response = client.post("/api/v1/auth/register", json={
            "email": member["email"], "password": PASSWORD, "full_name": "Back Again"})
        assert response.status_code == 202
        [mail] = mails_to(app, member["email"])
        assert mail["Subject"] == "Confirm your email address"
