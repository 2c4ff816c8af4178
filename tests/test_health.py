"""Health checks."""

from tests.helpers import assert_problem


def test_live_answers_ok(client):
    response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_ready_checks_the_database_and_redis(app, client):
    response = client.get("/health/ready")
    assert response.status_code == 200
    expected = {"database": "ok"}
    if app.config["REDIS_URL"]:
        expected["redis"] = "ok"
    assert response.json["checks"] == expected


def test_ready_names_redis_when_it_is_unreachable(make_app):
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0")
    body = assert_problem(app.test_client().get("/health/ready"), 503, "service_unavailable")
    assert body["checks"] == {"database": "ok", "redis": "unavailable"}
    assert "redis" in body["detail"]
