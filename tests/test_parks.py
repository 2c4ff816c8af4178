"""Parks: the directory, end to end over HTTP."""

import uuid

import pytest

from tests.helpers import assert_problem

TAGUSPARK = {
    "name": "Taguspark",
    "country": "pt",
    "city": "Oeiras",
    "website": "https://www.taguspark.pt",
    "description": "Science and technology park.",
    "founded_year": 1992,
    "focus_industries": ["Pharmaceuticals", "Software"],
    "logo_url": "https://cdn.example.org/taguspark.png",
    "location": {"lat": 38.7369, "lon": -9.3027},
    "is_member": True,
    "member_since": "2020-06-01",
}


@pytest.fixture
def editor(auth_headers):
    return auth_headers("editor")


@pytest.fixture
def park(client, editor):
    response = client.post("/api/v1/parks", json=TAGUSPARK, headers=editor)
    assert response.status_code == 201
    return response.json


def test_create_answers_201_with_location_and_every_field(client, park):
    assert park["slug"] == "taguspark"
    assert park["country"] == "PT"
    assert park["focus_industries"] == ["pharmaceuticals", "software"]
    assert park["location"] == {"lat": 38.7369, "lon": -9.3027}
    assert park["member_since"] == "2020-06-01"
    assert park["created_at"].endswith("Z")
    uuid.UUID(park["id"])
    fetched = client.get("/api/v1/parks/taguspark")
    assert fetched.status_code == 200
    assert fetched.json == park


def test_location_header_points_at_the_new_park(client, editor):
    response = client.post("/api/v1/parks", json={"name": "Kista", "country": "SE"},
                           headers=editor)
    assert client.get(response.headers["Location"]).json["name"] == "Kista"


def test_get_by_id_and_by_slug(client, park):
    assert client.get(f"/api/v1/parks/{park['id']}").json["slug"] == "taguspark"
    assert client.get("/api/v1/parks/taguspark").json["id"] == park["id"]


def test_unknown_ref_is_404(client):
    assert_problem(client.get("/api/v1/parks/no-such-park"), 404, "not_found")
    assert_problem(client.get(f"/api/v1/parks/{uuid.uuid4()}"), 404, "not_found")


def test_derived_slugs_are_made_unique(client, park, editor):
    second = client.post("/api/v1/parks", json={"name": "Taguspark", "country": "PT"},
                         headers=editor)
    third = client.post("/api/v1/parks", json={"name": "TagusPark!", "country": "PT"},
                        headers=editor)
    assert (second.json["slug"], third.json["slug"]) == ("taguspark-2", "taguspark-3")


def test_unicode_names_keep_readable_slugs(client, editor):
    response = client.post("/api/v1/parks", json={"name": "北京大学科技园", "country": "CN"},
                           headers=editor)
    assert response.json["slug"] == "北京大学科技园"
    assert client.get("/api/v1/parks/北京大学科技园").status_code == 200


def test_explicit_slug_that_is_taken_is_409(client, park, editor):
    response = client.post("/api/v1/parks", headers=editor,
                           json={"name": "Other", "country": "PT", "slug": "taguspark"})
    assert_problem(response, 409, "duplicate")
    assert client.get("/api/v1/parks?q=other").json["items"] == []


def test_patch_changes_only_the_fields_sent(client, park, editor):
    response = client.patch("/api/v1/parks/taguspark", headers=editor,
                            json={"city": "Porto Salvo", "location": None})
    assert response.status_code == 200
    assert response.json["city"] == "Porto Salvo"
    assert response.json["location"] is None
    assert response.json["name"] == "Taguspark"
    assert response.json["slug"] == "taguspark"


def test_patch_slug_to_a_taken_one_is_409_and_changes_nothing(client, park, editor):
    client.post("/api/v1/parks", json={"name": "Kista", "country": "SE"}, headers=editor)
    response = client.patch("/api/v1/parks/kista", json={"slug": "taguspark", "city": "X"},
                            headers=editor)
    assert_problem(response, 409, "duplicate")
    assert client.get("/api/v1/parks/kista").json["city"] is None


def test_patch_own_slug_is_allowed(client, park, editor):
    response = client.patch("/api/v1/parks/taguspark", json={"slug": "taguspark"},
                            headers=editor)
    assert response.status_code == 200


def test_delete_answers_204_then_404(client, park, editor):
    response = client.delete("/api/v1/parks/taguspark", headers=editor)
    assert response.status_code == 204
    assert response.data == b""
    assert_problem(client.get("/api/v1/parks/taguspark"), 404)


@pytest.mark.parametrize("method", ["post", "patch", "delete"])
def test_writes_need_a_login(client, park, method):
    path = "/api/v1/parks" if method == "post" else "/api/v1/parks/taguspark"
    response = getattr(client, method)(path, json={"name": "X", "country": "PT"})
    assert_problem(response, 401, "token_missing")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("method", ["post", "patch", "delete"])
