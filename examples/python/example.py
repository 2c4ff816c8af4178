"""Calling the CISIP API from Python with a client generated from its OpenAPI document.

    openapi-python-client generate --path openapi/openapi.json \\
        --config examples/python/openapi-python-client.yaml \\
        --output-path examples/python/cisip-api-client
    pip install ./examples/python/cisip-api-client
    python examples/python/example.py

Against `make run` (the demo data) it needs no settings; CISIP_API_URL, CISIP_EMAIL and
CISIP_PASSWORD point it elsewhere. It prints what it found as one JSON object.
"""

import hashlib
import json
import os
from typing import Any, NoReturn

from cisip_api_client import AuthenticatedClient, Client
from cisip_api_client.api.auth import get_me, login, refresh_tokens
from cisip_api_client.api.news import get_news, list_news
from cisip_api_client.api.reports import create_report_download_link, get_report
from cisip_api_client.models import (
    DownloadLink,
    ListNewsSort,
    Login,
    News,
    NewsPage,
    Problem,
    Profile,
    Report,
    ReportSummaryAccess,
    TokenPair,
)

BASE_URL = os.environ.get("CISIP_API_URL", "http://127.0.0.1:5000")
EMAIL = os.environ.get("CISIP_EMAIL", "song.qi@cisip.example")
PASSWORD = os.environ.get("CISIP_PASSWORD", "cisip-demo-member")


def fail(step: str, answer: object) -> NoReturn:
    """Stop with the problem details the API answered (RFC 9457, with a stable `code`)."""
    if isinstance(answer, Problem):
        raise SystemExit(f"{step}: {answer.status} {answer.code.value}: {answer.detail}")
    raise SystemExit(f"{step}: unexpected answer {answer!r}")


def logged_in(tokens: TokenPair) -> AuthenticatedClient:
    return AuthenticatedClient(base_url=BASE_URL, token=tokens.access_token)


def main() -> dict[str, Any]:
    anonymous = Client(base_url=BASE_URL)

    # 1. Log in: a Bearer token pair (browser apps on the API's site may ask for cookies).
    tokens = login.sync(client=anonymous, body=Login(email=EMAIL, password=PASSWORD))
    if not isinstance(tokens, TokenPair):
        fail("login", tokens)
    member = logged_in(tokens)

    # 2. List news, filtered by tag, newest first. (openapi-python-client types every
    # operation that takes a login, even an optional one, for an AuthenticatedClient.)
    page = list_news.sync(client=member, tag="forum", per_page=5,
                          sort=ListNewsSort.PUBLISHED_AT_DESC)
    if not isinstance(page, NewsPage):
        fail("list news", page)
    if not page.items:
        raise SystemExit("no news tagged 'forum'")

    # 3. One news item by its slug, in English.
    news = get_news.sync(page.items[0].slug, client=member, lang="en")
    if not isinstance(news, News):
        fail("get news", news)
    report = next((summary for summary in news.reports
                   if summary.access is ReportSummaryAccess.MEMBERS), None)
    if report is None:
        raise SystemExit("the news item links no members-only report")

    # 4. Who am I?
    me = get_me.sync(client=member)
    if not isinstance(me, Profile):
        fail("get me", me)

    # 5. Refresh: the refresh token is spent and a new pair comes back.
    refreshed = refresh_tokens.sync(client=AuthenticatedClient(base_url=BASE_URL,
                                                               token=tokens.refresh_token))
    if not isinstance(refreshed, TokenPair):
        fail("refresh", refreshed)
    member = logged_in(refreshed)
    me_again = get_me.sync(client=member)
    if not isinstance(me_again, Profile):
        fail("get me after refresh", me_again)

    # 6. A 422 and a 404, read as problem details.
    invalid = list_news.sync_detailed(client=member, per_page=1000)
    if not isinstance(invalid.parsed, Problem):
        fail("per_page=1000", invalid.parsed)
    missing = get_news.sync_detailed("no-such-news-item", client=member)
    if not isinstance(missing.parsed, Problem):
        fail("an unknown slug", missing.parsed)
    fields = invalid.parsed.errors["query"].additional_keys if invalid.parsed.errors else []

    # 7. A members-only report through a signed link: the link needs the login, following
    # it does not (a browser or download manager can have it).
    link = create_report_download_link.sync(report.slug, client=member)
    if not isinstance(link, DownloadLink):
        fail("download link", link)
    download = anonymous.get_httpx_client().get(link.url)
    download.raise_for_status()
    details = get_report.sync(report.slug, client=member)
    if not isinstance(details, Report):
        fail("get report", details)
    sha256 = hashlib.sha256(download.content).hexdigest()

    return {
        "news": {"total": page.pagination.total, "slugs": [item.slug for item in page.items]},
        "detail": {"slug": news.slug, "title": news.title, "language": news.language},
        "me": {"email": me.email, "full_name": me.full_name},
        "refreshed": me_again.id == me.id,
        "validation_error": {"status": invalid.status_code.value,
                             "code": invalid.parsed.code.value, "fields": fields},
        "not_found": {"status": missing.status_code.value, "code": missing.parsed.code.value},
        "download": {
            "report": report.slug,
            "bytes": len(download.content),
            "content_type": download.headers.get("Content-Type"),
            "sha256_matches": details.file is not None and details.file.sha256 == sha256,
        },
    }


if __name__ == "__main__":
    print(json.dumps(main()))
