"""The API's operations, read from the app's own OpenAPI document, so that every new
endpoint is covered by the authorization tests without anyone listing it."""

import json
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    anonymous_allowed: bool
    role: str  # the lowest role that may call it: member, editor or admin

    @property
    def url(self):
        """The path with every parameter filled with an id nothing has."""
        return re.sub(r"\{[^}]+\}", str(uuid.UUID(int=7)), self.path)

    def __str__(self):
        return f"{self.method.upper()} {self.path}"


def operations(spec):
    found = []
    for path, item in spec["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            # `security: []` takes no login at all; `{}` among the schemes makes one optional.
            security = op["security"]
            anonymous = security == [] or {} in security
            forbidden = op["responses"].get("403", {}).get("description", "")
            role = re.search(r"Needs the `(\w+)` role", forbidden)
            found.append(Operation(method, path, anonymous, role.group(1) if role else "member"))
    return found


def committed_operations():
    """The operations of openapi/openapi.json (kept equal to the app's by test_openapi)."""
    return operations(committed_spec())


def _resolve(spec, schema):
    if "$ref" in schema:
        return spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def is_free_text(schema):
    """A string property without a format, pattern or enum: free text a client types."""
    types = schema.get("type")
    types = types if isinstance(types, list) else [types]
    return "string" in types and not ({"format", "enum", "pattern"} & set(schema))


def json_text_fields(spec, method, path):
    """The free-text properties of the operation's JSON body."""
    body = spec["paths"][path][method].get("requestBody", {}).get("content", {})
    if "application/json" not in body:
        return []
    schema = _resolve(spec, body["application/json"]["schema"])
    return [name for name, prop in schema.get("properties", {}).items() if is_free_text(prop)]


def text_filters(spec, path):
    """The free-text query parameters of the list operation at `path`."""
    params = spec["paths"][path]["get"].get("parameters", [])
    return [p["name"] for p in params if p["in"] == "query" and is_free_text(p["schema"])]


def committed_spec():
    path = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"
    return json.loads(path.read_text())


def json_body_operations(spec):
    """(method, path) of every operation that takes a JSON body."""
    return [(method, path) for path, item in spec["paths"].items() for method in METHODS
            if "application/json" in item.get(method, {}).get("requestBody", {})
            .get("content", {})]
