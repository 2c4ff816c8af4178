"""Content at scale: 100,000 news items in PostgreSQL, and how fast the API reads them.

Loads (bulk COPY, not through HTTP) parks, speakers and news with tags, parks and speakers
into a database of its own, then times list, filter, search and detail requests through the
app (Flask's test client, in process) and prints p50/p99 per request kind as a Markdown table.

    .venv/bin/python -m benchmarks.content_bench                # load if needed, measure
    .venv/bin/python -m benchmarks.content_bench --reload       # drop, load again, measure
    .venv/bin/python -m benchmarks.content_bench --only search  # the rows whose label has it
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@host/db .venv/bin/python -m ...

Not part of `make test`. A full run (load + measure) takes about two minutes here.
"""

import argparse
import gc
import os
import random
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta

from alembic import command as alembic_command
from psycopg.types.json import Jsonb
from sqlalchemy import create_engine, make_url, text

from api import create_app
from api.commands import alembic_config
from api.models import News, NewsStatus, Park, Speaker
from api.sanitize import summarize
from config import DevelopmentConfig

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/cisip_bench"
NEWS, PARKS, SPEAKERS, TAGS = 100_000, 200, 2_000, 60
COUNTRIES = [
    "CN",
    "PT",
    "PK",
    "IN",
    "HU",
    "TH",
    "BR",
    "EG",
    "RS",
    "GE",
    "MY",
    "ID",
    "SE",
    "DE",
    "FR",
    "KE",
    "NG",
    "MX",
    "AR",
    "VN",
]
ROLES = ["host", "keynote", "speaker", "panelist", "presenter"]
NOW = datetime.now(UTC)
# Words of the seed article, then synthetic ones; drawn with Zipf-like weights, so some
# words are in most items and others in a few.
BASE_WORDS = [
    "science",
    "park",
    "technology",
    "digital",
    "economy",
    "innovation",
    "forum",
    "report",
    "development",
    "cooperation",
    "industry",
    "enterprise",
    "platform",
    "strategy",
    "research",
    "investment",
    "talent",
    "infrastructure",
    "policy",
    "regional",
    "international",
    "community",
    "ecology",
    "scenario",
    "pharmaceutical",
    "software",
    "energy",
    "materials",
    "marine",
    "artificial",
    "intelligence",
    "network",
    "transformation",
    "recovery",
    "vitality",
    "incubator",
    "startup",
    "cluster",
    "university",
]
VOCABULARY = BASE_WORDS + [f"lexeme{n:04d}" for n in range(4000)]
WEIGHTS = [1 / (rank + 1) for rank in range(len(VOCABULARY))]


