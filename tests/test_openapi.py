"""The OpenAPI document: valid, clean under both linters, written for code generators; and the
interactive docs."""

import json
import re
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from api.errors import ERROR_CODES
from tests import node_tools

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "openapi" / "openapi.json"
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def spec():
    return json.loads(COMMITTED.read_text())


def operations(spec):
    return [(f"{method.upper()} {path}", item[method]) for path, item in spec["paths"].items()
            for method in METHODS if method in item]


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


def test_the_spec_is_valid_openapi_3_1(spec):
    validate(spec)  # openapi-spec-validator: raises on any violation of OpenAPI 3.1


def test_spectral_reports_no_errors():
    node_tools.require()
    result = node_tools.run("spectral", "lint", "--ruleset", ROOT / ".spectral.yaml",
                            "--fail-severity", "error", COMMITTED)
    assert result.returncode == 0, result.stdout + result.stderr


def test_redocly_reports_no_errors():
    node_tools.require()
    result = node_tools.run("redocly", "lint", "--config", ROOT / "redocly.yaml",
                            "--format", "stylish", COMMITTED)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Woohoo! Your API description is valid." in result.stdout + result.stderr


def test_every_operation_has_a_stable_camel_case_operation_id(spec):
    ids = [operation.get("operationId") for _, operation in operations(spec)]
    assert all(re.fullmatch(r"[a-z][a-zA-Z0-9]+", str(op_id)) for op_id in ids), ids
    assert len(set(ids)) == len(ids)
    named = {name: operation["operationId"] for name, operation in operations(spec)}
    assert named["GET /api/v1/news"] == "listNews"
    assert named["GET /api/v1/news/{ref}"] == "getNews"
    assert named["POST /api/v1/auth/refresh"] == "refreshTokens"
    assert named["POST /api/v1/reports/{ref}/download-link"] == "createReportDownloadLink"


def test_every_operation_says_which_login_it_takes(spec):
    for name, operation in operations(spec):
        security = operation["security"]
        assert security == [] or {"bearerAuth": []} in security, name
    named = dict(operations(spec))
    assert named["POST /api/v1/auth/login"]["security"] == []
    assert named["GET /health/live"]["security"] == []
    assert {} in named["GET /api/v1/news"]["security"]


def walk_properties(spec):
    """(schema name, property name, property) of every component schema."""
    for name, schema in spec["components"]["schemas"].items():
        for prop_name, prop in schema.get("properties", {}).items():
            yield name, prop_name, prop


def is_typed(prop):
    if "$ref" in prop or "type" in prop:
        return all(is_typed(part) for part in (prop.get("items"), prop.get(
            "additionalProperties")) if isinstance(part, dict))
    variants = prop.get("anyOf") or prop.get("oneOf")
    return bool(variants) and all(is_typed(variant) for variant in variants)


def test_every_field_is_typed(spec):
    untyped = [f"{schema}.{name}" for schema, name, prop in walk_properties(spec)
               if not is_typed(prop)]
    assert untyped == []


def test_response_fields_are_required_unless_sometimes_left_out(spec):
    schemas = spec["components"]["schemas"]
    # Shown to admins and to the member alone; absent for anyone else.
    assert set(schemas["Member"]["properties"]) - set(schemas["Member"]["required"]) == {
        "email", "last_login_at", "email_verified_at"}
    for name in ("Profile", "News", "Park", "Speaker", "SpeakerDetail", "Report", "SearchHit",
                 "Media", "Session", "AuditEvent", "ReportDownload", "TokenPair"):
        assert set(schemas[name]["required"]) == set(schemas[name]["properties"]), name
    assert schemas["News"]["properties"]["published_at"]["type"] == ["string", "null"]
    assert schemas["Park"]["properties"]["translations"]["additionalProperties"] == {
        "$ref": "#/components/schemas/ParkTranslation"}


def test_creates_document_their_location(spec):
    creates = [(name, operation["responses"]["201"]) for name, operation in operations(spec)
               if "201" in operation["responses"]]
    assert len(creates) >= 10
    for name, created in creates:
        assert "Location" in created["headers"], name


def test_files_and_health_bodies_are_documented(spec):
    download = spec["paths"]["/api/v1/reports/{ref}/download"]["get"]["responses"]
    assert download["200"]["content"] == {"application/pdf": {"schema": {
        "type": "string", "format": "binary"}}}
    assert "Content-Disposition" in download["200"]["headers"]
    media = spec["paths"]["/api/v1/media/{media_id}"]["get"]["responses"]["200"]["content"]
    assert set(media) == {"image/jpeg", "image/png", "image/webp", "image/gif"}
    ready = spec["paths"]["/health/ready"]["get"]["responses"]
    assert ready["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Readiness"}
    assert ready["503"]["content"]["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/ReadinessProblem"}


def test_the_report_upload_is_one_multipart_body(spec):
    create = spec["paths"]["/api/v1/reports"]["post"]
    assert "parameters" not in create
    body = create["requestBody"]["content"]["multipart/form-data"]["schema"]
    properties = spec["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]["properties"]
    assert {"file", "title", "year", "park_ids", "translations"} <= set(properties)


def test_every_error_code_the_api_raises_is_documented():
    """Generated clients read `code` as an enum: a code missing from it breaks them."""
    raised = set()
    for path in (ROOT / "api").rglob("*.py"):
        text = path.read_text()
        raised |= set(re.findall(r"\bcode\s*=\s*\"([a-z_]+)\"", text))
        raised |= set(re.findall(r"\bproblem\(\d{3}, \"([a-z_]+)\"", text))
    assert len(raised) > 10
    assert raised <= set(ERROR_CODES)
