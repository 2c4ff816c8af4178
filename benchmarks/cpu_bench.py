"""CPU cost of cached reads in process: each scenario of `cache_bench.py` as CPU time.

    .venv/bin/python -m benchmarks.cpu_bench [--requests 300] [--rounds 15]

`cache_bench.py` measures throughput with wrk against gunicorn, which on a machine shared
with other work drifts by more than the few per cent measured here. This measures instead
the CPU time this process spends per request (`time.process_time`, so other processes'
load does not count), calling the WSGI app directly with the same environ gunicorn would
build: the bare endpoint, the cached list, detail and 304 for an anonymous caller, a member
and an editor, and with a partner key, interleaved over `--rounds`; medians per scenario.
The ratio bare / scenario is the share of the bare endpoint's throughput a CPU-bound worker
keeps (Redis round trips and the database, in other processes, do not count). Same
database and Redis set-up as `cache_bench.py` (PostgreSQL + Redis; the demo data; the key's
quotas are counted).
"""

import argparse
import io
import os
import statistics
import time

from werkzeug.test import EnvironBuilder

from benchmarks.cache_bench import PREFIX, bench_env, drop_database, prepare_database

LIST = "/api/v1/news?per_page=20"


def bearer(client, email, password):
    token = client.post("/api/v1/auth/login", json={
        "email": email, "password": password}).json["access_token"]
    return {"Authorization": f"Bearer {token}"}


def issue_key(client):
    token = client.post("/api/v1/auth/login", json={
        "email": "admin@cisip.example", "password": "cisip-demo-admin"}).json["access_token"]
    response = client.post("/api/v1/api-keys", headers={"Authorization": f"Bearer {token}"},
                           json={"name": "Benchmark", "kind": "publishable",
                                 "allowed_origins": ["https://www.partner.example"],
                                 "rate_limit": "1000000000/hour", "daily_quota": 1000000000})
    return response.json["key"]


def cpu_per_request(app, environ, count):
    """CPU microseconds this process spent per request, over `count` requests."""

    def start_response(status, headers, exc_info=None):
        assert status.startswith(("200", "304")), status

    start = time.process_time()
    for _ in range(count):
        request = environ | {"wsgi.input": io.BytesIO()}
        body = app(request, start_response)
        b"".join(body)
        body.close()
    return (time.process_time() - start) / count * 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="per scenario and round")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--items", type=int, default=200)
    args = parser.parse_args()
    prepare_database(args.items)
    os.environ.update(bench_env(CACHE_KEY_PREFIX=PREFIX + "keys:"))
    try:
        from benchmarks.bench_app import app  # built from the environment set above

        client = app.test_client()
        key = issue_key(client)
        member = bearer(client, "song.qi@cisip.example", "cisip-demo-member")
        editor = bearer(client, "editor@cisip.example", "cisip-demo-editor")
        listed = client.get(LIST)
        detail = f"/api/v1/news/{listed.json['items'][0]['slug']}"
        for headers in ({}, member, editor):
            client.get(LIST, headers=headers)
            client.get(detail, headers=headers)
        etag = {"If-None-Match": listed.headers["ETag"]}
        scenarios = {
            "bare endpoint": EnvironBuilder("/api/v1/bench/bare").get_environ(),
            "cached list": EnvironBuilder(LIST).get_environ(),
            "cached detail": EnvironBuilder(detail).get_environ(),
            "304 revalidation": EnvironBuilder(LIST, headers=etag).get_environ(),
            "member: cached list": EnvironBuilder(LIST, headers=member).get_environ(),
            "member: 304": EnvironBuilder(LIST, headers=member | etag).get_environ(),
            "editor: cached list": EnvironBuilder(LIST, headers=editor).get_environ(),
            "keyed cached list": EnvironBuilder(LIST, headers={"X-API-Key": key}).get_environ(),
            "keyed cached list, browser": EnvironBuilder(LIST, headers={
                "X-API-Key": key, "Origin": "https://www.partner.example"}).get_environ(),
        }
        costs: dict[str, list[float]] = {name: [] for name in scenarios}
        for _ in range(args.rounds):
            for name, environ in scenarios.items():
                costs[name].append(cpu_per_request(app, environ, args.requests))
    finally:
        drop_database()
    bare = statistics.median(costs["bare endpoint"])
    cached = statistics.median(costs["cached list"])
    print(f"\n| scenario ({args.rounds} rounds of {args.requests}) | CPU µs per request "
          "(median) | throughput share of bare | of cached list |")
    print("|---|---|---|---|")
    for name, values in costs.items():
        median = statistics.median(values)
        print(f"| {name} | {median:.0f} | {100 * bare / median:.0f} % | "
              f"{100 * cached / median:.0f} % |")


if __name__ == "__main__":
    main()
