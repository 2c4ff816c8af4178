"""Report downloads: streaming with ranges, members-only access, signed links, the record
of downloads, the daily quota and an exact count under concurrent downloads."""

import hashlib
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from api.extensions import db as database
from api.models import Member, MemberStatus, ReportDownload, Role
from api.serving import content_disposition
from tests.helpers import PASSWORD, assert_problem, bearer
from tests.uploads import pdf_bytes, s3_endpoint, upload  # noqa: F401 (a fixture)

PDF = pdf_bytes(pages=3)
SHA = hashlib.sha256(PDF).hexdigest()


def create_report(client, headers, access="members", filename="report.pdf", **fields):
    data = {"title": f"Report {uuid.uuid4().hex[:6]}", "year": "2021", "access": access,
            "published_at": "2021-12-09T00:00:00Z",
            "file": upload(PDF, filename, "application/pdf")} | fields
    response = client.post("/api/v1/reports", headers=headers, data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 201, response.json
    return response.json


@pytest.fixture
def editor(auth_headers):
    return auth_headers("editor")


@pytest.fixture
def members_report(client, editor):
    return create_report(client, editor)


@pytest.fixture
def public_report(client, editor):
    return create_report(client, editor, access="public")


def download_path(report):
    return f"/api/v1/reports/{report['slug']}/download"


def count(client, editor, report):
    return client.get(f"/api/v1/reports/{report['id']}", headers=editor).json["download_count"]


def test_public_report_downloads_anonymously_with_file_headers(client, public_report):
    response = client.get(download_path(public_report))
    assert response.status_code == 200
    assert response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Length"] == str(len(PDF))
    assert response.headers["ETag"] == f'"{SHA}"'
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf")


def test_file_names_are_made_safe_for_the_header(client, editor):
    report = create_report(client, editor, access="public",
                           filename="..\\dir/北京 report; 2021.pdf")
    assert report["file"]["name"] == "北京 report; 2021.pdf"
    disposition = client.get(download_path(report)).headers["Content-Disposition"]
    assert disposition == ("attachment; filename=\" report 2021.pdf\"; filename*=UTF-8''"
                           "%E5%8C%97%E4%BA%AC%20report%3B%202021.pdf")


def test_members_report_needs_a_login(client, members_report):
    body = assert_problem(client.get(download_path(members_report)), 401, "token_missing")
    assert "member" in body["detail"]


def test_members_download_members_reports(client, auth_headers, members_report):
    response = client.get(download_path(members_report), headers=auth_headers("member"))
    assert response.status_code == 200
    assert response.data == PDF
    assert response.headers["Cache-Control"] == "private, no-store"


def test_range_requests_answer_206(client, public_report):
    response = client.get(download_path(public_report), headers={"Range": "bytes=10-99"})
    assert response.status_code == 206
    assert response.data == PDF[10:100]
    assert response.headers["Content-Range"] == f"bytes 10-99/{len(PDF)}"
    assert response.headers["Content-Length"] == "90"
    suffix = client.get(download_path(public_report), headers={"Range": "bytes=-20"})
    assert (suffix.status_code, suffix.data) == (206, PDF[-20:])


@pytest.mark.parametrize("header", [f"bytes={len(PDF)}-", f"bytes={len(PDF) + 5}-{len(PDF) + 9}",
                                    "bytes=0-1,5-6"])
def test_unsatisfiable_ranges_are_416(client, public_report, header):
    response = client.get(download_path(public_report), headers={"Range": header})
    assert_problem(response, 416, "range_not_satisfiable")
    assert response.headers["Content-Range"] == f"bytes */{len(PDF)}"


def test_if_range_with_a_stale_etag_sends_the_whole_file(client, public_report):
    response = client.get(download_path(public_report),
                          headers={"Range": "bytes=0-9", "If-Range": '"stale"'})
    assert (response.status_code, response.data) == (200, PDF)
    fresh = client.get(download_path(public_report),
                       headers={"Range": "bytes=0-9", "If-Range": f'"{SHA}"'})
    assert (fresh.status_code, fresh.data) == (206, PDF[:10])


def test_download_count_counts_downloads_not_resumptions(client, editor, public_report):
    client.get(download_path(public_report))
    client.get(download_path(public_report), headers={"Range": "bytes=0-9"})
    client.get(download_path(public_report), headers={"Range": "bytes=10-"})
    not_modified = client.get(download_path(public_report), headers={"If-None-Match": f'"{SHA}"'})
    assert not_modified.status_code == 304
    client.head(download_path(public_report))
    assert count(client, editor, public_report) == 2


def test_downloads_of_members_reports_are_recorded(client, editor, login, members_report,
                                                   public_report):
    member = login("member", full_name="Song Qi")
    headers = bearer(member["access_token"]) | {"User-Agent": "ReportsTest/1.0"}
    client.get(download_path(members_report), headers=headers)
    client.get(download_path(public_report), headers=headers)
    response = client.get(f"/api/v1/reports/{members_report['slug']}/downloads", headers=editor)
    assert response.status_code == 200
    assert response.json["pagination"]["total"] == 1
    (record,) = response.json["items"]
    assert record["member"] == {"id": member["member_id"], "full_name": "Song Qi"}
    assert (record["ip"], record["user_agent"], record["via_link"]) == (
        "127.0.0.1", "ReportsTest/1.0", False)
    assert record["downloaded_at"].endswith("Z")
    public = client.get(f"/api/v1/reports/{public_report['slug']}/downloads", headers=editor)
    assert public.json["items"] == []


class TestDownloadLinks:
    def link(self, client, report, headers):
        response = client.post(f"/api/v1/reports/{report['slug']}/download-link",
                               headers=headers)
        assert response.status_code == 200, response.json
        return response

    def test_link_downloads_without_authorization(self, client, editor, login, members_report):
        member = login("member")
        response = self.link(client, members_report, bearer(member["access_token"]))
        assert response.headers["Cache-Control"] == "private, no-store"
        url = response.json["url"]
        assert member["access_token"] not in url and member["refresh_token"] not in url
        expires = response.json["expires_at"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", expires)
        parts = urlsplit(url)
        download = client.get(f"{parts.path}?{parts.query}")
        assert (download.status_code, download.data) == (200, PDF)
        records = client.get(f"/api/v1/reports/{members_report['id']}/downloads",
                             headers=editor).json["items"]
        assert [(r["member"]["id"], r["via_link"]) for r in records] == [
            (member["member_id"], True)]

    def test_anonymous_callers_get_links_to_public_reports_only(self, client, public_report,
                                                                 members_report):
        url = self.link(client, public_report, {}).json["url"]
        assert client.get(url).status_code == 200
        response = client.post(f"/api/v1/reports/{members_report['slug']}/download-link")
        assert_problem(response, 401, "token_missing")

    def test_tampered_link_is_403(self, client, auth_headers, members_report):
        url = self.link(client, members_report, auth_headers("member")).json["url"]
        token = url.split("link=")[1]
        tampered = token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")
        response = client.get(f"{download_path(members_report)}?link={tampered}")
        assert_problem(response, 403, "link_invalid")
        assert_problem(client.get(f"{download_path(members_report)}?link=garbage"), 403,
                       "link_invalid")

    def test_link_for_another_report_is_403(self, client, auth_headers, editor, members_report):
        other = create_report(client, editor)
        url = self.link(client, members_report, auth_headers("member")).json["url"]
        token = url.split("link=")[1]
        assert_problem(client.get(f"{download_path(other)}?link={token}"), 403, "link_invalid")

    def test_expired_link_is_403(self, app, client, members_report, login):
        member = login("member")

        class LongAgo(TimestampSigner):
            def get_timestamp(self):
                return int(time.time()) - 3600

        old = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="report-download-link",
                                     signer=LongAgo)
        token = old.dumps({"r": members_report["id"], "m": member["member_id"]})
        response = client.get(f"{download_path(members_report)}?link={token}")
        assert_problem(response, 403, "link_expired")

    def test_link_of_a_suspended_member_stops_working(self, app, client, login, members_report):
        member = login("member")
        url = self.link(client, members_report, bearer(member["access_token"])).json["url"]
        with app.app_context():
            database.session.get(Member, uuid.UUID(member["member_id"])).status = (
                MemberStatus.SUSPENDED)
            database.session.commit()
        assert_problem(client.get(url), 403, "link_invalid")


def test_daily_quota_counts_reports_and_is_429_with_retry_after(make_app, login):
    client = make_app(REPORT_DAILY_DOWNLOAD_QUOTA=2).test_client()
    editor = bearer(login("editor")["access_token"])
    first, second, third = (create_report(client, editor) for _ in range(3))
    member = bearer(login("member")["access_token"])
    for report in (first, second, first):  # the first again: the same download today
        assert client.get(download_path(report), headers=member).status_code == 200
    response = client.get(download_path(third), headers=member)
    assert_problem(response, 429, "rate_limited")
    assert 0 < int(response.headers["Retry-After"]) <= 86400
    link = client.post(f"/api/v1/reports/{third['slug']}/download-link", headers=member)
    assert_problem(link, 429, "rate_limited")
    again = client.post(f"/api/v1/reports/{first['slug']}/download-link", headers=member)
    assert again.status_code == 200
    assert [count(client, editor, report) for report in (first, second, third)] == [2, 1, 0]
    other_member = bearer(login("member")["access_token"])
    assert client.get(download_path(third), headers=other_member).status_code == 200


def records(client, editor, report):
    response = client.get(f"/api/v1/reports/{report['slug']}/downloads", headers=editor)
    return response.json["items"]


class TestResumedDownloads:
    """Every request that serves bytes of a members-only report, from any byte, is governed
    alike: one download per member, report and UTC day, checked against the quota and
    recorded once, however many ranges it takes."""

    def test_a_download_in_ranges_is_one_recorded_download(self, client, editor, login,
                                                            members_report):
        member = login("member")
        headers = bearer(member["access_token"])
        parts = [client.get(download_path(members_report), headers=headers | {"Range": ranges})
                 for ranges in ("bytes=100-", "bytes=0-99", "bytes=50-149")]
        assert [(part.status_code, part.data) for part in parts] == [
            (206, PDF[100:]), (206, PDF[:100]), (206, PDF[50:150])]
        [record] = records(client, editor, members_report)
        assert (record["member"]["id"], record["via_link"]) == (member["member_id"], False)
        assert count(client, editor, members_report) == 1  # one request from the first byte

    def test_a_range_first_is_checked_against_the_quota(self, make_app, login):
        client = make_app(REPORT_DAILY_DOWNLOAD_QUOTA=1).test_client()
        editor = bearer(login("editor")["access_token"])
        first, second = create_report(client, editor), create_report(client, editor)
        member = bearer(login("member")["access_token"])
        resumed = client.get(download_path(first), headers=member | {"Range": "bytes=100-"})
        assert (resumed.status_code, resumed.data) == (206, PDF[100:])
        assert len(records(client, editor, first)) == 1
        for ranges in ("bytes=100-", "bytes=0-", "bytes=-20", "bytes=5-9"):
            refused = client.get(download_path(second),
                                 headers=member | {"Range": ranges, "If-Range": f'"{SHA}"'})
            assert_problem(refused, 429, "rate_limited")
            assert "Content-Range" not in refused.headers
        assert_problem(client.get(download_path(second), headers=member), 429, "rate_limited")
        assert records(client, editor, second) == []
        assert count(client, editor, second) == 0
        # The day's download of the first report goes on, in any range.
        more = client.get(download_path(first), headers=member | {"Range": "bytes=0-99"})
        assert (more.status_code, more.data) == (206, PDF[:100])

    def test_a_range_through_a_signed_link_is_recorded(self, client, editor, login,
                                                       members_report):
        member = login("member")
        link = client.post(f"/api/v1/reports/{members_report['slug']}/download-link",
                           headers=bearer(member["access_token"])).json["url"]
        parts = urlsplit(link)
        resumed = client.get(f"{parts.path}?{parts.query}", headers={"Range": "bytes=10-"})
        assert (resumed.status_code, resumed.data) == (206, PDF[10:])
        assert [(r["member"]["id"], r["via_link"]) for r in records(
            client, editor, members_report)] == [(member["member_id"], True)]

    def test_a_download_resumed_the_next_day_is_a_new_one(self, app, client, editor, login,
                                                          members_report):
        member = login("member")
        with app.app_context():
            database.session.add(ReportDownload(
                report_id=uuid.UUID(members_report["id"]),
                member_id=uuid.UUID(member["member_id"]),
                downloaded_at=datetime.now(UTC) - timedelta(days=1)))
            database.session.commit()
        headers = bearer(member["access_token"]) | {"Range": "bytes=100-"}
        assert client.get(download_path(members_report), headers=headers).status_code == 206
        assert len(records(client, editor, members_report)) == 2

    def test_head_and_304_serve_no_bytes_and_record_nothing(self, client, editor, login,
                                                           members_report):
        headers = bearer(login("member")["access_token"])
        head = client.head(download_path(members_report), headers=headers)
        assert (head.status_code, head.data) == (200, b"")
        cached = client.get(download_path(members_report),
                            headers=headers | {"If-None-Match": f'"{SHA}"', "Range": "bytes=9-"})
        assert (cached.status_code, cached.data) == (304, b"")
        assert records(client, editor, members_report) == []


def test_downloads_list_is_for_editors(client, auth_headers, members_report):
    assert_problem(client.get(f"/api/v1/reports/{members_report['slug']}/downloads",
                              headers=auth_headers("member")), 403, "forbidden")


@pytest.fixture
def threaded_app(committing_app):
    """An app committing for real, with an editor's and a member's Authorization headers."""

    def factory(**overrides):
        app = committing_app(**overrides)
        with app.app_context():
            for role in (Role.EDITOR, Role.MEMBER):
                member = Member(email=f"{role.value}@threads.example", full_name="T", role=role,
                                status=MemberStatus.ACTIVE)
                member.password = PASSWORD
                database.session.add(member)
            database.session.commit()
        return app, token(app, "editor"), token(app, "member")

    return factory


def token(app, role):
    response = app.test_client().post("/api/v1/auth/login", json={
        "email": f"{role}@threads.example", "password": PASSWORD})
    return bearer(response.json["access_token"])


def download_in_threads(app, reports, headers):
    """Download each of `reports` at once from 8 threads; answers (status, size) in order."""
    def download(report):
        response = app.test_client().get(download_path(report), headers=headers)
        return response.status_code, len(response.data)

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(download, reports))


