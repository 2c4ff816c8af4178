"""News feeds: RSS 2.0, Atom 1.0 and JSON Feed 1.1 read as a feed reader reads them."""

import html
import json
import uuid
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import jsonschema
import pytest
from lxml import etree
from sqlalchemy import update

from api.models import News
from tests.content import days_from_now
from tests.helpers import assert_problem

FRONTEND = "https://cisip.example"  # FRONTEND_URL of the test config
JSON_FEED_SCHEMA = json.loads(
    (Path(__file__).parent / "data" / "jsonfeed-1.1.schema.json").read_text())
CONTENT_TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml",
                 "json": "application/feed+json"}
XML_KINDS = ("rss", "atom")
FORUM_BODY = ('<h2>Digital economy</h2><p>More than <strong>60</strong> experts met.</p>'
              '<script>alert(1)</script><p onclick="steal()">Second paragraph.</p>')
CLEAN_FORUM_BODY = ("<h2>Digital economy</h2><p>More than <strong>60</strong> experts "
                    "met.</p><p>Second paragraph.</p>")
COVER = "https://cdn.example.org/forum.jpg"


@pytest.fixture
def forum(make_news, taguspark):
    return make_news(
        "Lisbon forum", body=FORUM_BODY, summary="Experts met in Lisbon.",
        published_at=days_from_now(-2), tags=["forum", "digital economy"],
        park_ids=[taguspark["id"]], cover_image={"url": COVER, "caption": "The hall"},
        translations={"zh": {"title": "里斯本论坛", "body": "<p>专家们在里斯本会面。</p>"}})


@pytest.fixture
def workshop(make_news, pku):
    return make_news("Beijing workshop", body="<p>A workshop.</p>",
                     published_at=days_from_now(-1), tags=["workshop"], park_ids=[pku["id"]])


@pytest.fixture
def news(forum, workshop, make_news, taguspark):
    """Two public items, and a draft and a scheduled item that no feed may show."""
    make_news("Secret draft", status="draft", park_ids=[taguspark["id"]], tags=["forum"])
    make_news("Next year's forum", published_at=days_from_now(3), park_ids=[taguspark["id"]],
              tags=["forum"])
    return {"forum": forum, "workshop": workshop}


