"""Clients generated from openapi/openapi.json, as an app developer makes them: TypeScript
(openapi-typescript + openapi-fetch) and Python (openapi-python-client), pinned in
package-lock.json and constraints.txt. Each is generated once per run, its example program
(examples/) is type-checked strictly (`tsc --strict`, `mypy --strict`) and then run against
the API serving the demo data on a free 127.0.0.1 port.

The examples list and filter news, read one by slug, log in, read /auth/me, refresh, read a
422 and a 404 as problem details, and download a members-only report through a signed link.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from api.services.seed_content import TITLE
from tests import node_tools
from tests.helpers import bearer, serving_in_thread

pytestmark = pytest.mark.clients

EXAMPLES = node_tools.ROOT / "examples"
TYPESCRIPT = EXAMPLES / "typescript"
PYTHON = EXAMPLES / "python"
PYTHON_CLIENT = PYTHON / "cisip-api-client"
VENV_BIN = Path(sys.executable).parent


def checked(result, what):
    assert result.returncode == 0, f"{what} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="session")
def typescript_example():
    """The command running the TypeScript example, compiled against the generated types."""
    node_tools.require()
    checked(node_tools.run("openapi-typescript", node_tools.SPEC, "--default-non-nullable=false",
                           "--output", TYPESCRIPT / "cisip-api.ts"), "openapi-typescript")
    checked(node_tools.run("tsc", "--project", TYPESCRIPT, "--strict"), "tsc --strict")
    return ["node", str(TYPESCRIPT / "dist" / "example.js")], {}


@pytest.fixture(scope="session")
def python_example():
    """The command running the Python example, type-checked with the generated package."""
    env = os.environ | {"PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}"}
    checked(subprocess.run(
        [VENV_BIN / "openapi-python-client", "generate", "--path", node_tools.SPEC,
         "--config", PYTHON / "openapi-python-client.yaml", "--output-path", PYTHON_CLIENT,
         "--overwrite", "--fail-on-warning"],
        cwd=node_tools.ROOT, env=env, capture_output=True, text=True, timeout=180,
        check=False), "openapi-python-client")
    paths = {"MYPYPATH": str(PYTHON_CLIENT), "PYTHONPATH": str(PYTHON_CLIENT)}
    checked(subprocess.run([sys.executable, "-m", "mypy", "--strict", PYTHON / "example.py"],
                           cwd=node_tools.ROOT, env=env | paths, capture_output=True,
                           text=True, timeout=300, check=False), "mypy --strict")
    return [sys.executable, str(PYTHON / "example.py")], paths


@pytest.fixture
def demo_api(make_app):
    """The API with the demo data, served on a free port: (app, origin)."""
    app = make_app()
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    # One thread: on PostgreSQL the test app's sessions share one connection.
    with serving_in_thread(make_server("127.0.0.1", 0, app, threaded=False)) as origin:
        yield app, origin


@pytest.mark.parametrize("language", ["typescript", "python"])
def test_the_generated_client_runs_the_example(request, demo_api, language):
    command, env = request.getfixturevalue(f"{language}_example")
    app, origin = demo_api
    answer = subprocess.run(command, env=os.environ | env | {"CISIP_API_URL": origin},
                            capture_output=True, text=True, timeout=120, check=False)
    found = json.loads(checked(answer, f"the {language} example").stdout)

    client = app.test_client()
    [news] = client.get("/api/v1/news?tag=forum").json["items"]
    report = client.get(f"/api/v1/reports/{news['reports'][0]['slug']}").json
    assert found == {
        "news": {"total": 1, "slugs": [news["slug"]]},
        "detail": {"slug": news["slug"], "title": TITLE, "language": "en"},
        "me": {"email": "song.qi@cisip.example", "full_name": "Song Qi"},
        "refreshed": True,
        "validation_error": {"status": 422, "code": "validation_error", "fields": ["per_page"]},
        "not_found": {"status": 404, "code": "not_found"},
        "download": {"report": report["slug"], "bytes": report["file"]["size"],
                     "content_type": "application/pdf", "sha256_matches": True},
    }
    assert report["access"] == "members"

    # The server recorded the download through the link, for the member who asked for it.
    editor = client.post("/api/v1/auth/login", json={
        "email": "editor@cisip.example", "password": "cisip-demo-editor"}).json
    downloads = client.get(f"/api/v1/reports/{report['slug']}/downloads",
                           headers=bearer(editor["access_token"])).json["items"]
    assert [(d["member"]["full_name"], d["via_link"]) for d in downloads] == [("Song Qi", True)]
