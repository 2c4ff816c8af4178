"""Factories for content tests: parks, speakers, news and reports created through the API,
and two parks many tests use (`taguspark`, `pku`)."""

import json
from datetime import UTC, datetime, timedelta

import pytest


def iso(moment):
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def days_from_now(days):
    return iso(datetime.now(UTC) + timedelta(days=days))


@pytest.fixture
def editor(auth_headers):
    return auth_headers("editor")


@pytest.fixture
def make_park(client, editor):
    def factory(name, country="PT", **fields):
        response = client.post("/api/v1/parks", json={"name": name, "country": country,
                                                      **fields}, headers=editor)
        assert response.status_code == 201, response.json
        return response.json

    return factory


@pytest.fixture
def make_speaker(client, editor):
    def factory(name, **fields):
        response = client.post("/api/v1/speakers", json={"name": name, **fields},
                               headers=editor)
        assert response.status_code == 201, response.json
        return response.json

    return factory


@pytest.fixture
def taguspark(make_park):
    return make_park("Taguspark", "PT")


@pytest.fixture
def pku(make_park):
    return make_park("Peking University Science Park", "CN")


@pytest.fixture
def make_news(client, editor):
    """Create a news item; published a day ago unless told otherwise."""

    def factory(title, body="<p>Body.</p>", **fields):
        fields = {"status": "published", "published_at": days_from_now(-1)} | fields
        response = client.post("/api/v1/news", json={"title": title, "body": body, **fields},
                               headers=editor)
        assert response.status_code == 201, response.json
        return response.json

    return factory


@pytest.fixture
def make_report(client, editor):
    """Create a report (multipart form, no file); published a day ago unless told otherwise.

    A `translations` dict is sent JSON-encoded, as a form carries it."""

    def factory(title, year=2021, **fields):
        fields = {"published_at": days_from_now(-1), "access": "members"} | fields
        if "translations" in fields:
            fields["translations"] = json.dumps(fields["translations"])
        fields = {key: value for key, value in fields.items() if value is not None}
        response = client.post("/api/v1/reports", data={"title": title, "year": str(year),
                                                        **fields},
                               content_type="multipart/form-data", headers=editor)
        assert response.status_code == 201, response.json
        return response.json

    return factory
