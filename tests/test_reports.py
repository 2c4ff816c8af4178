"""Reports: the catalogue, multipart PDF uploads, visibility and permissions."""

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.helpers import assert_problem
from tests.uploads import TEXT, image_bytes, pdf_bytes, upload

PDF = pdf_bytes(pages=2)
FORM = {"title": "2021 Report on the Development of B&R Science Parks", "year": "2021",
        "summary": "Digital economy trends in Belt and Road science parks.",
        "published_at": "2021-12-09T00:00:00Z", "access": "members",
        "cover_image_url": "https://cdn.example.org/cover.png"}


@pytest.fixture
def editor(auth_headers):
    return auth_headers("editor")


@pytest.fixture
def parks(client, editor):
    made = {}
    for name, country in (("Taguspark", "PT"), ("Peking University Science Park", "CN")):
        response = client.post("/api/v1/parks", json={"name": name, "country": country},
                               headers=editor)
        made[response.json["slug"]] = response.json["id"]
    return made


def create(client, headers, fields=None, content=PDF, filename="report.pdf",
           content_type="application/pdf", **extra):
    data = dict(FORM if fields is None else fields) | extra
    if content is not None:
        data["file"] = upload(content, filename, content_type)
    return client.post("/api/v1/reports", headers=headers, data=data,
                       content_type="multipart/form-data")


def editor_titles(client, editor):
    return [item["title"] for item in client.get("/api/v1/reports", headers=editor).json["items"]]


def test_create_answers_201_with_every_field(client, editor, parks):
    response = create(client, editor, park_ids=[parks["taguspark"]])
    assert response.status_code == 201, response.json
    body = response.json
    uuid.UUID(body["id"])
    assert body["slug"] == "2021-report-on-the-development-of-b-r-science-parks"
    assert response.headers["Location"].endswith(f"/api/v1/reports/{body['slug']}")
    assert {key: body[key] for key in ("title", "year", "summary", "published_at", "access",
                                       "cover_image_url", "download_count")} == {
        **{key: FORM[key] for key in ("title", "summary", "published_at", "access",
                                      "cover_image_url")},
        "year": 2021, "download_count": 0}
    assert body["file"] == {"name": "report.pdf", "size": len(PDF),
                            "content_type": "application/pdf",
                            "sha256": hashlib.sha256(PDF).hexdigest()}
    assert body["parks"] == [{"id": parks["taguspark"], "slug": "taguspark",
                              "name": "Taguspark", "country": "PT"}]
    assert client.get(response.headers["Location"], headers=editor).json == body


def test_park_ids_as_repeated_or_comma_separated_fields(client, editor, parks):
    ids = list(parks.values())
    repeated = create(client, editor, park_ids=ids).json
    comma = create(client, editor, park_ids=",".join(ids)).json
    assert [p["slug"] for p in repeated["parks"]] == [p["slug"] for p in comma["parks"]] == [
        "peking-university-science-park", "taguspark"]


def test_access_defaults_to_members_and_file_is_optional(client, editor):
    response = create(client, editor, {"title": "Announced", "year": "2022"}, content=None)
    assert response.status_code == 201
    assert (response.json["access"], response.json["file"]) == ("members", None)
    assert response.json["published_at"] is None
    download = client.get(f"/api/v1/reports/{response.json['id']}/download", headers=editor)
    assert_problem(download, 404, "not_found")


