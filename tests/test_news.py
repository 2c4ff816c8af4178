"""News: publishing, visibility, filters, sorts and relations, end to end over HTTP."""

import uuid

import pytest
from sqlalchemy import delete

from api.models import Member
from tests.content import days_from_now
from tests.helpers import assert_problem

FORUM_BODY = ("<h2>Digital economy</h2><p>The forum brought together more than 60 "
              "representatives and experts from over 10 countries. It released the "
              "report.</p><p>Second paragraph.</p>")


@pytest.fixture
def hashimi(make_speaker):
    return make_speaker("Amer Ahmed Hashimi", job_title="Chairman", country="PK")


@pytest.fixture
def forum(client, editor, taguspark, hashimi):
    body = {
        "title": "CISIP Forum 2021", "body": FORUM_BODY, "status": "published",
        "published_at": "2021-12-09T00:00:00Z", "tags": ["Forum", "Digital Economy", "forum"],
        "cover_image": {"url": "https://cdn.example.org/forum.jpg", "caption": "The hall"},
        "images": [{"url": "https://cdn.example.org/1.jpg", "caption": "Opening"},
                   {"url": "https://cdn.example.org/2.jpg"}],
        "park_ids": [taguspark["id"]],
        "speakers": [{"speaker_id": hashimi["id"], "role": "keynote",
                      "talk_title": "Pakistan's Knowledge Economy Strategy"}],
    }
    response = client.post("/api/v1/news", json=body, headers=editor)
    assert response.status_code == 201, response.json
    return response


def titles(response):
    assert response.status_code == 200, response.json
    return [item["title"] for item in response.json["items"]]


