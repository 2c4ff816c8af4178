"""Load test of the response cache: requests per second and p50/p99 latency, with wrk,
against gunicorn on 127.0.0.1.

    .venv/bin/python -m benchmarks.cache_bench [--seconds 10] [--connections 16] [--rounds 3]
        [--without-copies]

Uses PostgreSQL and Redis (BENCH_DATABASE_URL, BENCH_REDIS_URL; defaults: the local test
servers, in a schema and Redis key prefix of its own, removed afterwards). Needs `wrk`
(Debian package `wrk`).
"""

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager

from sqlalchemy import create_engine, text

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
SCHEMA = "cisip_bench"
PREFIX = "cisip-bench:"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_env(**extra):
    url = DATABASE_URL + ("&" if "?" in DATABASE_URL else "?") + \
        f"options=-csearch_path%3D{SCHEMA}"
    return os.environ | {"APP_ENV": "development", "DATABASE_URL": url,
                         "REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": PREFIX,
                         "LOG_LEVEL": "WARNING"} | extra


def prepare_database(items):
    engine = create_engine(DATABASE_URL)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    engine.dispose()
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=bench_env(), check=True,
                   capture_output=True)
    subprocess.run([*flask, "seed", "demo"], cwd=ROOT, env=bench_env(), check=True,
                   capture_output=True)
    subprocess.run([sys.executable, "-m", "benchmarks.fill", str(items)], cwd=ROOT,
                   env=bench_env(), check=True)


def drop_database():
    engine = create_engine(DATABASE_URL)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    engine.dispose()
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=PREFIX + "*", count=1000))
    if keys:
        client.delete(*keys)


@contextmanager
def gunicorn(**env):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "--threads",
         os.environ.get("BENCH_THREADS", "1"), "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "benchmarks.bench_app:app"],
        cwd=ROOT, env=bench_env(**env))
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/health/live", timeout=1)  # noqa: S310
            break
        except OSError:
            time.sleep(0.1)
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def wrk(url, seconds, connections, headers=()):
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for header in headers:
        args += ["-H", header]
    output = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", output, re.MULTILINE))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"rps": rps, "p50": latency.get("50"), "p99": latency.get("99"),
            "errors": int(non_2xx.group(1)) if non_2xx else 0}


def measure_cached(base, path, run, rounds):
    """Every cached scenario and the bare endpoint, interleaved over `rounds` rounds so that
    the machine's drift hits all of them alike; per scenario, its result in each round."""
    list_url = base + path
    urllib.request.urlopen(list_url)  # noqa: S310 - fill the cache
    etag = urllib.request.urlopen(list_url).headers["ETag"]  # noqa: S310
    detail = json.load(urllib.request.urlopen(list_url))["items"][0]  # noqa: S310
    detail_url = f"{base}{path.split('?')[0]}/{detail['id']}"
    urllib.request.urlopen(detail_url)  # noqa: S310
    scenarios = {
        "bare endpoint (ceiling)": (base + "/api/v1/bench/bare", ()),
        "cached list": (list_url, ()),
        "cached detail": (detail_url, ()),
        "304 revalidation": (list_url, [f"If-None-Match: {etag}"]),
        "keyed cached list": (list_url, [f"X-API-Key: {partner_key(base)}"]),
    }
    results: dict[str, list] = {name: [] for name in scenarios}
    for _ in range(rounds):
        for name, (url, headers) in scenarios.items():
            results[name].append(wrk(url, headers=headers, **run))
    return results


def partner_key(base):
    """A publishable key issued by the demo admin, with a rate limit and a daily quota (both
    counted on every request) too large for the run to reach."""

    def post(path, body, headers=()):
        request = urllib.request.Request(  # noqa: S310 - our own http:// server
            base + path, json.dumps(body).encode(), method="POST",
            headers={"Content-Type": "application/json", **dict(headers)})
        return json.load(urllib.request.urlopen(request))  # noqa: S310

    token = post("/api/v1/auth/login", {"email": "admin@cisip.example",
                                        "password": "cisip-demo-admin"})["access_token"]
    return post("/api/v1/api-keys", {"name": "Benchmark", "kind": "publishable",
                                     "rate_limit": "1000000000/hour",
                                     "daily_quota": 1000000000},
                [("Authorization", f"Bearer {token}")])["key"]


def report(title, results):
    bare = [result["rps"] for result in results["bare endpoint (ceiling)"]]
    print(f"\n| {title} | req/s (median) | % of bare, per round | p50 | p99 | non-2xx/3xx |")
    print("|---|---|---|---|---|---|")
    for name, rounds in results.items():
        ordered = sorted(rounds, key=lambda result: result["rps"])
        median = ordered[len(ordered) // 2]
        shares = [100 * result["rps"] / ceiling
                  for result, ceiling in zip(rounds, bare, strict=False)]
        share = (f"{min(shares):.0f}-{max(shares):.0f} % (median "
                 f"{sorted(shares)[len(shares) // 2]:.0f} %)" if len(shares) > 1
                 else f"{shares[0]:.0f} %")
        print(f"| {name} | {median['rps']:.0f} | {share} | {median['p50']} | "
              f"{median['p99']} | {sum(result['errors'] for result in rounds)} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--path", default="/api/v1/news?per_page=20",
                        help="the list to measure")
    parser.add_argument("--without-copies", action="store_true",
                        help="also measure with each process's copies of Redis entries off "
                             "(RESPONSE_CACHE_LOCAL_MB=0)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    prepare_database(args.items)
    run = {"seconds": args.seconds, "connections": args.connections}
    try:
        with gunicorn() as base:
            results = measure_cached(base, args.path, run, args.rounds)
        if args.without_copies:
            with gunicorn(RESPONSE_CACHE_LOCAL_MB="0",
                          CACHE_KEY_PREFIX=PREFIX + "nocopies:") as base:
                without_copies = measure_cached(base, args.path, run, args.rounds)
        # Its own key prefix: the first server's entries must not answer for it.
        with gunicorn(RESPONSE_CACHE_SECONDS="0", CACHE_KEY_PREFIX=PREFIX + "nocache:") as base:
            results["uncached list (response cache off)"] = [wrk(base + args.path, **run)]
    finally:
        drop_database()
    report(args.path, results)
    if args.without_copies:
        report(f"{args.path}, copies off", without_copies)


if __name__ == "__main__":
    main()