def read(client, kind, query="", path=None, **kwargs):
    """GET a feed; answers the response and the feed parsed as a reader would."""
    response = client.get(f"{path or f'/api/v1/feeds/news.{kind}'}{query}", **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == CONTENT_TYPES[kind]
    assert response.mimetype_params == {"charset": "utf-8"}
    if kind == "json":
        document = response.json
        jsonschema.validate(document, JSON_FEED_SCHEMA,
                            format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
        return response, document
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == {"rss": "rss20", "atom": "atom10"}[kind]
    return response, parsed


def titles(kind, document):
    entries = document["items"] if kind == "json" else document.entries
    return [entry["title"] for entry in entries]


def timestamp(value):
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def struct_time(value):
    return timestamp(value).astimezone(UTC).timetuple()[:6]


class TestXmlFeeds:
    @pytest.mark.parametrize("kind", XML_KINDS)
    def test_every_field_of_an_item(self, client, news, kind):
        forum = news["forum"]
        feed = read(client, kind)[1]

        assert feed.feed.title == "CISIP news"
        assert feed.feed.link == f"{FRONTEND}/news"
        assert feed.feed.language == "en"
        assert titles(kind, feed) == ["Beijing workshop", "Lisbon forum"]
        entry = feed.entries[1]
        assert entry.link == f"{FRONTEND}/news/lisbon-forum"
        assert entry.id == f"urn:uuid:{forum['id']}"
        assert entry.summary == "Experts met in Lisbon."
        assert entry.content[0].value == CLEAN_FORUM_BODY
        assert entry.author == "Test Member"
        assert [tag.term for tag in entry.tags] == ["forum", "digital economy"]
        assert [(e.href, e.type) for e in entry.enclosures] == [(COVER, "image/jpeg")]
        assert entry.published_parsed[:6] == struct_time(forum["published_at"])
        assert not feed.entries[0].get("enclosures")

    def test_rss_specifics(self, client, news):
        feed = read(client, "rss")[1]
        assert feed.feed.description.startswith("News of the Community")
        self_links = [link.href for link in feed.feed.links if link.rel == "self"]
        assert self_links == ["http://localhost/api/v1/feeds/news.rss"]
        # RSS readers take the guid, not the link, as the item's identity.
        assert feed.entries[1].guidislink is False

    def test_atom_specifics(self, client, news):
        forum = news["forum"]
        feed = read(client, "atom", "?tag=forum&limit=5")[1]
        assert feed.feed.id == "http://localhost/api/v1/feeds/news.atom?limit=5&tag=forum"
        entry = feed.entries[0]
        rels = {link.rel: link for link in entry.links}
        assert rels["alternate"].href == f"{FRONTEND}/news/lisbon-forum"
        assert rels["alternate"].type == "text/html"
        assert rels["enclosure"].href == COVER
        assert entry.updated_parsed[:6] == struct_time(forum["updated_at"])
        assert feed.feed.updated_parsed[:6] == struct_time(forum["updated_at"])


class TestJsonFeed:
    def test_every_field_of_an_item(self, client, news):
        forum = news["forum"]
        feed = read(client, "json")[1]

        assert feed["version"] == "https://jsonfeed.org/version/1.1"
        assert feed["title"] == "CISIP news"
        assert feed["home_page_url"] == f"{FRONTEND}/news"
        assert feed["feed_url"] == "http://localhost/api/v1/feeds/news.json"
        assert titles("json", feed) == ["Beijing workshop", "Lisbon forum"]
        assert feed["items"][1] == {
            "id": f"urn:uuid:{forum['id']}",
            "url": f"{FRONTEND}/news/lisbon-forum",
            "title": "Lisbon forum",
            "summary": "Experts met in Lisbon.",
            "content_html": CLEAN_FORUM_BODY,
            "date_published": forum["published_at"],
            "date_modified": forum["updated_at"],
            "tags": ["forum", "digital economy"],
            "language": "en",
            "authors": [{"name": "Test Member"}],
            "image": COVER,
        }
        for url in (feed["home_page_url"], feed["feed_url"], feed["items"][1]["url"]):
            assert urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc

    def test_the_schema_rejects_what_the_spec_forbids(self):
        # The schema in tests/data can fail: an item without content, a date that is not
        # RFC 3339, a feed without its version.
        good = {"version": "https://jsonfeed.org/version/1.1", "title": "T",
                "items": [{"id": "1", "content_html": "<p>x</p>",
                           "date_published": "2021-12-09T00:00:00Z"}]}
        checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
        jsonschema.validate(good, JSON_FEED_SCHEMA, format_checker=checker)
        bad = [good | {"version": "1.1"},
               good | {"items": [{"id": "1"}]},
               good | {"items": [{"id": "1", "content_text": "x",
                                  "date_published": "9 December 2021"}]}]
        for document in bad:
            with pytest.raises(jsonschema.ValidationError):
                jsonschema.validate(document, JSON_FEED_SCHEMA, format_checker=checker)


@pytest.mark.parametrize("kind", ["rss", "atom", "json"])
class TestFilters:
    @pytest.mark.parametrize(("query", "expected"), [
        ("?park=taguspark", ["Lisbon forum"]),
        ("?tag=workshop", ["Beijing workshop"]),
        ("?country=CN", ["Beijing workshop"]),
        ("?country=PT&tag=forum", ["Lisbon forum"]),
        ("?limit=1", ["Beijing workshop"]),
        ("?tag=nothing", []),
    ])
    def test_filters(self, client, news, kind, query, expected):
        assert titles(kind, read(client, kind, query)[1]) == expected

    def test_park_by_id(self, client, news, taguspark, kind):
        assert titles(kind, read(client, kind, f"?park={taguspark['id']}")[1]) == [
            "Lisbon forum"]

    def test_per_park_shortcut(self, client, news, kind):
        feed = read(client, kind, "?tag=forum", path=f"/api/v1/parks/taguspark/feed.{kind}")[1]
        assert titles(kind, feed) == ["Lisbon forum"]
        title = feed["title"] if kind == "json" else feed.feed.title
        assert title == "CISIP news: Taguspark"

    def test_unknown_park_shortcut_is_404(self, client, news, kind):
        assert_problem(client.get(f"/api/v1/parks/nowhere/feed.{kind}"), 404, "not_found")

    @pytest.mark.parametrize("query", ["?limit=0", "?limit=101", "?limit=many", "?country=XX",
                                       "?lang=not a tag", "?tag="])
    def test_bad_arguments_are_422(self, client, news, kind, query):
        body = assert_problem(client.get(f"/api/v1/feeds/news.{kind}{query}"), 422,
                              "validation_error")
        assert list(body["errors"]) == ["query"]

    def test_translated_content(self, client, news, kind):
        response, feed = read(client, kind, "?lang=zh")
        assert response.headers["Content-Language"] == "en, zh"
        assert titles(kind, feed) == ["Beijing workshop", "里斯本论坛"]
        if kind == "json":
            item = feed["items"][1]
            assert feed["language"] == "zh"
            assert (item["language"], item["content_html"], item["summary"]) == (
                "zh", "<p>专家们在里斯本会面。</p>", "专家们在里斯本会面。")
            assert feed["items"][0]["language"] == "en"
        else:
            assert feed.feed.language == "zh"
            assert feed.entries[1].content[0].value == "<p>专家们在里斯本会面。</p>"
        # The same by Accept-Language.
        by_header = read(client, kind, headers={"Accept-Language": "zh-CN,zh;q=0.9"})[1]
        assert titles(kind, by_header) == ["Beijing workshop", "里斯本论坛"]

    def test_drafts_and_scheduled_news_never_appear_even_to_editors(self, client, news,
                                                                    editor, kind):
        for headers in ({}, editor):
            feed = read(client, kind, "?park=taguspark&status=draft", headers=headers)[1]
            assert titles(kind, feed) == ["Lisbon forum"]

    def test_ids_are_stable(self, client, news, kind):
        def ids(query):
            feed = read(client, kind, query)[1]
            entries = feed["items"] if kind == "json" else feed.entries
            return [entry["id"] for entry in entries]

        expected = [f"urn:uuid:{news[name]['id']}" for name in ("workshop", "forum")]
        assert ids("") == ids("") == ids("?limit=50") == expected
        assert ids("?lang=zh") == expected


class TestHttp:
    @pytest.mark.parametrize("kind", ["rss", "atom", "json"])
    def test_conditional_get(self, client, news, kind):
        response = read(client, kind)[0]
        etag, modified = response.headers["ETag"], response.headers["Last-Modified"]
        newest = max(timestamp(news[name]["updated_at"]) for name in news)
        assert parsedate_to_datetime(modified) == newest.replace(microsecond=0)

        again = client.get(f"/api/v1/feeds/news.{kind}", headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.data == b""
        assert again.headers["ETag"] == etag

        unchanged = client.get(f"/api/v1/feeds/news.{kind}",
                               headers={"If-Modified-Since": modified})
        assert unchanged.status_code == 304
        earlier = format_datetime(parsedate_to_datetime(modified) - timedelta(seconds=1),
                                  usegmt=True)
        changed = client.get(f"/api/v1/feeds/news.{kind}",
                             headers={"If-Modified-Since": earlier})
        assert changed.status_code == 200 and changed.data == response.data

    def test_an_empty_feed_has_no_last_modified(self, client):
        response, feed = read(client, "json")
        assert feed["items"] == []
        assert "Last-Modified" not in response.headers

    @pytest.mark.parametrize("kind", ["rss", "atom", "json"])
    def test_readable_from_any_origin(self, client, news, kind):
        response = client.get(f"/api/v1/feeds/news.{kind}",
                              headers={"Origin": "https://partner.example"})
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Credentials" not in response.headers
        exposed = response.headers["Access-Control-Expose-Headers"]
        assert "ETag" in exposed and "Last-Modified" in exposed

    @pytest.mark.parametrize("kind", ["rss", "atom", "json"])
    def test_an_edit_shows_in_the_next_read(self, client, news, editor, kind):
        path = f"/api/v1/feeds/news.{kind}"
        read(client, kind)
        cached = client.get(path)
        assert cached.headers["X-Cache"] == "HIT"

        response = client.patch(f"/api/v1/news/{news['forum']['id']}",
                                json={"title": "Lisbon forum, the report"}, headers=editor)
        assert response.status_code == 200

        fresh = client.get(path)
        assert fresh.headers["X-Cache"] == "MISS"
        assert fresh.headers["ETag"] != cached.headers["ETag"]
        assert titles(kind, read(client, kind)[1]) == ["Beijing workshop",
                                                       "Lisbon forum, the report"]

    @pytest.mark.parametrize("kind", XML_KINDS)
    def test_renaming_the_author_purges_xml_feeds(self, client, news, editor, kind):
        # XML bodies carry no JSON ids: the feed tags its cache entry with the ones it shows.
        read(client, kind)
        assert client.get(f"/api/v1/feeds/news.{kind}").headers["X-Cache"] == "HIT"
        response = client.patch("/api/v1/auth/me", json={"full_name": "Ana Lima"},
                                headers=editor)
        assert response.status_code == 200, response.json
        assert read(client, kind)[1].entries[1].author == "Ana Lima"


def store(db, news_id, **columns):
    """Write columns of a news item straight to the database, as older code may have."""
    db.session.execute(update(News).where(News.id == uuid.UUID(news_id)).values(**columns))
    db.session.commit()


class TestWhatFeedsCarry:
    @pytest.mark.parametrize("kind", XML_KINDS)
    def test_characters_xml_forbids_in_stored_text_are_left_out(self, client, db, make_news,
                                                                kind):
        item = make_news("Forum opens", tags=["forum"])
        store(db, item["id"], title="Vertical\x0btab\ufffe", summary="Form\x0cfeed\x1b",
              body="<p>Bell\x07 rings</p>")
        entry = read(client, kind)[1].entries[0]
        assert entry.title == "Verticaltab"
        assert entry.summary == "Formfeed"
        assert entry.content[0].value == "<p>Bell rings</p>"

    def test_the_json_feed_carries_such_text_escaped(self, client, db, make_news):
        item = make_news("Forum opens")
        store(db, item["id"], title="Vertical\x0btab")
        assert read(client, "json")[1]["items"][0]["title"] == "Vertical\x0btab"

    def test_rss_description_is_the_summary_as_html_text(self, client, make_news):
        # The body shows markup as text; the summary derived from it is that text.
        make_news("Markup as text", body="<p>&lt;img src=x onerror=alert(1)&gt; &amp; more</p>")
        summary = "<img src=x onerror=alert(1)> & more"
        response, feed = read(client, "rss")
        description = etree.fromstring(response.data).findtext("channel/item/description")
        assert description == "&lt;img src=x onerror=alert(1)&gt; &amp; more"
        assert html.unescape(description) == summary  # what a reader rendering HTML shows
        assert feed.entries[0].summary_detail.type == "text/html"

    def test_atom_and_json_summaries_are_text(self, client, make_news):
        make_news("Markup as text", body="<p>&lt;b&gt;bold&lt;/b&gt; words</p>")
        atom = read(client, "atom")[1].entries[0]
        assert (atom.summary_detail.type, atom.summary) == ("text/plain", "<b>bold</b> words")
        assert read(client, "json")[1]["items"][0]["summary"] == "<b>bold</b> words"

    @pytest.mark.parametrize("kind", ["rss", "atom", "json"])
    def test_stored_html_is_sanitised_again(self, client, db, make_news, kind):
        item = make_news("Forum opens")
        store(db, item["id"], body='<p onclick="steal()">Hi <a href="javascript:x()">there'
              '</a></p><script>alert(1)</script>')
        response, feed = read(client, kind)
        content = (feed["items"][0]["content_html"] if kind == "json"
                   else etree.fromstring(response.data).findtext(
                       "channel/item/{http://purl.org/rss/1.0/modules/content/}encoded")
                   if kind == "rss" else feed.entries[0].content[0].value)
        assert content == '<p>Hi <a rel="noopener">there</a></p>'
