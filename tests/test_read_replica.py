"""DATABASE_REPLICA_URL: the park list reads from the replica; writes and lookups by ref
stay on the primary (a just-created park is found at once)."""

import uuid

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from api.models import Park
from tests.conftest import migrate


@pytest.fixture
def replica_app(make_app, tmp_path):
    """An app whose replica is a database of its own holding one park the primary lacks, so
    every answer shows which database it came from."""
    url = f"sqlite:///{tmp_path / 'replica.db'}"
    engine = create_engine(url)
    migrate(engine)
    with Session(engine) as session, session.begin():
        session.add(Park(name="Replica Only Park", slug="replica-only-park", country="FI"))
    engine.dispose()
    # Its own cache: it reads a different database from the test's other app.
    app = make_app(DATABASE_REPLICA_URL=url, CACHE_KEY_PREFIX=f"cisip-test:{uuid.uuid4().hex}:")
    yield app
    app.extensions["db.replica_engine"].dispose()


def names(response):
    assert response.status_code == 200, response.json
    return [item["name"] for item in response.json["items"]]


def test_the_park_list_comes_from_the_replica_and_writes_go_to_the_primary(
        replica_app, client, auth_headers):
    replica_client = replica_app.test_client()
    created = replica_client.post("/api/v1/parks", headers=auth_headers("editor"),
                                  json={"name": "Primary Park", "country": "SE"})
    assert created.status_code == 201

    assert names(replica_client.get("/api/v1/parks")) == ["Replica Only Park"]
    assert names(client.get("/api/v1/parks")) == ["Primary Park"]


def test_a_lookup_by_ref_reads_the_primary(replica_app, auth_headers):
    replica_client = replica_app.test_client()
    created = replica_client.post("/api/v1/parks", headers=auth_headers("editor"),
                                  json={"name": "Just Created", "country": "SE"})

    response = replica_client.get(f"/api/v1/parks/{created.json['slug']}")
    assert response.status_code == 200
    assert replica_client.get("/api/v1/parks/replica-only-park").status_code == 404
