"""The response cache on news, speakers and search: what a write purges, and what it keeps."""

import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.content import iso


@pytest.fixture
def forum(make_park, make_speaker, make_news):
    park = make_park("Taguspark")
    speaker = make_speaker("Eduardo Baptista Correia", job_title="CEO")
    news = make_news("The 2021 Forum", park_ids=[park["id"]],
                     speakers=[{"speaker_id": speaker["id"], "role": "panelist",
                                "talk_title": "Suggestions"}])
    other = make_news("Another forum")
    return {"park": park, "speaker": speaker, "news": news, "other": other}


def hit(client, path, **kwargs):
    return client.get(path, **kwargs).headers.get("X-Cache") == "HIT"


def test_content_reads_are_cached(client, forum):
    for path in ("/api/v1/news", "/api/v1/news/the-2021-forum", "/api/v1/speakers",
                 "/api/v1/speakers/eduardo-baptista-correia", "/api/v1/search?q=forum",
                 "/api/v1/parks/taguspark/news"):
        first = client.get(path)
        assert first.status_code == 200, path
        assert hit(client, path), path


def test_renaming_a_speaker_purges_the_news_that_show_them(client, forum, editor):
    client.get("/api/v1/news/the-2021-forum")
    client.get("/api/v1/news/another-forum")
    client.get("/api/v1/news")
    client.patch("/api/v1/speakers/eduardo-baptista-correia", headers=editor,
                 json={"name": "Dr. Eduardo Baptista Correia"})
    detail = client.get("/api/v1/news/the-2021-forum")
    assert detail.headers["X-Cache"] == "MISS"
    assert detail.json["speakers"][0]["speaker"]["name"] == "Dr. Eduardo Baptista Correia"
    listed = {item["slug"]: item for item in client.get("/api/v1/news").json["items"]}
    assert listed["the-2021-forum"]["speakers"][0]["speaker"]["name"].startswith("Dr.")
    # A news item that does not show the speaker stays cached.
    assert hit(client, "/api/v1/news/another-forum")


def test_renaming_a_park_purges_the_news_that_show_it(client, forum, editor):
    client.get("/api/v1/news/the-2021-forum")
    client.patch("/api/v1/parks/taguspark", headers=editor, json={"name": "TagusPark"})
    assert client.get("/api/v1/news/the-2021-forum").json["parks"][0]["name"] == "TagusPark"


def test_linking_a_speaker_shows_in_their_appearances(client, forum, editor, make_speaker):
    speaker = make_speaker("Song Qi")
    client.get("/api/v1/speakers/song-qi")
    client.patch("/api/v1/news/another-forum", headers=editor, json={
        "speakers": [{"speaker_id": speaker["id"], "role": "speaker", "talk_title": "PKU"}]})
    appearances = client.get("/api/v1/speakers/song-qi").json["appearances"]
    assert [a["slug"] for a in appearances] == ["another-forum"]


def test_publishing_a_draft_shows_everywhere_it_can_appear(client, forum, editor, make_news):
    make_news("Draft news", status="draft")
    client.get("/api/v1/news")
    client.get("/api/v1/search?q=draft")
    client.patch("/api/v1/news/draft-news", headers=editor, json={"status": "published"})
    assert "draft-news" in {n["slug"] for n in client.get("/api/v1/news").json["items"]}
    assert [h["slug"] for h in client.get("/api/v1/search?q=draft").json["items"]] == [
        "draft-news"]


def test_deleting_the_author_purges_their_news(client, forum, auth_headers, login):
    admin = auth_headers("admin")
    author_id = client.get("/api/v1/news/the-2021-forum").json["author"]["id"]
    assert hit(client, "/api/v1/news/the-2021-forum")
    assert client.delete(f"/api/v1/members/{author_id}", headers=admin).status_code == 204
    author = client.get("/api/v1/news/the-2021-forum").json["author"]
    assert author is None or author["full_name"] != "Test Member"


def test_renaming_an_author_purges_the_lists_that_show_them(client, forum, editor):
    # Every write to news, parks or speakers purges the news lists; an author's profile is
    # none of those, so the lists are tagged with the authors they show. The second list is
    # built from the items' JSON the first one kept.
    paths = ("/api/v1/news", "/api/v1/news?per_page=5", "/api/v1/parks/taguspark/news")
    for path in paths:
        assert {item["author"]["full_name"] for item in client.get(path).json["items"]} == {
            "Test Member"}
        assert hit(client, path)
    renamed = client.patch("/api/v1/auth/me", headers=editor, json={"full_name": "Ana Author"})
    assert renamed.status_code == 200
    for path in paths:
        items = client.get(path).json["items"]
        assert {item["author"]["full_name"] for item in items} == {"Ana Author"}, path


def test_languages_are_cached_apart(client, forum, editor):
    client.patch("/api/v1/news/the-2021-forum", headers=editor,
                 json={"translations": {"zh": {"title": "2021年论坛"}}})
    english = client.get("/api/v1/news/the-2021-forum")
    chinese = client.get("/api/v1/news/the-2021-forum", headers={"Accept-Language": "zh"})
    again = client.get("/api/v1/news/the-2021-forum", headers={"Accept-Language": "zh-CN,zh"})
    assert (english.json["title"], chinese.json["title"]) == ("The 2021 Forum", "2021年论坛")
    assert again.headers["X-Cache"] == "HIT" and again.json["title"] == "2021年论坛"
    assert chinese.headers["Content-Language"] == "zh"
    assert "Accept-Language" in chinese.headers["Vary"]


def test_scheduled_news_appears_when_its_time_comes(client, forum, make_news):
    moment = datetime.now(UTC) + timedelta(seconds=2.5)
    make_news("Scheduled news", published_at=iso(moment))
    assert "scheduled-news" not in {n["slug"] for n in client.get("/api/v1/news").json["items"]}
    assert hit(client, "/api/v1/news")
    time.sleep(max(0.0, (moment - datetime.now(UTC)).total_seconds()) + 0.1)
    assert "scheduled-news" in {n["slug"] for n in client.get("/api/v1/news").json["items"]}
    assert client.get("/api/v1/news").json["pagination"]["total"] == 3
