"""No N+1 queries: a page of news with all its relations costs a fixed number of statements."""

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from api.extensions import db
from api.http_cache import build
from api.models import (
    Access,
    Member,
    News,
    NewsSpeaker,
    NewsStatus,
    Park,
    Report,
    Speaker,
    SpeakerRole,
)
from api.viewer import Viewer

# The page of ids with its total (one statement), items, and one per relation (author, parks,
# reports, speakers, events), plus the test transaction's savepoint and its rollback on
# PostgreSQL. The next scheduled publications are asked once and kept in the store (see
# `warm`).
MAX_STATEMENTS = 9


@pytest.fixture
def app(make_app):
    """List totals are counted every time here (a cached total would save a statement)."""
    return make_app(LIST_COUNT_CACHE_SECONDS=0)


@contextmanager
def counted_statements():
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", count)


@pytest.fixture
def hundred_news(app):
    """100 published news items, each with 2 parks, 3 speakers, 2 reports (one of them not
    published yet, so hidden from the public), tags, images and an author."""
    with app.app_context():
        author = Member(email="author@example.org", full_name="Author")
        parks = [Park(name=f"Park {n}", slug=f"park-{n}", country="PT") for n in range(10)]
        speakers = [Speaker(name=f"Speaker {n}", slug=f"speaker-{n}") for n in range(10)]
        start = datetime(2021, 1, 1, tzinfo=UTC)
        reports = [Report(title=f"Report {n}", slug=f"report-{n}", year=2021,
                          access=Access.MEMBERS, published_at=start if n % 2 else None)
                   for n in range(10)]
        for n in range(100):
            news = News(title=f"News {n}", slug=f"news-{n}", body="<p>x</p>", summary="x",
                        status=NewsStatus.PUBLISHED, published_at=start + timedelta(days=n),
                        tags=["forum", f"t{n % 7}"], author=author,
                        images=[{"url": "https://cdn.example.org/a.jpg", "caption": None}],
                        parks=[parks[n % 10], parks[(n + 1) % 10]],
                        reports=[reports[n % 10], reports[(n + 1) % 10]])
            news.speaker_links = [NewsSpeaker(speaker=speakers[(n + k) % 10], position=k,
                                              role=SpeakerRole.PANELIST) for k in range(3)]
            db.session.add(news)
        db.session.commit()


@pytest.fixture
def warm(client, hundred_news):
    """One first list: it reads the publication schedules, which later misses find cached."""
    assert client.get("/api/v1/news?per_page=1").status_code == 200


def statements_for(client, query, headers=None):
    with counted_statements() as statements:
        response = client.get(f"/api/v1/news?{query}", headers=headers)
    assert response.status_code == 200
    return response, len(statements)


def test_a_page_costs_the_same_few_statements_whatever_its_size(client, warm):
    # Pages of items no list has shown yet (`warm` showed the newest one).
    small, small_count = statements_for(client, "per_page=10&page=2")
    large, large_count = statements_for(client, "per_page=50&page=2")
    assert len(small.json["items"]) == 10 and len(large.json["items"]) == 50
    item = large.json["items"][0]
    assert len(item["parks"]) == 2 and len(item["speakers"]) == 3 and item["author"]
    assert len(item["reports"]) == 1 and item["reports"][0]["access"] == "members"
    assert small_count == large_count <= MAX_STATEMENTS


def test_editors_pages_with_every_report_cost_no_more(client, warm, auth_headers):
    editor = auth_headers("editor")
    client.get("/api/v1/news?per_page=1", headers=editor)  # also checks the login
    counts = []
    for query in ("per_page=10&page=2", "per_page=50&page=2"):
        response, count = statements_for(client, query, editor)
        assert all(len(item["reports"]) == 2 for item in response.json["items"])
        counts.append(count)
    assert counts[0] == counts[1] <= MAX_STATEMENTS


def test_items_a_list_showed_cost_no_statement_in_another_list(client, warm):
    first, _ = statements_for(client, "per_page=100")
    other, count = statements_for(client, "per_page=100&tag=forum")
    assert other.json["items"] == first.json["items"]
    # The total and the page of ids (and the test's savepoint on PostgreSQL).
    assert count <= MAX_STATEMENTS - 5


def test_filters_do_not_add_per_item_statements(client, warm):
    _, small_count = statements_for(client, "per_page=10&tag=forum&country=PT&q=x")
    _, large_count = statements_for(client, "per_page=100&tag=forum&country=PT&q=x")
    assert small_count == large_count <= MAX_STATEMENTS


def test_a_cacheable_read_queries_outside_any_transaction(committing_app):
    """No BEGIN and no ROLLBACK around a cached response's queries: each is one round
    trip."""
    app = committing_app()
    modes = []

    def record(conn, _cursor, _statement, *_args):
        modes.append(conn.get_execution_options().get("isolation_level"))

    event.listen(Engine, "before_cursor_execute", record)
    try:
        assert app.test_client().get("/api/v1/parks?per_page=3").status_code == 200
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    assert modes and set(modes) == {"AUTOCOMMIT"}


def test_a_cacheable_read_may_not_write(committing_app):
    app = committing_app()

    def render():
        db.session.add(Park(name="Written by a read", slug="written-by-a-read", country="PT"))
        db.session.flush()

    with app.test_request_context("/api/v1/parks"):
        with pytest.raises(RuntimeError, match="may not write"):
            build("response:writes", "parks", Viewer(), render)
        with (pytest.raises(RuntimeError, match="may not write"), db.reading(),
              db.transaction()):
            pass
    assert app.test_client().get("/api/v1/parks/written-by-a-read").status_code == 404
