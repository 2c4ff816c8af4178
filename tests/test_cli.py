"""The command-line tasks."""

import pytest

from tests.helpers import bearer


def test_members_create_reads_a_piped_password(runner, client):
    result = runner.invoke(args=["members", "create", "Admin@Example.org", "--role", "admin"],
                           input="a long enough password\n")
    assert result.exit_code == 0, result.output
    assert "Created admin admin@example.org" in result.output
    tokens = client.post("/api/v1/auth/login", json={"email": "admin@example.org",
                                                     "password": "a long enough password"})
    me = client.get("/api/v1/auth/me", headers=bearer(tokens.json["access_token"])).json
    assert (me["role"], me["status"], me["full_name"]) == ("admin", "active", "Admin")
    assert me["email_verified_at"] is not None  # the operator vouches for the address


def test_members_create_refuses_a_short_password(runner, client):
    result = runner.invoke(args=["members", "create", "a@example.org"], input="short\n")
    assert result.exit_code != 0
    assert "at least 10 characters" in result.output
    assert client.post("/api/v1/auth/login", json={"email": "a@example.org",
                                                   "password": "short"}).status_code == 401


def test_members_create_refuses_a_taken_email(runner):
    args = ["members", "create", "a@example.org", "--role", "editor"]
    assert runner.invoke(args=args, input="a long enough password\n").exit_code == 0
    result = runner.invoke(args=args, input="another long password\n")
    assert result.exit_code != 0
    assert "exists" in result.output


def test_members_create_rejects_an_unknown_role(runner):
    result = runner.invoke(args=["members", "create", "a@example.org", "--role", "root"],
                           input="a long enough password\n")
    assert result.exit_code == 2


def test_seed_demo_is_idempotent_and_serves_the_article_parks(runner, client):
    first = runner.invoke(args=["seed", "demo"])
    second = runner.invoke(args=["seed", "demo"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output
    assert "4 parks added" in first.output and "0 parks added" in second.output
    slugs = {park["slug"] for park in client.get("/api/v1/parks").json["items"]}
    assert {"peking-university-science-park", "taguspark"} <= slugs
    assert client.get("/api/v1/parks").json["pagination"]["total"] == 4


def test_seed_demo_logins_work(runner, client):
    result = runner.invoke(args=["seed", "demo"])
    assert "admin@cisip.example  password: cisip-demo-admin" in result.output
    response = client.post("/api/v1/auth/login", json={"email": "admin@cisip.example",
                                                       "password": "cisip-demo-admin"})
    assert response.status_code == 200
    me = client.get("/api/v1/auth/me", headers=bearer(response.json["access_token"])).json
    assert me["email_verified_at"] is not None


def test_seed_demo_members_are_people_of_the_article(runner, client):
    first = runner.invoke(args=["seed", "demo"])
    second = runner.invoke(args=["seed", "demo"])
    assert "6 members added" in first.output and "0 members added" in second.output
    tokens = client.post("/api/v1/auth/login", json={"email": "wang.mingyang@cisip.example",
                                                     "password": "cisip-demo-member"}).json
    directory = client.get("/api/v1/members", query_string={"q": "GEI"},
                           headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert [m["full_name"] for m in directory.json["items"]] == ["Wang Mingyang",
                                                                 "Wu Wensheng"]


@pytest.mark.parametrize("env", ["production"])
def test_seed_demo_refuses_production(make_app, env):
    app = make_app(APP_ENV=env)
    app.config["ENV_NAME"] = env
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code != 0
    assert "not in production" in result.output


def test_openapi_write(runner, tmp_path, client):
    result = runner.invoke(args=["openapi", "write", str(tmp_path / "spec.json")])
    assert result.exit_code == 0
    assert (tmp_path / "spec.json").read_text().startswith("{")