class TestCreate:
    def test_answers_201_with_location_and_every_field(self, client, forum, taguspark,
                                                       hashimi):
        news = forum.json
        assert forum.headers["Location"].endswith("/api/v1/news/cisip-forum-2021")
        uuid.UUID(news["id"])
        assert news["slug"] == "cisip-forum-2021"
        assert news["status"] == "published"
        assert news["published_at"] == "2021-12-09T00:00:00Z"
        assert news["summary"].startswith("Digital economy The forum brought together")
        assert news["tags"] == ["forum", "digital economy"]
        assert news["cover_image"] == {"url": "https://cdn.example.org/forum.jpg",
                                       "caption": "The hall"}
        assert news["images"][1] == {"url": "https://cdn.example.org/2.jpg", "caption": None}
        assert news["parks"] == [{"id": taguspark["id"], "slug": "taguspark",
                                  "name": "Taguspark", "country": "PT"}]
        assert news["speakers"] == [{
            "speaker": {"id": hashimi["id"], "slug": "amer-ahmed-hashimi",
                        "name": "Amer Ahmed Hashimi", "honorific": None,
                        "job_title": "Chairman", "organization": None, "country": "PK"},
            "role": "keynote", "talk_title": "Pakistan's Knowledge Economy Strategy"}]
        assert news["author"]["full_name"] == "Test Member"
        assert news["reports"] == []
        assert client.get(forum.headers["Location"]).json == news

    def test_a_draft_by_default_with_no_date(self, client, editor):
        news = client.post("/api/v1/news", json={"title": "Draft", "body": "<p>x</p>"},
                           headers=editor).json
        assert (news["status"], news["published_at"]) == ("draft", None)

    def test_publishing_without_a_date_publishes_now(self, client, editor):
        news = client.post("/api/v1/news", json={"title": "Now", "body": "<p>x</p>",
                                                 "status": "published"}, headers=editor).json
        assert news["published_at"] is not None
        assert client.get("/api/v1/news/now").status_code == 200

    def test_a_given_summary_is_kept(self, make_news):
        assert make_news("T", summary="  Short.  ")["summary"] == "Short."

    def test_a_long_body_gives_a_cut_summary(self, make_news):
        news = make_news("Long", body="<p>" + "word " * 200 + "</p>")
        assert news["summary"].endswith("…") and len(news["summary"]) <= 281

    @pytest.mark.parametrize("role, status", [(None, 401), ("member", 403)])
    def test_needs_an_editor(self, client, auth_headers, role, status):
        headers = auth_headers(role) if role else {}
        response = client.post("/api/v1/news", json={"title": "T", "body": "x"},
                               headers=headers)
        assert_problem(response, status)

    @pytest.mark.parametrize("body, field", [
        ({"body": "x"}, "title"),
        ({"title": "T"}, "body"),
        ({"title": "T", "body": "x", "reports": []}, "reports"),
        ({"title": "T", "body": "x", "status": "live"}, "status"),
        ({"title": "T", "body": "x", "published_at": "yesterday"}, "published_at"),
        ({"title": "T", "body": "x", "cover_image": {"url": "javascript:alert(1)"}},
         "cover_image"),
        ({"title": "T", "body": "x", "images": [{"caption": "no url"}]}, "images"),
        ({"title": "T", "body": "x", "speakers": [{"speaker_id": str(uuid.uuid4()),
                                                    "role": "chair"}]}, "speakers"),
        ({"title": "T", "body": "x", "park_ids": ["not-a-uuid"]}, "park_ids"),
        ({"title": "T", "body": "x", "slug": "Not A Slug"}, "slug"),
    ])
    def test_invalid_bodies_are_422_and_create_nothing(self, client, editor, body, field):
        body = assert_problem(client.post("/api/v1/news", json=body, headers=editor), 422,
                              "validation_error")
        assert field in body["errors"]["json"]
        assert client.get("/api/v1/news", headers=editor).json["pagination"]["total"] == 0

    def test_unknown_park_or_speaker_ids_are_422_and_create_nothing(self, client, editor,
                                                                     hashimi):
        for extra, field in (({"park_ids": [str(uuid.uuid4())]}, "park_ids"),
                             ({"speakers": [{"speaker_id": str(uuid.uuid4())}]}, "speakers"),
                             ({"speakers": [{"speaker_id": hashimi["id"]}] * 2}, "speakers")):
            response = client.post("/api/v1/news", json={"title": "T", "body": "x", **extra},
                                   headers=editor)
            assert field in assert_problem(response, 422, "validation_error")["errors"]["json"]
        assert client.get("/api/v1/news", headers=editor).json["pagination"]["total"] == 0

    def test_taken_slug_is_409_and_derived_slugs_are_unique(self, client, editor, forum):
        response = client.post("/api/v1/news", json={"title": "X", "body": "x",
                                                      "slug": "cisip-forum-2021"},
                               headers=editor)
        assert_problem(response, 409, "duplicate")
        again = client.post("/api/v1/news", json={"title": "CISIP Forum 2021", "body": "x"},
                            headers=editor)
        assert again.json["slug"] == "cisip-forum-2021-2"


XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<img src="javascript:alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<svg onload="alert(1)"></svg>',
    '<iframe src="https://evil.example"></iframe>',
    '<p style="background:url(javascript:alert(1))" onmouseover="alert(1)">x</p>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<body onload=alert(1)>',
    '<object data="javascript:alert(1)"></object>',
    '<img src="mailto:a@b.org">',
]


