"""Search: ranked full-text search across news, parks, speakers and reports, on both
backends."""

import pytest
from sqlalchemy import func, select

from api.models import SearchDocument
from tests.content import days_from_now
from tests.helpers import assert_problem


def hits(client, query, headers=None):
    response = client.get(f"/api/v1/search?{query}", headers=headers or {})
    assert response.status_code == 200, response.json
    return [(hit["type"], hit["title"]) for hit in response.json["items"]]


@pytest.fixture
def content(make_park, make_speaker, make_news):
    make_park("Taguspark", "PT", description="Pharmaceutical and software industries.")
    make_speaker("Amer Ahmed Hashimi", bio="Spoke about the knowledge economy.")
    make_news("Knowledge economy forum", body="<p>Parks met in Beijing.</p>")
    make_news("Annual meeting", body="<p>The knowledge of parks grows; the economy too.</p>")
    make_news("Secret draft about economy knowledge", status="draft", published_at=None)
    make_news("Scheduled economy knowledge", published_at=days_from_now(5))


def test_title_matches_rank_above_body_matches(client, content):
    ranked = hits(client, "q=knowledge%20economy")
    assert ranked[0] == ("news", "Knowledge economy forum")
    assert set(ranked) == {("news", "Knowledge economy forum"),
                           ("speaker", "Amer Ahmed Hashimi"), ("news", "Annual meeting")}


def test_hits_carry_type_id_slug_title_and_a_highlighted_snippet(client, content):
    response = client.get("/api/v1/search?q=pharmaceutical")
    assert response.json["pagination"] == {"page": 1, "per_page": 20, "total": 1, "pages": 1}
    hit = response.json["items"][0]
    assert (hit["type"], hit["slug"], hit["title"]) == ("park", "taguspark", "Taguspark")
    assert "<mark>Pharmaceutical</mark>" in hit["snippet"]
    park = client.get(f"/api/v1/parks/{hit['id']}").json
    assert park["slug"] == "taguspark"


def test_words_are_stemmed(client, content):
    assert hits(client, "q=industry") == [("park", "Taguspark")]


def test_type_narrows_the_search(client, content):
    assert {t for t, _ in hits(client, "q=economy&type=speaker,park")} == {"speaker"}
    assert {t for t, _ in hits(client, "q=economy&type=news")} == {"news"}


def test_drafts_and_scheduled_news_are_found_by_editors_only(client, content, editor,
                                                             auth_headers):
    public = hits(client, "q=economy&type=news")
    assert len(public) == 2
    assert hits(client, "q=economy&type=news", auth_headers("member")) == public
    assert len(hits(client, "q=economy&type=news", editor)) == 4


def test_snippets_are_escaped_html(client, make_speaker):
    make_speaker("Mallory", bio='Writes <b onclick="x()">bold</b> & economy in bios.')
    snippet = client.get("/api/v1/search?q=economy").json["items"][0]["snippet"]
    assert "<b" not in snippet and "&amp;" in snippet
    assert "<mark>economy</mark>" in snippet


def test_the_index_follows_updates_and_deletes(client, editor, db, make_speaker):
    make_speaker("Song Qi", bio="Digital economy.")
    assert hits(client, "q=digital") == [("speaker", "Song Qi")]
    client.patch("/api/v1/speakers/song-qi", json={"bio": "Science parks."}, headers=editor)
    assert hits(client, "q=digital") == []
    assert hits(client, "q=science") == [("speaker", "Song Qi")]
    client.delete("/api/v1/speakers/song-qi", headers=editor)
    assert hits(client, "q=science") == []
    assert db.session.scalar(select(func.count()).select_from(SearchDocument)) == 0


def test_translations_are_searched(client, make_park):
    make_park("Kista Science City", "SE", translations={"zh": {"description": "西斯塔 科学城"}})
    assert hits(client, "q=西斯塔") == [("park", "Kista Science City")]


