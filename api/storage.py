"""File storage: one interface over a local folder (`file://DIR`) and S3 (`s3://bucket/prefix`).

Keys are made by the API (`new_key`), never taken from clients; the folder backend still
refuses any key that would leave its root. `open` answers an iterable of byte chunks for
a byte range, so responses stream without reading whole files into memory.
"""

import logging
import os
import tempfile
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app

from api.errors import problem

CHUNK_SIZE = 64 * 1024
logger = logging.getLogger(__name__)


class StorageError(Exception):
    """A storage operation failed."""


class InvalidKey(StorageError):
    """The key is empty, absolute, or would leave the storage root."""


class MissingObject(StorageError):
    """No stored object has this key."""


def new_key(folder, extension):
    """A fresh, unguessable key such as `reports/3f2c…e1.pdf`."""
    return f"{folder}/{uuid.uuid4().hex}.{extension}"


def _chunks(stream, length):
    """Yield up to `length` bytes of `stream` in chunks, closing it at the end."""
    try:
        while length > 0:
            data = stream.read(min(CHUNK_SIZE, length))
            if not data:
                break
            length -= len(data)
            yield data
    finally:
        stream.close()


class _CountingReader:
    """A read-only view of a stream that counts bytes (boto3 closes what it uploads)."""

    def __init__(self, stream):
        self.stream, self.count = stream, 0

    def read(self, size=-1):
        data = self.stream.read(size)
        self.count += len(data)
        return data


class FileStorage:
    """Objects as files under a root folder."""

    def __init__(self, root):
        self.root = Path(root).resolve()

    def _path(self, key):
        if not key or key.startswith(("/", "\\")) or "\\" in key or "\x00" in key:
            raise InvalidKey(f"Invalid storage key {key!r}.")
        path = (self.root / key).resolve()
        if path == self.root or not path.is_relative_to(self.root):
            raise InvalidKey(f"Invalid storage key {key!r}.")
        return path

    def save(self, key, fileobj, content_type):
        """Store `fileobj` (read from its current position) under `key`; answer its size."""
        path = self._path(key)
        size = 0
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
                while data := fileobj.read(CHUNK_SIZE):
                    tmp.write(data)
                    size += len(data)
            os.replace(tmp.name, path)
        except OSError as error:
            raise StorageError(f"Cannot write {key}: {error}") from error
        return size

    def open(self, key, start=0, end=None):
        """The bytes `start` to `end` (exclusive; None for the end) as an iterable of chunks."""
        try:
            stream = self._path(key).open("rb")
        except FileNotFoundError as error:
            raise MissingObject(key) from error
        stream.seek(start)
        length = (end if end is not None else os.fstat(stream.fileno()).st_size) - start
        return _chunks(stream, length)

    def size(self, key):
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError as error:
            raise MissingObject(key) from error

    def exists(self, key):
        return self._path(key).is_file()

    def delete(self, key):
        self._path(key).unlink(missing_ok=True)


class S3Storage:
    """Objects in an S3-compatible bucket, under a key prefix; reads are ranged GETs."""

    def __init__(self, bucket, prefix="", **client_options):
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self._options = client_options
        self._client = None
        self._lock = threading.Lock()

    @property
    def client(self):
        # Created on first use: after a server forks its workers, never before.
        with self._lock:
            if self._client is None:
                import boto3
                from botocore.config import Config

                # Short timeouts and few retries: a request waits on this.
                config = Config(connect_timeout=5, read_timeout=30,
                                retries={"max_attempts": 3, "mode": "standard"})
                self._client = boto3.client("s3", config=config, **self._options)
            return self._client

    def _key(self, key):
        if not key or key.startswith("/") or ".." in key.split("/"):
            raise InvalidKey(f"Invalid storage key {key!r}.")
        return self.prefix + key

    def _call(self, method, key, **kwargs):
        """Call the client's `method` on `key`, turning its errors into storage errors."""
        from boto3.exceptions import Boto3Error
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(self.client, method)(Bucket=self.bucket, Key=self._key(key), **kwargs)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                raise MissingObject(key) from error
            raise StorageError(f"S3 {method} failed: {error}") from error
        except (BotoCoreError, Boto3Error) as error:
            raise StorageError(f"S3 {method} failed: {error}") from error

    def save(self, key, fileobj, content_type):
        reader = _CountingReader(fileobj)
        self._call("upload_fileobj", key, Fileobj=reader, ExtraArgs={"ContentType": content_type})
        return reader.count

    def open(self, key, start=0, end=None):
        byte_range = f"bytes={start}-{'' if end is None else end - 1}"
        answer = self._call("get_object", key, Range=byte_range)
        return _chunks(answer["Body"], answer["ContentLength"])

    def size(self, key):
        return self._call("head_object", key)["ContentLength"]

    def exists(self, key):
        try:
            self.size(key)
        except MissingObject:
            return False
        return True

    def delete(self, key):
        self._call("delete_object", key)


def make_storage(config):
    """The backend STORAGE_URL names."""
    url = urlsplit(config["STORAGE_URL"])
    if url.scheme == "file":
        return FileStorage(url.netloc + url.path)
    if url.scheme == "s3" and url.netloc:
        options = {"region_name": config["S3_REGION"]}
        if config["S3_ENDPOINT_URL"]:
            options["endpoint_url"] = config["S3_ENDPOINT_URL"]
        if config["AWS_ACCESS_KEY_ID"]:
            options["aws_access_key_id"] = config["AWS_ACCESS_KEY_ID"]
            options["aws_secret_access_key"] = config["AWS_SECRET_ACCESS_KEY"]
        return S3Storage(url.netloc, url.path, **options)
    raise ValueError("STORAGE_URL must be file://DIR or s3://bucket/prefix.")


def init_storage(app):
    app.extensions["storage"] = make_storage(app.config)
    app.register_error_handler(StorageError, storage_unavailable)


def storage_unavailable(error):
    """A storage that fails (S3 unreachable, disk full) is 503: retry later."""
    logger.error("file storage failed: %s", error)
    return problem(503, "service_unavailable", "File storage is unavailable; try again shortly.",
                   headers={"Retry-After": "5"})


def get_storage():
    return current_app.extensions["storage"]


@contextmanager
def discard_on_error(key):
    """Delete the just-stored object `key` (if any) when the block fails, say on a 409."""
    try:
        yield
    except BaseException:
        if key:
            get_storage().delete(key)
        raise