class TestSanitiser:
    @pytest.mark.parametrize("payload", XSS_PAYLOADS)
    def test_known_xss_payloads_never_survive(self, client, editor, payload):
        news = client.post("/api/v1/news", json={"title": "X", "body": f"<p>ok</p>{payload}"},
                           headers=editor).json
        body = news["body"].lower()
        for danger in ("<script", "javascript:", "onerror", "onload", "onmouseover", "<iframe",
                       "<svg", "style=", "data:", "<form", "<object", "alert(1)</",
                       "mailto:"):
            assert danger not in body, body
        assert "<p>ok</p>" in news["body"]

    def test_article_formatting_is_kept(self, client, editor):
        html = ('<h2>T</h2><h3>S</h3><p><strong>b</strong> <em>i</em> '
                '<a href="https://cisip.example/x">l</a> <a href="mailto:a@b.org">m</a></p>'
                '<ul><li>a</li></ul><ol><li>b</li></ol><blockquote>q</blockquote>'
                '<figure><img src="https://cdn.example.org/a.jpg" alt="A">'
                '<figcaption>C</figcaption></figure>'
                '<table><thead><tr><th>h</th></tr></thead><tbody><tr><td>d</td></tr></tbody>'
                '</table>')
        body = client.post("/api/v1/news", json={"title": "X", "body": html},
                           headers=editor).json["body"]
        assert '<a href="https://cisip.example/x" rel="noopener">l</a>' in body
        assert '<a href="mailto:a@b.org" rel="noopener">m</a>' in body
        assert '<img src="https://cdn.example.org/a.jpg" alt="A">' in body
        for tag in ("<h2>", "<h3>", "<strong>", "<em>", "<ul>", "<ol>", "<li>", "<blockquote>",
                    "<figure>", "<figcaption>", "<table>", "<thead>", "<th>", "<td>"):
            assert tag in body

    def test_translated_bodies_are_sanitised_too(self, client, editor):
        news = client.post("/api/v1/news", json={
            "title": "X", "body": "<p>en</p>",
            "translations": {"zh": {"body": "<p>中文</p><script>alert(1)</script>"}}},
            headers=editor).json
        assert news["translations"]["zh"]["body"] == "<p>中文</p>"
        assert news["translations"]["zh"]["summary"] == "中文"


class TestVisibility:
    @pytest.fixture(autouse=True)
    def items(self, make_news):
        make_news("Published")
        make_news("Scheduled", published_at=days_from_now(3))
        make_news("Draft", status="draft", published_at=None)
        make_news("Archived", status="archived")

    def test_anonymous_and_members_see_published_and_due_only(self, client, auth_headers):
        assert titles(client.get("/api/v1/news")) == ["Published"]
        member = auth_headers("member")
        assert titles(client.get("/api/v1/news", headers=member)) == ["Published"]
        for slug in ("scheduled", "draft", "archived"):
            assert_problem(client.get(f"/api/v1/news/{slug}"), 404, "not_found")
            assert_problem(client.get(f"/api/v1/news/{slug}", headers=member), 404)

    def test_editors_see_every_status(self, client, editor):
        assert sorted(titles(client.get("/api/v1/news", headers=editor))) == [
            "Archived", "Draft", "Published", "Scheduled"]
        assert client.get("/api/v1/news/draft", headers=editor).status_code == 200

    def test_editors_filter_by_status(self, client, editor):
        assert titles(client.get("/api/v1/news?status=draft", headers=editor)) == ["Draft"]
        assert sorted(titles(client.get("/api/v1/news?status=published", headers=editor))) == [
            "Published", "Scheduled"]

    def test_status_filter_other_than_published_is_403_for_others(self, client, auth_headers):
        assert titles(client.get("/api/v1/news?status=published")) == ["Published"]
        assert_problem(client.get("/api/v1/news?status=draft"), 403, "forbidden")
        assert_problem(client.get("/api/v1/news?status=archived",
                                  headers=auth_headers("member")), 403, "forbidden")

    def test_publishing_a_draft_makes_it_public(self, client, editor):
        response = client.patch("/api/v1/news/draft", json={"status": "published"},
                                headers=editor)
        assert response.status_code == 200 and response.json["published_at"]
        assert "Draft" in titles(client.get("/api/v1/news"))

    def test_private_caching_for_logged_in_callers(self, client, editor):
        assert client.get("/api/v1/news", headers=editor).headers["Cache-Control"] == (
            "private, no-cache")


