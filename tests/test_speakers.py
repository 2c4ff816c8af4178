"""Speakers: the people of the community's events, with their appearances in news."""

import uuid

import pytest

from tests.content import days_from_now
from tests.helpers import assert_problem

CORREIA = {"name": "Eduardo Baptista Correia", "honorific": "Dr.", "job_title": "CEO",
           "organization": "Portugal TagusPark", "country": "pt",
           "bio": "Leads Taguspark.", "photo_url": "https://cdn.example.org/correia.jpg"}


@pytest.fixture
def taguspark(make_park):
    return make_park("Taguspark", "PT")


@pytest.fixture
def correia(client, editor, taguspark):
    response = client.post("/api/v1/speakers", json=CORREIA | {"park_id": taguspark["id"]},
                           headers=editor)
    assert response.status_code == 201, response.json
    return response


def test_create_answers_201_with_location_and_every_field(client, correia, taguspark):
    speaker = correia.json
    assert correia.headers["Location"].endswith("/api/v1/speakers/eduardo-baptista-correia")
    uuid.UUID(speaker["id"])
    assert {k: speaker[k] for k in CORREIA} == CORREIA | {"country": "PT"}
    assert speaker["park"] == {"id": taguspark["id"], "slug": "taguspark",
                               "name": "Taguspark", "country": "PT"}
    assert speaker["created_at"].endswith("Z")
    single = client.get(correia.headers["Location"]).json
    assert single == speaker | {"appearances": []}


def test_appearances_list_published_news_for_the_public_and_all_for_editors(
        client, editor, correia, make_news):
    speaker_id = correia.json["id"]
    part = [{"speaker_id": speaker_id, "role": "panelist", "talk_title": "Roundtable"}]
    make_news("Forum", speakers=part, published_at="2021-12-09T00:00:00Z")
    make_news("Later", speakers=part, published_at=days_from_now(2))
    make_news("Draft", speakers=part, status="draft", published_at=None)
    public = client.get(f"/api/v1/speakers/{speaker_id}").json["appearances"]
    assert public == [{"type": "news", "id": public[0]["id"], "slug": "forum", "title": "Forum",
                       "published_at": "2021-12-09T00:00:00Z", "status": "published",
                       "role": "panelist", "talk_title": "Roundtable", "session": None}]
    edited = client.get(f"/api/v1/speakers/{speaker_id}", headers=editor).json
    assert [a["title"] for a in edited["appearances"]] == ["Later", "Forum", "Draft"]


class TestList:
    @pytest.fixture(autouse=True)
    def speakers(self, correia, make_speaker):
        make_speaker("Song Qi", organization="Peking University Science Park", country="CN",
                     job_title="President")
        make_speaker("Amer Ahmed Hashimi", organization="Pakistan STZA", country="PK",
                     bio="Knowledge economy strategist.")

    def names(self, client, query):
        response = client.get(f"/api/v1/speakers?{query}")
        assert response.status_code == 200, response.json
        return [item["name"] for item in response.json["items"]]

    @pytest.mark.parametrize("query, expected", [
        ("", ["Amer Ahmed Hashimi", "Eduardo Baptista Correia", "Song Qi"]),
        ("sort=-name", ["Song Qi", "Eduardo Baptista Correia", "Amer Ahmed Hashimi"]),
        ("sort=created_at", ["Eduardo Baptista Correia", "Song Qi", "Amer Ahmed Hashimi"]),
        ("country=cn", ["Song Qi"]),
        ("organization=portugal%20tpublished", []),
        ("organization=PORTUGAL%20TAGUSPARK", ["Eduardo Baptista Correia"]),
        ("park=taguspark", ["Eduardo Baptista Correia"]),
        ("park=nowhere", []),
        ("q=economy", ["Amer Ahmed Hashimi"]),
        ("q=president", ["Song Qi"]),
        ("q=taguspark", ["Eduardo Baptista Correia"]),
    ])
    def test_filters_and_sorts(self, client, query, expected):
        assert self.names(client, query) == expected

    @pytest.mark.parametrize("query", ["sort=title", "country=XX", "per_page=0", "q="])
    def test_malformed_filters_are_422(self, client, query):
        assert_problem(client.get(f"/api/v1/speakers?{query}"), 422, "validation_error")


def test_update_changes_only_what_is_sent(client, editor, correia):
    response = client.patch("/api/v1/speakers/eduardo-baptista-correia",
                            json={"job_title": "Chief Executive", "park_id": None},
                            headers=editor)
    assert response.status_code == 200
    assert (response.json["job_title"], response.json["park"], response.json["name"]) == (
        "Chief Executive", None, "Eduardo Baptista Correia")


@pytest.mark.parametrize("body, field", [
    ({"park_id": str(uuid.uuid4())}, "park_id"),
    ({"name": ""}, "name"),
    ({"photo_url": "ftp://x.org/a.jpg"}, "photo_url"),
    ({"role": "admin"}, "role"),
    ({"translations": {"zh": {"slug": "x"}}}, "translations"),
])
def test_invalid_updates_are_422_and_change_nothing(client, editor, correia, body, field):
    response = client.patch("/api/v1/speakers/eduardo-baptista-correia", json=body,
                            headers=editor)
    assert field in assert_problem(response, 422, "validation_error")["errors"]["json"]
    assert client.get("/api/v1/speakers/eduardo-baptista-correia").json == (
        correia.json | {"appearances": []})


def test_writes_need_an_editor(client, auth_headers, correia):
    assert_problem(client.post("/api/v1/speakers", json={"name": "X"}), 401)
    assert_problem(client.patch("/api/v1/speakers/eduardo-baptista-correia",
                                json={"name": "X"}, headers=auth_headers("member")), 403)


def test_taken_slug_is_409(client, editor, correia):
    response = client.post("/api/v1/speakers", json={"name": "E", "slug":
                                                     "eduardo-baptista-correia"},
                           headers=editor)
    assert_problem(response, 409, "duplicate")


def test_delete_keeps_the_news(client, editor, correia, make_news):
    make_news("Forum", speakers=[{"speaker_id": correia.json["id"]}])
    assert client.delete("/api/v1/speakers/eduardo-baptista-correia",
                         headers=editor).status_code == 204
    assert_problem(client.get("/api/v1/speakers/eduardo-baptista-correia"), 404, "not_found")
    assert client.get("/api/v1/news/forum").json["speakers"] == []
