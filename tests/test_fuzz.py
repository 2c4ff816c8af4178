"""Schema fuzzing: schemathesis drives every operation of /openapi.json, anonymously and as
a member, an editor and an admin, on a database holding the demo data.

`make test` runs a few examples per operation; `make fuzz` runs many (FUZZ_EXAMPLES).
"""

import json
import os
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.helpers import bearer

SPEC = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
DEMO_LOGINS = {"member": ("song.qi@cisip.example", "cisip-demo-member"),
               "editor": ("editor@cisip.example", "cisip-demo-editor"),
               "admin": ("admin@cisip.example", "cisip-demo-admin")}


@pytest.fixture
def fuzz_app(make_app):
    app = make_app()
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    return app


@pytest.fixture
def callers(fuzz_app):
    """The headers of each kind of caller: anonymous, member, editor and admin."""
    headers = {"anonymous": {}}
    for role, (email, password) in DEMO_LOGINS.items():
        response = fuzz_app.test_client().post("/api/v1/auth/login",
                                               json={"email": email, "password": password})
        headers[role] = bearer(response.json["access_token"])
    return headers


def spec_operations():
    spec = json.loads(SPEC.read_text())
    return [(method.upper(), path) for path, item in spec["paths"].items()
            for method in item if method in {"get", "post", "put", "patch", "delete"}]


# schemathesis' own strategies use `random`, which Hypothesis warns about.
@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")
@pytest.mark.parametrize(("method", "path"), spec_operations())
def test_operation_conforms_to_the_spec(fuzz_app, callers, method, path):
    if path.endswith(("/logout", "/logout-all")):
        pytest.skip("would end the logins the other examples use")
    operation = schemathesis.openapi.from_wsgi("/openapi.json", fuzz_app)[path][method]

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    def conforms(case):
        for headers in callers.values():
            case.call_and_validate(headers=headers, checks=CHECKS)

    conforms()