class TestFilters:
    @pytest.fixture(autouse=True)
    def items(self, make_news, make_park, make_speaker):
        self.pku = make_park("Peking University Science Park", "CN")
        self.tagus = make_park("Taguspark", "PT")
        self.song = make_speaker("Song Qi")
        make_news("Alpha forum", tags=["forum"], park_ids=[self.pku["id"]],
                  published_at="2021-12-09T10:00:00Z",
                  body="<p>The digital economy was discussed.</p>",
                  speakers=[{"speaker_id": self.song["id"], "role": "panelist"}])
        make_news("Beta report", tags=["report"], park_ids=[self.tagus["id"]],
                  published_at="2021-12-10T00:00:00Z", body="<p>Pharmaceuticals.</p>")
        make_news("Gamma", tags=["forum", "report"], published_at="2020-01-01T00:00:00Z",
                  park_ids=[self.pku["id"], self.tagus["id"]])

    @pytest.mark.parametrize("query, expected", [
        ("", ["Beta report", "Alpha forum", "Gamma"]),
        ("sort=published_at", ["Gamma", "Alpha forum", "Beta report"]),
        ("sort=title", ["Alpha forum", "Beta report", "Gamma"]),
        ("sort=-title", ["Gamma", "Beta report", "Alpha forum"]),
        ("tag=Forum", ["Alpha forum", "Gamma"]),
        ("tag=for", []),
        ("park=taguspark", ["Beta report", "Gamma"]),
        ("country=cn", ["Alpha forum", "Gamma"]),
        ("country=HU", []),
        ("speaker=song-qi", ["Alpha forum"]),
        ("park=no-such-park", []),
        ("from=2021-12-09", ["Beta report", "Alpha forum"]),
        ("to=2021-12-09", ["Alpha forum", "Gamma"]),
        ("from=2021-12-09&to=2021-12-09", ["Alpha forum"]),
        ("q=digital", ["Alpha forum"]),
        ("q=economies", ["Alpha forum"]),
        ("q=REPORT", ["Beta report", "Gamma"]),
        ("q=report&tag=forum", ["Gamma"]),
        ("q=nothing-like-this", []),
    ])
    def test_filters_and_sorts(self, client, query, expected):
        assert titles(client.get(f"/api/v1/news?{query}")) == expected

    def test_each_request_is_filtered_by_its_own_dates(self, client):
        """A list's statement is kept per shape of filters, the dates given at each run."""
        assert titles(client.get("/api/v1/news?to=2021-12-09")) == ["Alpha forum", "Gamma"]
        assert titles(client.get("/api/v1/news?to=2020-01-01")) == ["Gamma"]
        assert titles(client.get("/api/v1/news?from=2021-12-10")) == ["Beta report"]
        assert titles(client.get("/api/v1/news?from=2020-01-02")) == ["Beta report",
                                                                      "Alpha forum"]
        past_the_last = client.get("/api/v1/news?to=2021-12-31&page=3")  # counted apart
        assert (past_the_last.json["items"], past_the_last.json["pagination"]["total"]) == (
            [], 3)

    def test_park_and_speaker_filters_take_ids_too(self, client):
        assert titles(client.get(f"/api/v1/news?park={self.pku['id']}")) == [
            "Alpha forum", "Gamma"]
        assert titles(client.get(f"/api/v1/news?speaker={self.song['id']}")) == ["Alpha forum"]

    def test_park_news(self, client):
        assert titles(client.get("/api/v1/parks/taguspark/news")) == ["Beta report", "Gamma"]
        response = client.get(f"/api/v1/parks/{self.pku['id']}/news?tag=report")
        assert titles(response) == ["Gamma"]
        assert 'rel="first"' in response.headers["Link"]
        assert_problem(client.get("/api/v1/parks/nowhere/news"), 404, "not_found")

    @pytest.mark.parametrize("query", ["sort=created_at", "from=2021-13-01", "to=soon",
                                       "country=ZZ", "status=live", "per_page=101", "q=",
                                       "lang=not a tag"])
    def test_malformed_filters_are_422(self, client, query):
        assert_problem(client.get(f"/api/v1/news?{query}"), 422, "validation_error")