def test_download_count_is_exact_under_concurrent_downloads(threaded_app):
    app, editor, member = threaded_app(REPORT_DAILY_DOWNLOAD_QUOTA=1000)
    report = create_report(app.test_client(), editor)
    assert download_in_threads(app, [report] * 40, member) == [(200, len(PDF))] * 40
    client = app.test_client()
    assert count(client, editor, report) == 40
    # One member's requests of one day are one download, recorded once however they race.
    listing = client.get(f"/api/v1/reports/{report['id']}/downloads", headers=editor)
    assert listing.json["pagination"]["total"] == 1


def test_daily_quota_holds_under_concurrent_downloads(threaded_app, pg_engine):
    if pg_engine is None:
        pytest.skip("exact under concurrency on PostgreSQL (row lock); SQLite is single-user")
    app, editor, member = threaded_app(REPORT_DAILY_DOWNLOAD_QUOTA=5)
    reports = [create_report(app.test_client(), editor) for _ in range(8)]
    statuses = [status for status, _ in download_in_threads(app, reports * 2, member)]
    by_report = list(zip(statuses[:8], statuses[8:], strict=True))
    assert sorted(by_report) == [(200, 200)] * 5 + [(429, 429)] * 3
    downloaded = [count(app.test_client(), editor, report) for report in reports]
    assert sorted(downloaded) == [0] * 3 + [2] * 5


