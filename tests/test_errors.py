"""Every error, from every layer, is problem+json."""

import pytest
from flask import Blueprint
from sqlalchemy.exc import OperationalError

from tests.helpers import assert_problem


def test_unknown_path_is_404_problem(client):
    body = assert_problem(client.get("/api/v1/no-such-thing"), 404, "not_found")
    assert "errors" not in body


def test_wrong_method_is_405_with_allow_header(client):
    response = client.put("/api/v1/parks")
    assert_problem(response, 405, "method_not_allowed")
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}


def test_invalid_json_body_is_400_problem(client, auth_headers):
    response = client.post("/api/v1/parks", data="{not json",
                           headers=auth_headers("editor") | {"Content-Type": "application/json"})
    assert_problem(response, 400)


def test_validation_error_lists_fields_by_location(client, auth_headers):
    response = client.post("/api/v1/parks", json={"country": "XX", "extra": 1},
                           headers=auth_headers("editor"))
    body = assert_problem(response, 422, "validation_error")
    assert body["detail"] == "The request body is invalid."
    assert set(body["errors"]["json"]) == {"name", "country", "extra"}


def test_oversized_body_is_413_problem(make_app):
    app = make_app(MAX_CONTENT_LENGTH=1000)
    response = app.test_client().post("/api/v1/auth/login", data="x" * 5000,
                                      content_type="application/json")
    assert_problem(response, 413, "payload_too_large")


@pytest.fixture
def failing_app(make_app):
    app = make_app()
    boom = Blueprint("boom", __name__)

    @boom.get("/boom")
    def crash():
        raise RuntimeError("secret internals: SELECT password FROM members")

    @boom.get("/db-down")
    def database_down():
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    app.register_blueprint(boom)
    return app


def test_unexpected_error_is_500_without_internals(failing_app):
    response = failing_app.test_client().get("/boom")
    body = assert_problem(response, 500, "internal_error")
    assert "secret" not in response.get_data(as_text=True)
    assert body["title"] == "Internal Server Error"


def test_lost_database_is_503_with_retry_after(failing_app):
    response = failing_app.test_client().get("/db-down")
    assert_problem(response, 503, "service_unavailable")
    assert response.headers["Retry-After"] == "5"


def test_every_response_has_a_request_id(client):
    response = client.get("/api/v1/nothing-here")
    assert len(response.headers["X-Request-ID"]) == 32


def test_a_plain_incoming_request_id_is_kept(client):
    response = client.get("/health/live", headers={"X-Request-ID": "lb-1234.abc"})
    assert response.headers["X-Request-ID"] == "lb-1234.abc"


def test_a_malformed_incoming_request_id_is_replaced(client):
    response = client.get("/health/live", headers={"X-Request-ID": "<script> id"})
    assert response.headers["X-Request-ID"] != "<script> id"
    assert len(response.headers["X-Request-ID"]) == 32
