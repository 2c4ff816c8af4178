"""REDIS_URL through Redis Sentinel (`redis+sentinel://…`), with a real Sentinel."""

import shutil
import subprocess
import time
from urllib.parse import urlsplit

import pytest
import redis

from tests.conftest import REDIS_URL
from tests.gunicorn_server import free_port
from tests.helpers import assert_problem
from tests.test_local_copies import read_from_copy

SERVICE = "cisip-test"
REDIS_SERVER = shutil.which("redis-server")

pytestmark = [
    pytest.mark.skipif(not REDIS_URL, reason="needs the test Redis (TEST_REDIS_URL) as master"),
    pytest.mark.skipif(not REDIS_SERVER, reason="needs redis-server to run a Sentinel"),
]


@pytest.fixture
def sentinel_port(tmp_path):
    """A Sentinel on a free port that monitors the test Redis (it only watches: one Sentinel
    and no replicas can never fail over)."""
    master = urlsplit(REDIS_URL)
    port = free_port()
    config = tmp_path / "sentinel.conf"
    config.write_text(f"port {port}\nbind 127.0.0.1\ndir {tmp_path}\n"
                      f"sentinel monitor {SERVICE} {master.hostname} {master.port or 6379} 1\n")
    process = subprocess.Popen([REDIS_SERVER, str(config), "--sentinel"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_sentinel(port)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_for_sentinel(port, seconds=5):
    client = redis.Redis(port=port, socket_timeout=0.5, decode_responses=True)
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            try:
                if client.sentinel_get_master_addr_by_name(SERVICE):
                    return
            except redis.RedisError:
                pass
            time.sleep(0.05)
        raise AssertionError("the Sentinel did not start in time")
    finally:
        client.close()


def test_the_app_reaches_the_master_the_sentinel_names(make_app, sentinel_port):
    db_index = urlsplit(REDIS_URL).path.strip("/") or "0"
    app = make_app(REDIS_URL=f"redis+sentinel://127.0.0.1:{sentinel_port}/{SERVICE}/{db_index}")

    response = app.test_client().get("/health/ready")
    assert response.status_code == 200
    assert response.json["checks"] == {"database": "ok", "redis": "ok"}

    store = app.extensions["store"]
    store.set("sentinel-probe", "seen", 30)
    master = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    key = app.config["CACHE_KEY_PREFIX"] + "sentinel-probe"
    try:
        assert master.get(key) == "seen"
    finally:
        master.delete(key)
        master.close()


def test_copies_of_cached_responses_subscribe_through_the_sentinel(make_app, sentinel_port):
    db_index = urlsplit(REDIS_URL).path.strip("/") or "0"
    app = make_app(REDIS_URL=f"redis+sentinel://127.0.0.1:{sentinel_port}/{SERVICE}/{db_index}")
    assert read_from_copy(app.test_client(), app, "/api/v1/parks").status_code == 200


def test_an_unreachable_sentinel_is_a_missing_redis(make_app):
    app = make_app(REDIS_URL=f"redis+sentinel://127.0.0.1:{free_port()}/{SERVICE}/0")
    body = assert_problem(app.test_client().get("/health/ready"), 503, "service_unavailable")
    assert body["checks"] == {"database": "ok", "redis": "unavailable"}
