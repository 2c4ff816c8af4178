"""The OpenAPI document and the interactive docs."""

import json
from pathlib import Path

COMMITTED = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"


def test_committed_spec_matches_the_code(client):
    generated = client.get("/openapi.json").json
    committed = json.loads(COMMITTED.read_text())
    assert generated == committed, (
        "openapi/openapi.json is stale: run `make openapi` and commit it.")


def test_spec_is_openapi_3_1_with_bearer_security(client):
    spec = client.get("/openapi.json").json
    assert spec["openapi"] == "3.1.0"
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    post = spec["paths"]["/api/v1/parks"]["post"]
    assert post["security"] == [{"bearerAuth": []}, {"cookieAuth": []}]
    assert spec["components"]["securitySchemes"]["cookieAuth"]["in"] == "cookie"
    assert {"401", "403", "409", "422"} <= set(post["responses"])


def test_errors_are_documented_as_problem_json(client):
    spec = client.get("/openapi.json").json
    response = spec["paths"]["/api/v1/parks/{ref}"]["get"]["responses"]["404"]
    assert "application/problem+json" in response["content"]
    problem = spec["components"]["schemas"]["Problem"]
    assert "validation_error" in problem["properties"]["code"]["enum"]


def test_lists_are_documented_with_the_envelope_and_link(client):
    spec = client.get("/openapi.json").json
    response = spec["paths"]["/api/v1/parks"]["get"]["responses"]["200"]
    assert "Link" in response["headers"]
    envelope = spec["components"]["schemas"]["ParkPage"]
    assert set(envelope["properties"]) == {"items", "pagination"}
    params = {p["name"] for p in spec["paths"]["/api/v1/parks"]["get"]["parameters"]}
    assert {"page", "per_page", "sort", "q", "country", "industry", "is_member"} <= params


def test_docstrings_become_descriptions(client):
    spec = client.get("/openapi.json").json
    assert spec["paths"]["/api/v1/parks/{ref}"]["get"]["summary"] == (
        "Retrieve a park by id or slug.")


def test_docs_page_loads_its_assets_from_the_app(client):
    page = client.get("/docs").get_data(as_text=True)
    assert "/docs/assets/swagger-ui-bundle.js" in page
    assert "//cdn" not in page and "unpkg" not in page
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-standalone-preset.js"):
        with client.get(f"/docs/assets/{asset}") as response:
            assert response.status_code == 200
            assert len(response.data) > 1000
            assert "max-age=604800" in response.headers["Cache-Control"]