def test_paginated_like_every_list(client, make_speaker):
    for n in range(3):
        make_speaker(f"Speaker {n}", bio="economy")
    response = client.get("/api/v1/search?q=economy&per_page=2&page=2")
    assert response.json["pagination"] == {"page": 2, "per_page": 2, "total": 3, "pages": 2}
    assert len(response.json["items"]) == 1
    assert 'rel="prev"' in response.headers["Link"]


@pytest.mark.parametrize("query", ["q=%27%20OR%201%3D1--", "q=%22", "q=AND%20OR%20NOT",
                                   "q=*", "q=economy%20-", "q=NEAR(a%20b)"])
def test_query_syntax_never_breaks_it(client, content, query):
    assert client.get(f"/api/v1/search?{query}").status_code == 200


@pytest.mark.parametrize("query", ["", "q=", "q=x&type=reports", "q=x&type=news,,park",
                                   "q=x&per_page=500", "q=" + "x" * 201])
def test_bad_arguments_are_422(client, query):
    assert_problem(client.get(f"/api/v1/search?{query}"), 422, "validation_error")


@pytest.fixture
def reports(make_report):
    make_report("Digital Economy Report", year=2021, access="members",
                summary="Science parks along the Belt and Road.")
    make_report("Annual Parks Review", year=2022, access="public",
                summary="Includes a chapter on the digital economy of parks.")
    make_report("Draft digital economy report", published_at=None)
    make_report("Scheduled digital economy report", published_at=days_from_now(5))


def test_reports_are_found_title_matches_first(client, reports):
    response = client.get("/api/v1/search?q=digital%20economy&type=report")
    assert [(hit["type"], hit["title"]) for hit in response.json["items"]] == [
        ("report", "Digital Economy Report"), ("report", "Annual Parks Review")]
    hit = response.json["items"][0]
    assert hit["slug"] == "digital-economy-report"
    assert "<mark>" in hit["snippet"]
    assert client.get(f"/api/v1/reports/{hit['id']}").json["access"] == "members"


def test_members_only_reports_are_listed_but_unpublished_ones_only_to_editors(
        client, reports, editor, auth_headers):
    assert ("report", "Digital Economy Report") in hits(client, "q=belt")
    public = hits(client, "q=digital&type=report")
    assert len(public) == 2
    assert hits(client, "q=digital&type=report", auth_headers("member")) == public
    assert len(hits(client, "q=digital&type=report", editor)) == 4


def test_reports_rank_with_the_other_collections(client, reports, make_news):
    make_news("Belt and Road parks", body="<p>The forum met.</p>")
    ranked = hits(client, "q=belt%20road")
    assert set(ranked) == {("news", "Belt and Road parks"), ("report", "Digital Economy Report")}
    assert ranked[0] == ("news", "Belt and Road parks")  # a title match beats a summary one


def test_report_translations_and_years_are_searched(client, make_report):
    make_report("Annual report", year=2019, translations={"zh": {"title": "年度 报告"}})
    assert hits(client, "q=年度") == [("report", "Annual report")]
    assert hits(client, "q=2019&type=report") == [("report", "Annual report")]


def test_the_index_follows_report_updates_and_deletes(client, editor, make_report):
    report = make_report("Green parks", summary="Solar power.")
    path = f"/api/v1/reports/{report['slug']}"
    client.patch(path, json={"summary": "Wind power."}, headers=editor)
    assert hits(client, "q=solar") == []
    assert hits(client, "q=wind") == [("report", "Green parks")]
    client.patch(path, json={"published_at": None}, headers=editor)
    assert hits(client, "q=wind") == []
    client.delete(path, headers=editor)
    assert hits(client, "q=wind", editor) == []


def test_the_reports_q_filter_uses_the_search(client, reports, editor):
    def titles(query, headers=None):
        response = client.get(f"/api/v1/reports?{query}", headers=headers)
        assert response.status_code == 200, response.json
        return [item["title"] for item in response.json["items"]]

    assert titles("q=economies&sort=title") == ["Annual Parks Review", "Digital Economy Report"]
    assert titles("q=belt%20road") == ["Digital Economy Report"]
    assert len(titles("q=economy", editor)) == 4
    assert titles("q=economy&access=public") == ["Annual Parks Review"]