def test_seed_adds_the_2021_report_once(app, runner, client, auth_headers):
    assert runner.invoke(args=["seed", "demo"]).exit_code == 0
    second = runner.invoke(args=["seed", "demo"])
    assert "0 reports added" in second.output
    slug = "2021-report-on-the-development-of-b-r-science-parks"
    editor = auth_headers("editor")
    listing = client.get("/api/v1/reports", headers=editor).json
    assert [item["slug"] for item in listing["items"]] == [slug]
    report = listing["items"][0]
    assert (report["year"], report["access"], report["published_at"]) == (
        2021, "members", "2021-12-09T00:00:00Z")
    assert "new trends in the development of science parks" in report["summary"]
    assert [park["slug"] for park in report["parks"]] == [
        "pakistan-special-technology-zones-authority", "peking-university-science-park",
        "taguspark"]
    assert_problem(client.get(f"/api/v1/reports/{slug}/download"), 401)
    pdf = client.get(f"/api/v1/reports/{slug}/download", headers=auth_headers("member")).data
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    assert hashlib.sha256(pdf).hexdigest() == report["file"]["sha256"]
    xref = int(re.search(rb"startxref\n(\d+)", pdf).group(1))
    assert pdf[xref:].startswith(b"xref")
    for number, offset in enumerate(re.findall(rb"(\d{10}) 00000 n", pdf), start=1):
        assert pdf[int(offset):].startswith(b"%d 0 obj" % number)