class TestUpdateAndDelete:
    def test_patch_changes_only_what_is_sent(self, client, editor, forum):
        response = client.patch("/api/v1/news/cisip-forum-2021",
                                json={"title": "Renamed", "tags": ["new"]}, headers=editor)
        assert response.status_code == 200
        after = response.json
        assert (after["title"], after["tags"], after["slug"]) == (
            "Renamed", ["new"], "cisip-forum-2021")
        assert after["speakers"] == forum.json["speakers"]
        assert after["summary"] == forum.json["summary"]

    def test_speakers_and_parks_are_replaced(self, client, editor, forum, hashimi, pku,
                                             make_speaker):
        song = make_speaker("Song Qi")
        response = client.patch("/api/v1/news/cisip-forum-2021", json={
            "park_ids": [pku["id"]],
            "speakers": [{"speaker_id": song["id"], "role": "host"},
                         {"speaker_id": hashimi["id"], "role": "speaker",
                          "talk_title": "New"}]}, headers=editor)
        assert response.status_code == 200, response.json
        assert [p["slug"] for p in response.json["parks"]] == ["peking-university-science-park"]
        assert [(s["speaker"]["name"], s["role"], s["talk_title"])
                for s in response.json["speakers"]] == [("Song Qi", "host", None),
                                                        ("Amer Ahmed Hashimi", "speaker", "New")]

    def test_summary_null_derives_it_again(self, client, editor, forum):
        client.patch("/api/v1/news/cisip-forum-2021", json={"summary": "Custom"},
                     headers=editor)
        response = client.patch("/api/v1/news/cisip-forum-2021",
                                json={"summary": None, "body": "<p>New body.</p>"},
                                headers=editor)
        assert response.json["summary"] == "New body."

    def test_invalid_patch_is_422_and_changes_nothing(self, client, editor, forum):
        response = client.patch("/api/v1/news/cisip-forum-2021",
                                json={"title": "New", "park_ids": [str(uuid.uuid4())]},
                                headers=editor)
        assert_problem(response, 422, "validation_error")
        assert client.get("/api/v1/news/cisip-forum-2021").json == forum.json

    def test_delete(self, client, editor, forum, hashimi):
        assert client.delete("/api/v1/news/cisip-forum-2021", headers=editor).status_code == 204
        assert_problem(client.get("/api/v1/news/cisip-forum-2021"), 404, "not_found")
        assert client.get(f"/api/v1/speakers/{hashimi['id']}").json["appearances"] == []

    def test_writes_need_an_editor(self, client, auth_headers, forum):
        member = auth_headers("member")
        assert_problem(client.patch("/api/v1/news/cisip-forum-2021", json={"title": "x"},
                                    headers=member), 403, "forbidden")
        assert_problem(client.delete("/api/v1/news/cisip-forum-2021"), 401)

    def test_unknown_ref_is_404(self, client, editor):
        assert_problem(client.patch(f"/api/v1/news/{uuid.uuid4()}", json={"title": "x"},
                                    headers=editor), 404, "not_found")

    def test_the_author_may_be_deleted(self, client, db, forum):
        db.session.execute(delete(Member).where(Member.id == uuid.UUID(
            forum.json["author"]["id"])))
        db.session.commit()
        db.session.expire_all()  # the requests below share this test's app context
        assert client.get("/api/v1/news/cisip-forum-2021").json["author"] is None


class TestCachedTotals:
    def total(self, client, query=""):
        return client.get(f"/api/v1/news?{query}").json["pagination"]["total"]

    def test_writes_show_in_totals_at_once(self, client, editor, make_news, make_park):
        park = make_park("Taguspark", "PT")
        make_news("One", park_ids=[park["id"]])
        assert (self.total(client), self.total(client, "country=PT")) == (1, 1)
        make_news("Two")
        assert self.total(client) == 2
        client.patch("/api/v1/parks/taguspark", json={"country": "ES"}, headers=editor)
        assert (self.total(client, "country=PT"), self.total(client, "country=ES")) == (0, 1)
        client.delete("/api/v1/news/one", headers=editor)
        assert self.total(client) == 1

    def test_totals_are_per_visibility(self, client, editor, make_news):
        make_news("Draft", status="draft", published_at=None)
        assert self.total(client) == 0
        assert client.get("/api/v1/news", headers=editor).json["pagination"]["total"] == 1