@pytest.fixture
def broad(monkeypatch, make_news):
    """Four news items matching `economy`, newest last, with the cap at three matches."""
    monkeypatch.setattr("api.services.search.MATCH_CAP", 3)
    monkeypatch.setattr("api.services.search.RANK_ALL_UP_TO", -1)
    make_news("Economy economy economy", body="<p>From the archive.</p>",
              published_at=days_from_now(-40))
    for n in range(3):
        make_news(f"Item {n}", body="<p>A word on the economy.</p>",
                  published_at=days_from_now(-3 + n))


def test_broad_searches_count_and_rank_only_the_newest_matches(client, broad):
    response = client.get("/api/v1/search?q=economy")
    assert response.json["pagination"] == {"page": 1, "per_page": 20, "total": 3, "pages": 1}
    # The oldest match would rank first (its title matches), but it is not among the newest.
    assert sorted(hits(client, "q=economy")) == [("news", f"Item {n}") for n in range(3)]


def test_every_match_is_ranked_while_few_are_expected(client, broad, monkeypatch):
    monkeypatch.setattr("api.services.search.RANK_ALL_UP_TO", 20000)
    response = client.get("/api/v1/search?q=economy")
    assert response.json["pagination"]["total"] == 3
    assert hits(client, "q=economy")[0] == ("news", "Economy economy economy")


def test_searches_under_the_cap_are_exact(client, broad):
    assert hits(client, "q=economy%20archive") == [("news", "Economy economy economy")]
    response = client.get("/api/v1/search?q=economy%20word&per_page=2")
    assert response.json["pagination"] == {"page": 1, "per_page": 2, "total": 3, "pages": 2}


def test_the_news_q_filter_counts_up_to_the_cap_newest_first(client, broad, editor):
    response = client.get("/api/v1/news?q=economy&per_page=2")
    assert response.json["pagination"] == {"page": 1, "per_page": 2, "total": 3, "pages": 2}
    assert [item["title"] for item in response.json["items"]] == ["Item 2", "Item 1"]
    response = client.get("/api/v1/news?q=economy&per_page=2&page=2")
    assert [item["title"] for item in response.json["items"]] == ["Item 0"]
    assert client.get("/api/v1/news?q=economy&per_page=2&page=3").json["items"] == []
    # Other sorts, other filters and editors count up to the cap too.
    for query in ("sort=title", "tag=none&sort=title"):
        response = client.get(f"/api/v1/news?q=economy&{query}")
        assert response.json["pagination"]["total"] == (3 if "tag" not in query else 0)
    response = client.get("/api/v1/news?q=economy", headers=editor)
    assert response.json["pagination"]["total"] == 3
    assert len(response.json["items"]) == 3


def test_the_news_q_filter_under_the_cap_pages_every_match_newest_first(client, make_news):
    """Fewer matches than the cap are read through the full-text index and then sorted:
    the same pages, scheduled news and drafts left out."""
    for days in (-30, -2, -10):
        make_news(f"Economy {days}", body="<p>A word on the economy.</p>",
                  published_at=days_from_now(days))
    make_news("Economy scheduled", body="<p>Economy.</p>", published_at=days_from_now(3))
    make_news("Economy draft", body="<p>Economy.</p>", status="draft", published_at=None)
    make_news("Other", body="<p>Parks.</p>")
    pages = [client.get(f"/api/v1/news?q=economy&per_page=2&page={page}").json
             for page in (1, 2, 3)]
    assert [[item["title"] for item in page["items"]] for page in pages] == [
        ["Economy -2", "Economy -10"], ["Economy -30"], []]
    assert pages[0]["pagination"] == {"page": 1, "per_page": 2, "total": 3, "pages": 2}