def test_content_disposition_never_breaks_the_header():
    header = content_disposition('evil"\\name\r\nX-Injected: 1;.pdf')
    assert "\r" not in header and "\n" not in header
    fallback = header.split("; filename*=")[0]
    assert fallback == 'attachment; filename="evilnameX-Injected: 1.pdf"'


def test_link_lifetime_follows_the_setting(make_app, login):
    app = make_app(DOWNLOAD_LINK_SECONDS=7200)
    client = app.test_client()
    report = create_report(client, bearer(login("editor")["access_token"]))
    member = login("member")
    link = client.post(f"/api/v1/reports/{report['slug']}/download-link",
                       headers=bearer(member["access_token"])).json
    expires = datetime.fromisoformat(link["expires_at"])
    assert timedelta(seconds=7190) < expires - datetime.now(UTC) <= timedelta(seconds=7200)


def test_reports_work_on_s3_storage(make_app, login, s3_endpoint):  # noqa: F811
    app = make_app(STORAGE_URL="s3://cisip-reports/api", S3_ENDPOINT_URL=s3_endpoint,
                   AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    storage = app.extensions["storage"]
    storage.client.create_bucket(Bucket="cisip-reports")
    client = app.test_client()
    editor = bearer(login("editor")["access_token"])
    report = create_report(client, editor)
    member = bearer(login("member")["access_token"])
    full = client.get(download_path(report), headers=member)
    assert (full.status_code, full.data) == (200, PDF)
    assert full.headers["Content-Length"] == str(len(PDF))
    part = client.get(download_path(report), headers=member | {"Range": "bytes=100-199"})
    assert (part.status_code, part.data) == (206, PDF[100:200])
    keys = [obj["Key"] for obj in storage.client.list_objects_v2(Bucket="cisip-reports")[
        "Contents"]]
    assert len(keys) == 1 and keys[0].startswith("api/reports/")
    assert client.delete(f"/api/v1/reports/{report['slug']}", headers=editor).status_code == 204
    assert storage.client.list_objects_v2(Bucket="cisip-reports")["KeyCount"] == 0