def ensure_database(url):
    """Create the benchmark database when it does not exist."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
        # Short OLTP queries: parallel workers cost more to start (~15 ms here) than they save.
        connection.execute(
            text(f'ALTER DATABASE "{target.database}" SET max_parallel_workers_per_gather = 0')
        )
    admin.dispose()


def reset_schema(engine):
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
        alembic_command.upgrade(alembic_config(connection), "heads")


def words(rng, count):
    return " ".join(rng.choices(VOCABULARY, weights=WEIGHTS, k=count))


def copy_rows(cursor, table, columns, rows):
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def search_row(item):
    document = item.search_document()
    return (
        item.SEARCH_TYPE,
        item.id,
        item.slug,
        document["title"],
        document["content"],
        document["visible_from"],
    )


def generate(rng):
    """Parks, speakers, news and their links, as rows for COPY."""
    parks = [
        Park(
            id=uuid.uuid4(),
            slug=f"bench-park-{n}",
            name=f"Bench Science Park {n}",
            country=COUNTRIES[n % len(COUNTRIES)],
            city=f"City {n}",
            description=words(rng, 30),
            focus_industries=[],
            translations={},
        )
        for n in range(PARKS)
    ]
    speakers = [
        Speaker(
            id=uuid.uuid4(),
            slug=f"bench-speaker-{n}",
            name=f"Speaker {n}",
            job_title="Director",
            organization=f"Org {n % 300}",
            country=rng.choice(COUNTRIES),
            bio=words(rng, 20),
            translations={},
        )
        for n in range(SPEAKERS)
    ]
    news, news_parks, news_speakers = [], [], []
    for n in range(NEWS):
        roll = rng.random()
        status = (
            NewsStatus.DRAFT
            if roll < 0.05
            else NewsStatus.ARCHIVED
            if roll < 0.08
            else NewsStatus.PUBLISHED
        )
        published = NOW - timedelta(minutes=rng.randrange(0, 10 * 365 * 24 * 60))
        if 0.08 <= roll < 0.10:
            published = NOW + timedelta(days=rng.randrange(1, 60))
        body = "".join(f"<p>{words(rng, 40)}</p>" for _ in range(3))
        item = News(
            id=uuid.uuid4(),
            slug=f"bench-news-{n}",
            title=words(rng, 8).capitalize(),
            body=body,
            summary=summarize(body),
            status=status,
            published_at=None if status is NewsStatus.DRAFT else published,
            tags=sorted(
                {f"tag-{rng.randrange(TAGS) ** 2 // TAGS:02d}" for _ in range(rng.randint(1, 4))}
            ),
            images=[],
            translations={},
        )
        news.append(item)
        for park in rng.sample(parks, rng.randint(1, 3)):
            news_parks.append((item.id, park.id))
        for position, speaker in enumerate(rng.sample(speakers, rng.randint(0, 4))):
            news_speakers.append((item.id, speaker.id, rng.choice(ROLES), None, position))
    return parks, speakers, news, news_parks, news_speakers


def load(engine):
    rng = random.Random(42)  # noqa: S311 - test data
    started = time.perf_counter()
    parks, speakers, news, news_parks, news_speakers = generate(rng)
    stamp = NOW
    raw = engine.raw_connection()
    try:
        with raw.driver_connection.cursor() as cursor:
            copy_rows(
                cursor,
                "parks",
                [
                    "id",
                    "slug",
                    "name",
                    "country",
                    "city",
                    "description",
                    "focus_industries",
                    "is_member",
                    "default_language",
                    "translations",
                    "created_at",
                    "updated_at",
                ],
                (
                    (
                        p.id,
                        p.slug,
                        p.name,
                        p.country,
                        p.city,
                        p.description,
                        Jsonb([]),
                        True,
                        "en",
                        Jsonb({}),
                        stamp,
                        stamp,
                    )
                    for p in parks
                ),
            )
            copy_rows(
                cursor,
                "speakers",
                [
                    "id",
                    "slug",
                    "name",
                    "job_title",
                    "organization",
                    "country",
                    "bio",
                    "default_language",
                    "translations",
                    "created_at",
                    "updated_at",
                ],
                (
                    (
                        s.id,
                        s.slug,
                        s.name,
                        s.job_title,
                        s.organization,
                        s.country,
                        s.bio,
                        "en",
                        Jsonb({}),
                        stamp,
                        stamp,
                    )
                    for s in speakers
                ),
            )
            copy_rows(
                cursor,
                "news",
                [
                    "id",
                    "slug",
                    "title",
                    "summary",
                    "body",
                    "status",
                    "published_at",
                    "images",
                    "tags",
                    "default_language",
                    "translations",
                    "created_at",
                    "updated_at",
                ],
                (
                    (
                        n.id,
                        n.slug,
                        n.title,
                        n.summary,
                        n.body,
                        n.status.value,
                        n.published_at,
                        Jsonb([]),
                        Jsonb(n.tags),
                        "en",
                        Jsonb({}),
                        stamp,
                        stamp,
                    )
                    for n in news
                ),
            )
            copy_rows(cursor, "news_parks", ["news_id", "park_id"], news_parks)
            copy_rows(
                cursor,
                "news_speakers",
                ["news_id", "speaker_id", "role", "talk_title", "position"],
                news_speakers,
            )
            copy_rows(
                cursor,
                "search_documents",
                ["type", "item_id", "slug", "title", "content", "visible_from"],
                (search_row(item) for item in [*parks, *speakers, *news]),
            )
        raw.driver_connection.commit()
    finally:
        raw.close()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    print(
        f"Loaded {NEWS:,} news, {len(news_parks):,} park links, {len(news_speakers):,} "
        f"speaker links, {PARKS} parks, {SPEAKERS:,} speakers in "
        f"{time.perf_counter() - started:.0f} s."
    )


def loaded(engine):
    with engine.connect() as connection:
        try:
            return connection.scalar(text("SELECT count(*) FROM news")) == NEWS
        except Exception:
            return False


def scenarios(engine):
    """(label, path or callable giving a path[, runs]), with real slugs from the data."""
    with engine.connect() as connection:
        slugs = connection.scalars(
            text(
                "SELECT slug FROM news WHERE status = 'published' AND published_at <= now() "
                "ORDER BY random() LIMIT 500"
            )
        ).all()
        public = connection.scalar(
            text("SELECT count(*) FROM news WHERE status = 'published' AND published_at <= now()")
        )
    rng = random.Random(7)  # noqa: S311 - test data
    pages = -(-public // 20)
    return [
        ("list, page 1", "/api/v1/news"),
        ("list, page 1, per_page=100", "/api/v1/news?per_page=100"),
        ("list, page 2,000", "/api/v1/news?page=2000"),
        (f"list, last page ({pages:,})", f"/api/v1/news?page={pages}"),
        ("list, sort=title, page 1", "/api/v1/news?sort=title"),
        ("list, sort=title, page 2,000", "/api/v1/news?sort=title&page=2000"),
        ("filter tag (common)", "/api/v1/news?tag=tag-00"),
        ("filter tag (rare)", "/api/v1/news?tag=tag-58"),
        ("filter park", lambda: f"/api/v1/news?park=bench-park-{rng.randrange(PARKS)}"),
        ("filter country", lambda: f"/api/v1/news?country={rng.choice(COUNTRIES)}"),
        ("filter speaker", lambda: f"/api/v1/news?speaker=bench-speaker-{rng.randrange(SPEAKERS)}"),
        ("filter from/to (one month)", "/api/v1/news?from=2022-03-01&to=2022-03-31"),
        (
            "filter q (rare word, ~0.5% of items)",
            lambda: f"/api/v1/news?q=lexeme{rng.randrange(2000, 4000)}",
        ),
        (
            "filter q (word in ~7% of items)",
            lambda: f"/api/v1/news?q=lexeme{rng.randrange(150, 200):04d}",
        ),
        ("filter q (word in 94% of items)", "/api/v1/news?q=forum", 20),
        ("park news", lambda: f"/api/v1/parks/bench-park-{rng.randrange(PARKS)}/news"),
        ("search (rare word)", lambda: f"/api/v1/search?q=lexeme{rng.randrange(2000, 4000)}"),
        (
            "search (word in ~7% of items)",
            lambda: f"/api/v1/search?q=lexeme{rng.randrange(150, 200):04d}",
        ),
        (
            "search (two words, both in ~7%)",
            lambda: (
                f"/api/v1/search?q=lexeme{rng.randrange(150, 175):04d}"
                f"%20lexeme{rng.randrange(175, 200):04d}"
            ),
        ),
        ("search (word in 94% of items)", "/api/v1/search?q=forum", 20),
        ("detail", lambda: f"/api/v1/news/{rng.choice(slugs)}"),
        ("speaker detail", lambda: f"/api/v1/speakers/bench-speaker-{rng.randrange(SPEAKERS)}"),
    ]


def measure(client, path, runs, warmup=10):
    timings = []
    for n in range(warmup + runs):
        target = path() if callable(path) else path
        started = time.perf_counter()
        response = client.get(target)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (target, response.status_code)
        if n >= warmup:
            timings.append(elapsed)
    timings.sort()
    return statistics.median(timings), timings[max(0, int(len(timings) * 0.99) - 1)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reload", action="store_true", help="drop and load the data again")
    parser.add_argument("--runs", type=int, default=200, help="timed requests per kind")
    parser.add_argument("--only", default="", help="only the request kinds whose label "
                        "contains this text (`search`, `filter q`…)")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    engine = create_engine(url)
    if args.reload or not loaded(engine):
        reset_schema(engine)
        load(engine)
    cached = client_for(url, count_cache=30)
    uncached = client_for(url, count_cache=0, item_cache=0)
    # As wsgi.py does after start-up (there before any request; here after a first one).
    gc.collect()
    gc.freeze()
    print(f"\n{args.runs} timed requests each (after 10 warm-up), in-process test client.")
    print("Response cache off. Cached: list totals (LIST_COUNT_CACHE_SECONDS=30) and items' "
          "JSON (ITEM_CACHE_SECONDS=600), the defaults; cold: neither.\n")
    print("| request | p50 ms | p99 ms | p50 ms, cold | p99 ms, cold |")
    print("|---|---:|---:|---:|---:|")
    for label, path, *runs in scenarios(engine):
        if args.only not in label:
            continue
        # The pathological queries (a word in nearly every item) run fewer times.
        runs = min(runs[0], args.runs) if runs else args.runs
        warm = measure(cached, path, runs)
        cold = measure(uncached, path, runs)
        print(
            f"| {label} | {warm[0]:.1f} | {warm[1]:.1f} | {cold[0]:.1f} | {cold[1]:.1f} |",
            flush=True,
        )
    engine.dispose()


def client_for(url, count_cache, item_cache=600):
    config = DevelopmentConfig(
        {"DATABASE_URL": url, "LOG_LEVEL": "WARNING",
         "LIST_COUNT_CACHE_SECONDS": str(count_cache),
         # What is measured is a miss of the response cache (cache_bench measures hits),
         # with each item's JSON kept as in production (ITEM_CACHE_SECONDS, in process).
         "RESPONSE_CACHE_SECONDS": "0", "ITEM_CACHE_SECONDS": str(item_cache),
         "WORKER_IN_PROCESS": "false"}
    )
    client = create_app(config).test_client()
    client.get("/api/v1/news")
    return client


if __name__ == "__main__":
    main()
