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
            security = op.get("security")
            anonymous = security is None or {} in security
            forbidden = op["responses"].get("403", {}).get("description", "")
            role = re.search(r"Needs the `(\w+)` role", forbidden)
            found.append(Operation(method, path, anonymous, role.group(1) if role else "member"))
    return found


def committed_operations():
    """The operations of openapi/openapi.json (kept equal to the app's by test_openapi)."""
    path = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"
    return operations(json.loads(path.read_text()))
