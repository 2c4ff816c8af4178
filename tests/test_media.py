"""Media: image uploads checked by content, served back with long-lived cache headers."""

import hashlib
import uuid

import pytest

from tests.helpers import assert_problem
from tests.uploads import TEXT, image_bytes, pdf_bytes, upload


@pytest.fixture
def editor(auth_headers):
    return auth_headers("editor")


def post_media(client, headers, content, filename="image.png", content_type="image/png",
               field="file"):
    return client.post("/api/v1/media", headers=headers, content_type="multipart/form-data",
                       data={field: upload(content, filename, content_type)})


@pytest.mark.parametrize(("fmt", "content_type"), [
    ("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp"), ("GIF", "image/gif"),
])
def test_upload_answers_201_with_type_size_and_dimensions(client, editor, fmt, content_type):
    content = image_bytes(fmt, size=(64, 48))
    response = post_media(client, editor, content, filename="whatever.bin",
                          content_type="application/octet-stream")
    assert response.status_code == 201, response.json
    body = response.json
    assert body["content_type"] == content_type
    assert (body["size"], body["width"], body["height"]) == (len(content), 64, 48)
    assert body["url"] == f"http://localhost/api/v1/media/{body['id']}"
    assert response.headers["Location"] == body["url"]
    uuid.UUID(body["id"])


def test_the_url_serves_the_image_with_cache_headers(client, editor):
    content = image_bytes("JPEG")
    url = post_media(client, editor, content).json["url"]
    response = client.get(url)
    assert response.status_code == 200
    assert response.data == content
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["Content-Length"] == str(len(content))
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["ETag"] == f'"{hashlib.sha256(content).hexdigest()}"'


def test_if_none_match_answers_304(client, editor):
    url = post_media(client, editor, image_bytes()).json["url"]
    etag = client.get(url).headers["ETag"]
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.data == b""


@pytest.mark.parametrize(("content", "filename", "content_type"), [
    (TEXT, "image.png", "image/png"),
    (pdf_bytes(), "image.png", "image/png"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "a.svg",
     "image/svg+xml"),
    (image_bytes("PNG")[:60], "truncated.png", "image/png"),
    (image_bytes("BMP"), "bitmap.bmp", "image/bmp"),
])
def test_files_that_are_not_accepted_images_are_422(client, editor, content, filename,
                                                    content_type):
    response = post_media(client, editor, content, filename, content_type)
    body = assert_problem(response, 422, "validation_error")
    assert list(body["errors"]["files"]) == ["file"]


def test_missing_or_unknown_file_parts_are_422(client, editor):
    assert "file" in assert_problem(post_media(client, editor, b"", field="other"),
                                    422)["errors"]["files"]
    response = client.post("/api/v1/media", headers=editor, content_type="multipart/form-data",
                           data={"file": upload(image_bytes(), "a.png", "image/png"),
                                 "extra": upload(image_bytes(), "b.png", "image/png")})
    assert "extra" in assert_problem(response, 422)["errors"]["files"]


def test_empty_file_is_422(client, editor):
    assert_problem(post_media(client, editor, b""), 422, "validation_error")


def test_size_limit_is_413(make_app, login):
    app = make_app(MEDIA_MAX_BYTES=500)
    client = app.test_client()
    token = login("editor")["access_token"]
    response = post_media(client, {"Authorization": f"Bearer {token}"},
                          image_bytes("PNG", size=(300, 300), color=None) + b"\0" * 600)
    assert_problem(response, 413, "payload_too_large")


def test_rejected_uploads_store_nothing(client, editor, app, tmp_path):
    post_media(client, editor, TEXT)
    storage = tmp_path / "storage"
    assert not storage.exists() or not any(p.is_file() for p in storage.rglob("*"))


@pytest.mark.parametrize(("role", "status"), [(None, 401), ("member", 403)])
def test_only_editors_upload(client, auth_headers, role, status):
    headers = auth_headers(role) if role else {}
    assert_problem(post_media(client, headers, image_bytes()), status)


def test_unknown_media_is_404(client):
    assert_problem(client.get(f"/api/v1/media/{uuid.uuid4()}"), 404, "not_found")
    assert_problem(client.get("/api/v1/media/not-a-uuid"), 404)
