"""Each process's own copies of cached responses (`api.cache.LocalCopies`), kept exact by
Redis pub/sub.

To show that an answer came from a process's copy and not from Redis, the tests delete the
Redis entries (of this test's own prefix) behind the process's back: a hit after that can
only be its copy. Needs Redis; on the SQLite run the in-process store has no copies.
"""

import time

import pytest

from tests.conftest import REDIS_URL
from tests.faults import RedisServer

pytestmark = pytest.mark.skipif(not REDIS_URL, reason="copies of Redis entries need Redis "
                                "(TEST_REDIS_URL)")


def delete_redis_entries(app):
    client = app.extensions["store"].client
    keys = list(client.scan_iter(match=app.config["CACHE_KEY_PREFIX"] + "response:*"))
    if keys:
        client.delete(*keys)


def read_from_copy(client, app, url, seconds=5.0):
    """Read `url` until `app` answers it from its own copy; that answer."""
    deadline = time.monotonic() + seconds
    while True:
        client.get(url)  # stored in Redis
        client.get(url)  # and copied from there
        delete_redis_entries(app)
        response = client.get(url)
        if response.headers["X-Cache"] == "HIT":
            return response
        assert time.monotonic() < deadline, "the process never answered from its copy"


def kill_subscriptions(app):
    """Cut the app's pub/sub connection from the Redis side (it is named after the channel;
    other instances of the test subscribe to the same channel from other ports)."""
    store = app.extensions["store"]
    host, port = store.local._pubsub.connection._sock.getsockname()[:2]
    killed = [c["id"] for c in store.client.client_list()
              if c["name"] == store.channel and c["addr"] == f"{host}:{port}"]
    for client_id in killed:
        store.client.client_kill_filter(_id=client_id)
    return len(killed)


@pytest.fixture
def pair(make_app, auth_headers):
    """Instances A and B on one Redis, and an editor's headers."""
    return make_app(), make_app(), auth_headers("editor")


def create_park(app, editor, name):
    response = app.test_client().post("/api/v1/parks", json={"name": name, "country": "PT"},
                                      headers=editor)
    assert response.status_code == 201, response.json
    return response.json


def rename(app, editor, park, name):
    response = app.test_client().patch(f"/api/v1/parks/{park['id']}", json={"name": name},
                                       headers=editor)
    assert response.status_code == 200, response.json


def test_a_write_on_a_reaches_the_copies_of_b(pair):
    a, b, editor = pair
    park = create_park(a, editor, "Taguspark")
    reader = b.test_client()
    detail, listing = f"/api/v1/parks/{park['id']}", "/api/v1/parks"
    assert read_from_copy(reader, b, detail).json["name"] == "Taguspark"
    assert [p["name"] for p in read_from_copy(reader, b, listing).json["items"]] == [
        "Taguspark"]

    rename(a, editor, park, "Tagus Park")

    assert reader.get(detail).json["name"] == "Tagus Park"
    assert [p["name"] for p in reader.get(listing).json["items"]] == ["Tagus Park"]
    a.test_client().delete(detail, headers=editor)
    assert reader.get(detail).status_code == 404
    assert reader.get(listing).json["items"] == []


def test_a_write_leaves_the_copies_it_does_not_change(pair):
    a, b, editor = pair
    kept, changed = create_park(a, editor, "Taguspark"), create_park(a, editor, "Kista")
    reader = b.test_client()
    read_from_copy(reader, b, f"/api/v1/parks/{kept['id']}")

    rename(a, editor, changed, "Kista Science City")

    # Its Redis entry is gone, so a hit is B's copy, which the purge left alone.
    again = reader.get(f"/api/v1/parks/{kept['id']}")
    assert (again.headers["X-Cache"], again.json["name"]) == ("HIT", "Taguspark")
    assert reader.get(f"/api/v1/parks/{changed['id']}").json["name"] == "Kista Science City"


def test_copies_are_dropped_when_the_subscription_is_cut_and_resume(pair):
    a, b, editor = pair
    park = create_park(a, editor, "Taguspark")
    reader, detail = b.test_client(), f"/api/v1/parks/{park['id']}"
    read_from_copy(reader, b, detail)
    assert kill_subscriptions(b) == 1

    # The message about this write cannot reach B; B must not answer from its copy.
    rename(a, editor, park, "Tagus Park")
    assert reader.get(detail).json["name"] == "Tagus Park"

    # B subscribes again by itself and copies are used again.
    assert read_from_copy(reader, b, detail).json["name"] == "Tagus Park"


def test_copies_are_not_trusted_while_redis_hangs(make_app, auth_headers):
    """Redis frozen: A's write cannot purge, and B, which can no longer hear about purges,
    has stopped answering from its copies before A's write is answered."""
    server = RedisServer().start()
    try:
        a, b = make_app(REDIS_URL=server.url), make_app(REDIS_URL=server.url)
        editor = auth_headers("editor")
        park = create_park(a, editor, "Taguspark")
        reader, detail = b.test_client(), f"/api/v1/parks/{park['id']}"
        read_from_copy(reader, b, detail)
        server.pause()
        try:
            rename(a, editor, park, "Tagus Park")
            assert reader.get(detail).json["name"] == "Tagus Park"
        finally:
            server.resume()
    finally:
        server.kill()


def local_copies(app):
    """The app's copies, once its subscription is confirmed."""
    local = app.extensions["store"].local
    wait_while_listening(local, until=lambda: local.serving)
    assert local.serving, "the subscription was never confirmed"
    return local


def wait_while_listening(local, seconds=5.0, until=lambda: False):
    """Look up keys as a busy process does (a lookup reads the messages and sends the pings
    that keep copies trusted) for `seconds` or until `until()`."""
    deadline = time.monotonic() + seconds
    while not until() and time.monotonic() < deadline:
        local.get("response:none")
        time.sleep(0.01)


def test_a_copy_read_while_a_purge_arrived_is_not_kept(app):
    local = local_copies(app)
    assert local.get("response:x") is None
    before = local.generation  # taken before asking Redis, as `read_entry` does
    local.invalidate(["id:other"])  # any purge may have been for the entry being read
    local.put("response:x", {"body": "old"}, time.time() + 60, ["id:x"], 3, before)
    assert local.get("response:x") is None
    local.put("response:x", {"body": "new"}, time.time() + 60, ["id:x"], 3, local.generation)
    assert local.get("response:x") == {"body": "new"}


def test_copies_expire_with_their_entry_and_stay_within_their_size(make_app):
    local = local_copies(make_app(RESPONSE_CACHE_LOCAL_MB=1))
    local.put("response:short", "short", time.time() + 0.2, [], 1, local.generation)
    assert local.get("response:short") == "short"
    wait_while_listening(local, seconds=0.25)
    assert local.get("response:short") is None
    assert local.serving

    half = 512 * 1024
    for name in ("first", "second", "third"):
        local.put(f"response:{name}", name, time.time() + 60, [], half, local.generation)
    assert [local.get(f"response:{n}") for n in ("first", "second", "third")] == [
        None, "second", "third"]