@pytest.mark.parametrize(("content", "filename", "content_type"), [
    (TEXT, "report.pdf", "application/pdf"),
    (image_bytes("PNG"), "report.pdf", "application/pdf"),
    (PDF[: len(PDF) // 2], "truncated.pdf", "application/pdf"),
    (b"%PDF-1.7\n" + b"x" * 100, "no-trailer.pdf", "application/pdf"),
    (b"<html>%PDF-1.4 %%EOF startxref</html>", "page.pdf", "application/pdf"),
    (b"", "empty.pdf", "application/pdf"),
])
def test_files_that_are_not_pdfs_are_422_and_change_nothing(client, editor, content, filename,
                                                           content_type, tmp_path):
    response = create(client, editor, content=content, filename=filename,
                      content_type=content_type)
    body = assert_problem(response, 422, "validation_error")
    assert list(body["errors"]["files"]) == ["file"]
    assert editor_titles(client, editor) == []
    storage = tmp_path / "storage"
    assert not storage.exists() or not any(p.is_file() for p in storage.rglob("*"))


def test_report_size_limit_is_413(make_app, login):
    client = make_app(REPORT_MAX_BYTES=len(PDF) - 1).test_client()
    headers = {"Authorization": f"Bearer {login('editor')['access_token']}"}
    assert_problem(create(client, headers), 413, "payload_too_large")
    assert editor_titles(client, headers) == []


@pytest.mark.parametrize(("fields", "location", "field"), [
    ({"title": "X", "year": "2021", "colour": "red"}, "form", "colour"),
    ({"title": "X", "year": "1200"}, "form", "year"),
    ({"title": "X", "year": "2021", "access": "everyone"}, "form", "access"),
    ({"title": "X", "year": "2021", "park_ids": "not-a-uuid"}, "form", "park_ids"),
    ({"title": "X", "year": "2021", "park_ids": str(uuid.uuid4())}, "form", "park_ids"),
    ({"title": "X", "year": "2021", "published_at": "yesterday"}, "form", "published_at"),
    ({"title": "X", "year": "2021", "cover_image_url": "javascript:alert(1)"}, "form",
     "cover_image_url"),
    ({"year": "2021"}, "form", "title"),
])
def test_invalid_form_fields_are_422_and_change_nothing(client, editor, fields, location, field):
    body = assert_problem(create(client, editor, fields), 422, "validation_error")
    assert field in body["errors"][location]
    assert editor_titles(client, editor) == []


def test_unknown_file_parts_are_422(client, editor):
    response = client.post("/api/v1/reports", headers=editor, content_type="multipart/form-data",
                           data={**FORM, "file": upload(PDF, "a.pdf", "application/pdf"),
                                 "attachment": upload(PDF, "b.pdf", "application/pdf")})
    assert "attachment" in assert_problem(response, 422)["errors"]["files"]


def test_explicit_slug_that_is_taken_is_409_and_stores_nothing(client, editor, tmp_path):
    create(client, editor, slug="annual")
    assert_problem(create(client, editor, slug="annual"), 409, "duplicate")
    assert len([p for p in (tmp_path / "storage").rglob("*") if p.is_file()]) == 1


def test_patch_changes_metadata_with_json(client, editor, parks):
    slug = create(client, editor).json["slug"]
    response = client.patch(f"/api/v1/reports/{slug}", headers=editor, json={
        "title": "Renamed", "access": "public", "park_ids": [parks["taguspark"]],
        "summary": None, "slug": "renamed"})
    assert response.status_code == 200
    body = response.json
    assert (body["title"], body["access"], body["summary"], body["slug"]) == (
        "Renamed", "public", None, "renamed")
    assert [park["slug"] for park in body["parks"]] == ["taguspark"]
    assert body["file"]["sha256"] == hashlib.sha256(PDF).hexdigest()


@pytest.mark.parametrize("payload", [{"file": "x"}, {"download_count": 5}, {"year": "old"},
                                     {"park_ids": [str(uuid.uuid4())]}, {"title": ""}])
def test_invalid_patch_is_422_and_changes_nothing(client, editor, payload):
    report = create(client, editor).json
    response = client.patch(f"/api/v1/reports/{report['id']}", headers=editor, json=payload)
    assert_problem(response, 422, "validation_error")
    assert client.get(f"/api/v1/reports/{report['id']}", headers=editor).json == report


def test_put_file_replaces_the_pdf_and_deletes_the_old_one(client, editor, tmp_path):
    report = create(client, editor).json
    new_pdf = pdf_bytes(pages=1, size=(50, 50))
    response = client.put(f"/api/v1/reports/{report['slug']}/file", headers=editor,
                          content_type="multipart/form-data",
                          data={"file": upload(new_pdf, "v2.pdf", "application/pdf")})
    assert response.status_code == 200
    assert response.json["file"] == {"name": "v2.pdf", "size": len(new_pdf),
                                     "content_type": "application/pdf",
                                     "sha256": hashlib.sha256(new_pdf).hexdigest()}
    stored = [p for p in (tmp_path / "storage").rglob("*") if p.is_file()]
    assert [p.read_bytes() for p in stored] == [new_pdf]
    download = client.get(f"/api/v1/reports/{report['slug']}/download", headers=editor)
    assert download.data == new_pdf


def test_put_file_that_is_not_a_pdf_keeps_the_old_one(client, editor):
    report = create(client, editor).json
    response = client.put(f"/api/v1/reports/{report['slug']}/file", headers=editor,
                          content_type="multipart/form-data",
                          data={"file": upload(TEXT, "v2.pdf", "application/pdf")})
    assert "file" in assert_problem(response, 422)["errors"]["files"]
    assert client.get(f"/api/v1/reports/{report['slug']}", headers=editor).json == report


def test_delete_removes_the_report_and_its_file(client, editor, tmp_path):
    slug = create(client, editor).json["slug"]
    assert client.delete(f"/api/v1/reports/{slug}", headers=editor).status_code == 204
    assert_problem(client.get(f"/api/v1/reports/{slug}", headers=editor), 404)
    assert not any(p.is_file() for p in (tmp_path / "storage").rglob("*"))


@pytest.mark.parametrize(("role", "status"), [(None, 401), ("member", 403)])
def test_only_editors_write(client, editor, auth_headers, role, status):
    slug = create(client, editor).json["slug"]
    headers = auth_headers(role) if role else {}
    assert_problem(create(client, headers), status)
    assert_problem(client.patch(f"/api/v1/reports/{slug}", json={"title": "X"},
                                headers=headers), status)
    assert_problem(client.delete(f"/api/v1/reports/{slug}", headers=headers), status)
    assert_problem(client.put(f"/api/v1/reports/{slug}/file", headers=headers,
                              content_type="multipart/form-data",
                              data={"file": upload(PDF, "a.pdf", "application/pdf")}), status)
    assert_problem(client.get(f"/api/v1/reports/{slug}/downloads", headers=headers), status)


def test_unknown_report_is_404(client):
    assert_problem(client.get("/api/v1/reports/no-such-report"), 404, "not_found")
    assert_problem(client.get(f"/api/v1/reports/{uuid.uuid4()}/download"), 404, "not_found")


class TestVisibility:
    @pytest.fixture(autouse=True)
    def reports(self, client, editor):
        future = (datetime.now(UTC) + timedelta(days=3)).isoformat()
        for response in (
            create(client, editor, title="Published", published_at="2021-12-09T00:00:00Z"),
            create(client, editor, {"title": "Draft", "year": "2021"}, slug="draft"),
            create(client, editor, title="Scheduled", published_at=future, slug="scheduled"),
        ):
            assert response.status_code == 201, response.json

    @pytest.mark.parametrize("role", [None, "member"])
    def test_public_reads_show_published_reports_only(self, client, auth_headers, role):
        headers = auth_headers(role) if role else {}
        listing = client.get("/api/v1/reports", headers=headers).json
        assert [item["title"] for item in listing["items"]] == ["Published"]
        assert listing["pagination"]["total"] == 1
        for slug in ("draft", "scheduled"):
            assert_problem(client.get(f"/api/v1/reports/{slug}", headers=headers), 404)
            assert_problem(client.get(f"/api/v1/reports/{slug}/download", headers=headers), 404)

    def test_editors_see_drafts_and_scheduled_reports(self, client, editor):
        assert sorted(editor_titles(client, editor)) == ["Draft", "Published", "Scheduled"]
        assert client.get("/api/v1/reports/scheduled", headers=editor).status_code == 200


class TestFiltersAndSorts:
    @pytest.fixture(autouse=True)
    def reports(self, client, editor, parks):
        for title, year, access, day, park in (
            ("Digital Economy 2020", 2020, "public", "2020-11-01", "taguspark"),
            ("Report on B&R Science Parks", 2021, "members", "2021-12-09",
             "peking-university-science-park"),
            ("100% Green Parks", 2022, "public", "2022-03-01", None),
        ):
            fields = {"title": title, "year": str(year), "access": access,
                      "published_at": f"{day}T00:00:00Z",
                      "summary": f"About {title.lower()} and innovation."}
            if park:
                fields["park_ids"] = parks[park]
            assert create(client, editor, fields).status_code == 201

    def titles(self, client, query):
        response = client.get(f"/api/v1/reports?{query}")
        assert response.status_code == 200, response.json
        return [item["title"] for item in response.json["items"]]

    def test_default_sort_is_newest_first(self, client):
        assert self.titles(client, "") == ["100% Green Parks", "Report on B&R Science Parks",
                                           "Digital Economy 2020"]

    def test_sorts(self, client):
        assert self.titles(client, "sort=year") == ["Digital Economy 2020",
                                                    "Report on B&R Science Parks",
                                                    "100% Green Parks"]
        assert self.titles(client, "sort=title") == ["100% Green Parks", "Digital Economy 2020",
                                                     "Report on B&R Science Parks"]
        assert self.titles(client, "sort=published_at")[0] == "Digital Economy 2020"

    def test_q_is_a_full_text_search_of_title_and_summary(self, client):
        assert self.titles(client, "q=DIGITAL") == ["Digital Economy 2020"]
        assert self.titles(client, "q=economies") == ["Digital Economy 2020"]  # stemmed
        assert len(self.titles(client, "q=innovation")) == 3
        assert self.titles(client, "q=innovation&sort=title") == [
            "100% Green Parks", "Digital Economy 2020", "Report on B&R Science Parks"]
        assert self.titles(client, "q=green%20innovation") == ["100% Green Parks"]
        assert self.titles(client, "q=%25") == []  # no words: no match, not every report
        assert self.titles(client, "q=_") == []

    def test_year_access_and_park_filters(self, client, parks):
        assert self.titles(client, "year=2021") == ["Report on B&R Science Parks"]
        assert self.titles(client, "access=public") == ["100% Green Parks",
                                                        "Digital Economy 2020"]
        assert self.titles(client, "park=taguspark") == ["Digital Economy 2020"]
        assert self.titles(client, f"park={parks['taguspark']}") == ["Digital Economy 2020"]
        assert self.titles(client, "park=unknown-park") == []

    @pytest.mark.parametrize("query", ["sort=downloads", "year=abc", "access=secret",
                                       "per_page=101"])
    def test_bad_filters_are_422(self, client, query):
        assert_problem(client.get(f"/api/v1/reports?{query}"), 422, "validation_error")
