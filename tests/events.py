"""Factories for event tests: events and their sessions created through the API."""

import pytest

from tests.content import days_from_now


@pytest.fixture
def make_event(client, editor):
    """Create an event, published, a month from now for a day, unless told otherwise."""

    def factory(title, **fields):
        fields = {"status": "published", "starts_at": days_from_now(30),
                  "ends_at": days_from_now(31), "timezone": "Europe/Lisbon",
                  "body": "<p>About the event.</p>"} | fields
        response = client.post("/api/v1/events", json={"title": title, **fields},
                               headers=editor)
        assert response.status_code == 201, response.json
        return response.json

    return factory


@pytest.fixture
def add_session(client, editor):
    """Add a session to an event: `add_session(event, "Opening", starts_at=…, ends_at=…)`."""

    def factory(event, title, **fields):
        fields = {"type": "keynote", "starts_at": event["starts_at"],
                  "ends_at": event["ends_at"]} | fields
        response = client.post(f"/api/v1/events/{event['slug']}/sessions",
                               json={"title": title, **fields}, headers=editor)
        assert response.status_code == 201, response.json
        return response.json

    return factory
