"""API9:2023 Improper inventory management: every route the app serves is in its OpenAPI
document, or is on the short list of routes deliberately left out (documentation and static
assets), and the document lists nothing the app does not serve."""

import re

# Routes that are not API operations, each with the reason it is not in the spec.
UNDOCUMENTED = {
    "/openapi.json": "the document itself",
    "/docs": "the HTML documentation",
    "/docs/assets/{filename}": "the documentation's static files",
    "/docs/swagger-init.js": "the documentation's start-up script",
    "/embed/v1/news.js": "the embeddable news widget (JavaScript, not JSON)",
    "/static/{filename}": "Flask's static folder",
}


def app_operations(app):
    found = set()
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.add((method.lower(), path))
    return found


def spec_operations(spec):
    return {(method, path) for path, item in spec["paths"].items() for method in item
            if method in ("get", "post", "put", "patch", "delete")}


def test_every_route_is_documented_or_deliberately_not(app, client):
    served = app_operations(app)
    documented = spec_operations(client.get("/openapi.json").json)
    missing = {op for op in served - documented if op[1] not in UNDOCUMENTED}
    assert missing == set()
    assert documented - served == set()


def test_the_deliberate_exceptions_all_exist(app):
    paths = {path for _method, path in app_operations(app)}
    assert set(UNDOCUMENTED) <= paths


def test_undocumented_routes_are_read_only(app):
    for method, path in app_operations(app):
        if path in UNDOCUMENTED:
            assert method == "get", (method, path)


def test_only_one_api_version_is_served(app):
    prefixes = {rule.rule.split("/")[2] for rule in app.url_map.iter_rules()
                if rule.rule.startswith("/api/")}
    assert prefixes == {"v1"}