def test_members_cannot_write(client, park, auth_headers, method):
    path = "/api/v1/parks" if method == "post" else "/api/v1/parks/taguspark"
    response = getattr(client, method)(path, json={"name": "X", "country": "PT"},
                                       headers=auth_headers("member"))
    assert_problem(response, 403, "forbidden")
    assert client.get("/api/v1/parks/taguspark").json["name"] == "Taguspark"


def test_admins_can_write(client, auth_headers):
    response = client.post("/api/v1/parks", json={"name": "Kista", "country": "SE"},
                           headers=auth_headers("admin"))
    assert response.status_code == 201


@pytest.mark.parametrize(("field", "value"), [
    ("country", "XX"), ("country", "PRT"), ("country", 5),
    ("website", "javascript:alert(1)"), ("website", "not a url"),
    ("logo_url", "ftp://example.org/logo.png"),
    ("founded_year", 1200), ("founded_year", 3000), ("founded_year", "old"),
    ("location", {"lat": 91, "lon": 0}), ("location", {"lat": 0, "lon": -181}),
    ("location", {"lat": 10}), ("location", {"lat": "NaN", "lon": 0}),
    ("location", {"lat": 1, "lon": 1, "alt": 3}),
    ("name", ""), ("name", "   "), ("name", "x" * 201),
    ("slug", "Not A Slug"), ("slug", "double--hyphen"), ("slug", "-lead"),
    ("focus_industries", "software"), ("focus_industries", [""]),
    ("is_member", "maybe"), ("member_since", "2020-13-01"),
    ("id", "00000000-0000-0000-0000-000000000000"), ("created_at", "2020-01-01T00:00:00Z"),
])
def test_invalid_fields_are_422_and_change_nothing(client, editor, field, value):
    body = {"name": "Kista", "country": "SE"} | {field: value}
    response = client.post("/api/v1/parks", json=body, headers=editor)
    problem = assert_problem(response, 422, "validation_error")
    assert field in problem["errors"]["json"]
    assert client.get("/api/v1/parks").json["pagination"]["total"] == 0


class TestListFilters:
    @pytest.fixture(autouse=True)
    def parks(self, client, editor):
        for body in (
            TAGUSPARK,
            {"name": "Peking University Science Park", "country": "CN", "city": "Beijing",
             "focus_industries": ["Digital economy"], "founded_year": 2001},
            {"name": "Kista Science City", "country": "SE", "is_member": False,
             "description": "Software and telecoms cluster.", "focus_industries": ["ICT"]},
        ):
            assert client.post("/api/v1/parks", json=body, headers=editor).status_code == 201

    def names(self, client, query):
        response = client.get(f"/api/v1/parks?{query}")
        assert response.status_code == 200, response.json
        return [item["name"] for item in response.json["items"]]

    def test_default_order_is_by_name(self, client):
        assert self.names(client, "") == ["Kista Science City",
                                          "Peking University Science Park", "Taguspark"]

    def test_q_searches_name_city_description_and_industries(self, client):
        assert self.names(client, "q=BEIJING") == ["Peking University Science Park"]
        assert self.names(client, "q=telecoms") == ["Kista Science City"]
        assert self.names(client, "q=software") == ["Kista Science City", "Taguspark"]
        assert self.names(client, "q=science") == ["Kista Science City",
                                                   "Peking University Science Park",
                                                   "Taguspark"]

    def test_country_filter_is_case_insensitive(self, client):
        assert self.names(client, "country=cn") == ["Peking University Science Park"]

    def test_industry_filter(self, client):
        assert self.names(client, "industry=software") == ["Taguspark"]
        assert self.names(client, "industry=Digital%20Economy") == [
            "Peking University Science Park"]
        assert self.names(client, "industry=soft") == []

    def test_is_member_filter(self, client):
        assert self.names(client, "is_member=false") == ["Kista Science City"]
        assert len(self.names(client, "is_member=true")) == 2

    def test_sort_by_founded_year_puts_unknown_years_last(self, client):
        assert self.names(client, "sort=founded_year") == [
            "Taguspark", "Peking University Science Park", "Kista Science City"]

    def test_injection_shaped_filters_are_harmless(self, client):
        assert self.names(client, "q=%27%20OR%201%3D1--") == []
        assert self.names(client, "q=%25") == []
        assert self.names(client, "industry=%22%5D%27") == []

    @pytest.mark.parametrize("query", ["country=ZZ", "is_member=perhaps", "q="])
    def test_malformed_filters_are_422(self, client, query):
        assert_problem(client.get(f"/api/v1/parks?{query}"), 422, "validation_error")

    def test_unknown_query_parameters_are_ignored(self, client):
        assert len(self.names(client, "_=12345")) == 3
