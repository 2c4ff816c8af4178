"""API6:2023 Unrestricted access to sensitive business flows: account discovery through the
account flows, and the download quota worked around with a second login or a signed link.

(The per-IP and per-account limits themselves are in tests/test_rate_limits.py and the quota's
429 in tests/test_report_downloads.py; these tests try to get around them.)
"""

from tests.helpers import PASSWORD, assert_problem, bearer, mails_to
from tests.test_report_downloads import create_report, download_path


def comparable(response):
    """What a client could compare between two answers."""
    return response.status_code, response.get_data(), response.headers.get("Content-Type")


def test_forgot_password_does_not_tell_who_has_an_account(app, client, make_member):
    member = make_member()
    known = client.post("/api/v1/auth/password/forgot", json={"email": member.email})
    unknown = client.post("/api/v1/auth/password/forgot",
                          json={"email": "nobody-here@example.org"})
    assert comparable(known) == comparable(unknown)
    assert known.status_code == 202
    assert len(mails_to(app, member.email)) == 1
    assert mails_to(app, "nobody-here@example.org") == []


def test_registration_does_not_tell_who_has_an_account(client, make_member):
    member = make_member()
    body = {"password": "Wang Mingyang at the 2021 forum", "full_name": "Someone"}
    taken = client.post("/api/v1/auth/register", json=body | {"email": member.email})
    free = client.post("/api/v1/auth/register", json=body | {"email": "fresh@example.org"})
    assert comparable(taken) == comparable(free)
    assert taken.status_code == 202


def test_login_does_not_tell_unknown_email_from_wrong_password(client, make_member):
    member = make_member()
    wrong = client.post("/api/v1/auth/login", json={"email": member.email, "password": "x" * 12})
    unknown = client.post("/api/v1/auth/login",
                          json={"email": "nobody-here@example.org", "password": PASSWORD})
    assert comparable(wrong) == comparable(unknown)
    assert_problem(wrong, 401, "invalid_credentials")


def test_the_download_quota_follows_the_member_not_the_login(make_app, make_member):
    client = make_app(REPORT_DAILY_DOWNLOAD_QUOTA=2).test_client()
    editor = make_member(role="editor")
    member = make_member()

    def fresh_login(who):
        response = client.post("/api/v1/auth/login", json={"email": who.email,
                                                           "password": PASSWORD})
        return bearer(response.json["access_token"])

    editor_headers = fresh_login(editor)
    reports = [create_report(client, editor_headers) for _ in range(3)]
    first = fresh_login(member)
    for report in reports[:2]:
        assert client.get(download_path(report), headers=first).status_code == 200
    # A second login, a logout and a new login, or a signed link: still the same member.
    third = download_path(reports[2])
    assert_problem(client.get(third, headers=fresh_login(member)), 429)
    client.post("/api/v1/auth/logout", headers=first)
    again = fresh_login(member)
    assert_problem(client.get(third, headers=again | {"Range": "bytes=100-"}), 429)
    assert_problem(client.post(f"/api/v1/reports/{reports[2]['slug']}/download-link",
                               headers=again), 429)


def test_links_fetched_in_advance_do_not_bypass_the_quota(make_app, make_member):
    from urllib.parse import urlsplit
    client = make_app(REPORT_DAILY_DOWNLOAD_QUOTA=2).test_client()

    def login(who):
        response = client.post("/api/v1/auth/login", json={"email": who.email,
                                                           "password": PASSWORD})
        return bearer(response.json["access_token"])

    editor = login(make_member(role="editor"))
    reports = [create_report(client, editor) for _ in range(3)]
    member = login(make_member())
    links = [client.post(f"/api/v1/reports/{report['slug']}/download-link", headers=member)
             for report in reports]
    assert [link.status_code for link in links] == [200, 200, 200]
    statuses = []
    for link in links:
        parts = urlsplit(link.json["url"])
        statuses.append(client.get(f"{parts.path}?{parts.query}").status_code)
    assert statuses == [200, 200, 429]


def test_a_forged_x_forwarded_for_does_not_escape_the_ip_limit(make_app):
    """Without TRUSTED_PROXIES the client's own address counts, whatever it claims."""
    client = make_app(RATELIMIT_ENABLED="true", RATELIMIT_FORGOT_IP="2/hour",
                      RATELIMIT_FORGOT_ACCOUNT="100/hour").test_client()
    statuses = [client.post("/api/v1/auth/password/forgot",
                            json={"email": f"someone{n}@example.org"},
                            headers={"X-Forwarded-For": f"10.0.0.{n}"}).status_code
                for n in range(3)]
    assert statuses == [202, 202, 429]
