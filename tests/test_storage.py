"""The storage module: the folder backend and the S3 backend (against moto's S3 server)."""

import io
import socket

import pytest

from api.storage import FileStorage, InvalidKey, MissingObject, StorageError, make_storage, new_key
from tests.helpers import assert_problem
from tests.uploads import image_bytes, s3_endpoint, upload  # noqa: F401 (a fixture)

CONTENT = bytes(range(256)) * 1000  # 256 kB: several chunks


def s3_storage(endpoint, bucket, prefix="cisip/test"):
    storage = make_storage({
        "STORAGE_URL": f"s3://{bucket}/{prefix}", "S3_ENDPOINT_URL": endpoint,
        "S3_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    })
    storage.client.create_bucket(Bucket=bucket)
    return storage


@pytest.fixture(params=["file", "s3"])
def storage(request, tmp_path):
    if request.param == "file":
        return make_storage({"STORAGE_URL": f"file://{tmp_path / 'store'}"})
    return s3_storage(request.getfixturevalue("s3_endpoint"), f"bucket-{tmp_path.name}".lower()
                      .replace("_", "-")[:60])


def read(chunks):
    return b"".join(chunks)


def test_save_open_size_exists_delete(storage):
    key = new_key("reports", "pdf")
    assert storage.save(key, io.BytesIO(CONTENT), "application/pdf") == len(CONTENT)
    assert storage.exists(key)
    assert storage.size(key) == len(CONTENT)
    assert read(storage.open(key)) == CONTENT
    storage.delete(key)
    assert not storage.exists(key)
    with pytest.raises(MissingObject):
        storage.open(key)
    with pytest.raises(MissingObject):
        storage.size(key)


def test_byte_ranges(storage):
    key = new_key("media", "png")
    storage.save(key, io.BytesIO(CONTENT), "image/png")
    assert read(storage.open(key, 0, 10)) == CONTENT[:10]
    assert read(storage.open(key, 1000, 70000)) == CONTENT[1000:70000]
    assert read(storage.open(key, len(CONTENT) - 5)) == CONTENT[-5:]


def test_open_streams_in_chunks(storage):
    key = new_key("reports", "pdf")
    storage.save(key, io.BytesIO(CONTENT), "application/pdf")
    chunks = list(storage.open(key))
    assert len(chunks) > 1 and max(map(len, chunks)) <= 64 * 1024


def test_s3_objects_live_under_the_prefix_with_their_content_type(s3_endpoint):  # noqa: F811
    storage = s3_storage(s3_endpoint, "prefix-bucket", prefix="/some/prefix/")
    storage.save("media/a.png", io.BytesIO(b"png"), "image/png")
    head = storage.client.head_object(Bucket="prefix-bucket", Key="some/prefix/media/a.png")
    assert head["ContentType"] == "image/png"


@pytest.mark.parametrize("key", ["../escape.txt", "a/../../escape.txt", "/etc/passwd", "",
                                 "..", "a/..", "a\\..\\..\\x", "nul\x00byte"])
def test_file_backend_refuses_keys_leaving_its_root(tmp_path, key):
    storage = FileStorage(tmp_path / "store")
    with pytest.raises(InvalidKey):
        storage.save(key, io.BytesIO(b"x"), "text/plain")
    with pytest.raises(InvalidKey):
        storage.open(key)
    assert list(tmp_path.iterdir()) in ([], [tmp_path / "store"])


def test_file_backend_refuses_symlinks_out_of_its_root(tmp_path):
    (tmp_path / "store").mkdir()
    (tmp_path / "secret.txt").write_text("secret")
    (tmp_path / "store" / "link").symlink_to(tmp_path)
    with pytest.raises(InvalidKey):
        FileStorage(tmp_path / "store").open("link/secret.txt")


def test_unknown_storage_url_is_refused():
    with pytest.raises(ValueError, match="STORAGE_URL"):
        make_storage({"STORAGE_URL": "ftp://example.org/x"})


def test_a_failing_storage_is_503_problem(make_app, login, tmp_path):
    (tmp_path / "not-a-folder").write_text("x")
    app = make_app(STORAGE_URL=f"file://{tmp_path / 'not-a-folder' / 'storage'}")
    token = login("editor")["access_token"]
    response = app.test_client().post(
        "/api/v1/media", headers={"Authorization": f"Bearer {token}"},
        content_type="multipart/form-data", data={"file": upload(image_bytes(), "a.png",
                                                                 "image/png")})
    assert_problem(response, 503, "service_unavailable")
    assert response.headers["Retry-After"] == "5"


def test_an_unreachable_s3_is_a_storage_error():
    storage = make_storage({
        "STORAGE_URL": "s3://bucket/x", "S3_ENDPOINT_URL": f"http://127.0.0.1:{closed_port()}",
        "S3_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing"})
    with pytest.raises(StorageError) as caught:
        storage.open("reports/a.pdf")
    assert not isinstance(caught.value, MissingObject)


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
