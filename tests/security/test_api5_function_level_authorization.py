"""API5:2023 Broken function level authorization (and API2 for anonymous callers).

Every operation the OpenAPI document marks as needing a login answers 401 to an anonymous
caller, and every one needing a role answers 403 to the role just below it, whatever body
comes with it and before anything is read or changed. The operations come from the spec
(tests/security/operations.py), which tests/test_openapi.py keeps equal to the app's: a new
endpoint is covered the day it is added.
"""

import pytest

from tests.helpers import PASSWORD, assert_problem
from tests.security.operations import committed_operations

# Hostile bodies: authorization must be decided before any of them is looked at.
BODIES = [None, {}, {"role": "admin", "status": "active", "name": "x" * 50, "zzz": 1}]
LOWER_ROLE = {"editor": "member", "admin": "editor"}

PRIVATE = [op for op in committed_operations() if not op.anonymous_allowed]
ROLE_BOUND = [op for op in committed_operations() if op.role in LOWER_ROLE]


def test_the_lists_are_not_empty():
    """Guard against the derivation silently finding nothing."""
    assert len(PRIVATE) >= 25
    assert {str(op) for op in ROLE_BOUND} >= {"POST /api/v1/parks", "GET /api/v1/admin/audit",
                                              "PATCH /api/v1/members/{member_id}"}


@pytest.mark.parametrize("operation", PRIVATE, ids=str)
def test_anonymous_callers_get_401(client, operation):
    for body in BODIES:
        response = client.open(operation.url, method=operation.method.upper(), json=body)
        assert_problem(response, 401, "token_missing")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("operation", ROLE_BOUND, ids=str)
def test_the_role_below_gets_403(client, auth_headers, operation):
    headers = auth_headers(LOWER_ROLE[operation.role])
    for body in BODIES:
        response = client.open(operation.url, method=operation.method.upper(), json=body,
                               headers=headers)
        assert_problem(response, 403, "forbidden")


@pytest.mark.parametrize("operation", PRIVATE, ids=str)
def test_a_garbage_bearer_token_gets_401(client, operation):
    response = client.open(operation.url, method=operation.method.upper(),
                           headers={"Authorization": "Bearer not.a.token"})
    assert_problem(response, 401, "token_invalid")


WRITES = [op for op in PRIVATE if op.method != "get"]


@pytest.mark.parametrize("operation", WRITES, ids=str)
def test_cookie_authenticated_writes_need_the_csrf_header(client, make_member, operation):
    """A browser holding the login cookies cannot be made to write from another site: every
    write answers 403 `csrf_failed` without the X-CSRF-TOKEN header, whatever the role."""
    member = make_member(role="admin")
    assert client.post("/api/v1/auth/login", json={"email": member.email, "password": PASSWORD,
                                                   "use_cookies": True}).status_code == 200
    for headers in ({}, {"X-CSRF-TOKEN": "forged"}):
        response = client.open(operation.url, method=operation.method.upper(), json={},
                               headers=headers)
        assert_problem(response, 403, "csrf_failed")
    # The login was not ended by any of it.
    assert client.get("/api/v1/auth/me").status_code == 200
