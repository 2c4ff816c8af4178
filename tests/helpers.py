"""Assertions and helpers shared by the tests."""

PASSWORD = "correct horse battery"


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def assert_problem(response, status, code=None):
    """The response is problem+json with `status` (and `code`), and leaks nothing."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert body["title"] and body["detail"]
    if code is not None:
        assert body["code"] == code, body
    text_body = response.get_data(as_text=True)
    for leak in ("Traceback", "sqlalchemy", "SELECT ", "psycopg", "SECRET"):
        assert leak not in text_body
    return body
