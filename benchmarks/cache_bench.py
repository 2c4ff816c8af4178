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
import tempfile
import time
import urllib.request
from contextlib import contextmanager

from sqlalchemy import create_engine, text

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
# Of this run alone: other runs may share the servers.
SCHEMA = f"cisip_bench_{os.getpid()}"
PREFIX = f"cisip-bench-{os.getpid()}:"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_env(**extra):
    url = DATABASE_URL + ("&" if "?" in DATABASE_URL else "?") + \
        f"options=-csearch_path%3D{SCHEMA}"
    return os.environ | {"APP_ENV": "development", "DATABASE_URL": url,
                         "REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": PREFIX,
                         "WORKER_IN_PROCESS": "false",
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
            urllib.request.urlopen(base + "/health/live", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def wrk(url, seconds, connections, headers=(), script=None):
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for header in headers:
        args += ["-H", header]
    if script:
        args += ["-s", script]
    output = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", output, re.MULTILINE))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"rps": rps, "p50": latency.get("50"), "p99": latency.get("99"),
            "errors": int(non_2xx.group(1)) if non_2xx else 0}


# Each request asks the list with a `to=` date never asked before (past every item, so the
# page is full): a miss of the response cache, as a new filter combination is. Dates start
# at a different offset in each round and wrk thread, so that none repeats.
NEW_FILTER_SCRIPT = """
local counter = 0
local first = 4102444800 + (tonumber(os.getenv("BENCH_ROUND")) * 2 + %d) * 40000 * 86400
function setup(thread) thread:set("id", counter); counter = counter + 1 end
function init() offset = first + id * 20000 * 86400; n = 0 end
function request()
  n = n + 1
  return wrk.format(nil, wrk.path .. "&to=" .. os.date("!%%Y-%%m-%%d", offset + n * 86400))
end
"""


def post(url, body, headers=()):
    request = urllib.request.Request(url, json.dumps(body).encode(), method="POST", headers={
        "Content-Type": "application/json", **dict(h.split(": ", 1) for h in headers)})
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def login(base, email, password):
    tokens = post(base + "/api/v1/auth/login", {"email": email, "password": password})
    return f"Authorization: Bearer {tokens['access_token']}"


def fetch(url, headers=()):
    request = urllib.request.Request(url, headers=dict(h.split(": ", 1) for h in headers))
    with urllib.request.urlopen(request) as response:
        return response.headers, response.read()


def measure_cached(base, path, run, rounds, script):
    """Every scenario and the bare endpoint, interleaved over `rounds` rounds so that the
    machine's drift hits all of them alike; per scenario, its result in each round."""
    list_url = base + path
    member = login(base, "song.qi@cisip.example", "cisip-demo-member")
    editor = login(base, "editor@cisip.example", "cisip-demo-editor")
    fetch(list_url)  # fill the cache
    headers, body = fetch(list_url)
    etag = headers["ETag"]
    detail = json.loads(body)["items"][0]
    detail_url = f"{base}{path.split('?')[0]}/{detail['id']}"
    fetch(detail_url)
    member_etag = fetch(list_url, [member])[0]["ETag"]
    fetch(list_url, [editor])
    scenarios = {
        "bare endpoint (ceiling)": (base + "/api/v1/bench/bare", ()),
        "cached list": (list_url, ()),
        "cached detail": (detail_url, ()),
        "304 revalidation": (list_url, [f"If-None-Match: {etag}"]),
        "member: cached list": (list_url, [member]),
        "member: 304 revalidation": (list_url, [member, f"If-None-Match: {member_etag}"]),
        "editor: cached list": (list_url, [editor]),
        "uncached list (a new filter value each request)": (list_url, (), script),
        "keyed cached list": (list_url, [f"X-API-Key: {partner_key(base)}"]),
    }
    results: dict[str, list] = {name: [] for name in scenarios}
    for number in range(rounds):
        os.environ["BENCH_ROUND"] = str(number)
        for name, (url, headers, *extra) in scenarios.items():
            results[name].append(wrk(url, headers=headers, script=extra[0] if extra else None,
                                     **run))
    return results


def partner_key(base):
    """A publishable key issued by the demo admin, with a rate limit and a daily quota (both
    counted on every request) too large for the run to reach."""
    admin = login(base, "admin@cisip.example", "cisip-demo-admin")
    return post(base + "/api/v1/api-keys", {
        "name": "Benchmark", "kind": "publishable", "rate_limit": "1000000000/hour",
        "daily_quota": 1000000000}, [admin])["key"]


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
    with tempfile.TemporaryDirectory() as folder:
        scripts = []
        for server in range(2):  # another date range for the second server
            scripts.append(os.path.join(folder, f"new_filter_{server}.lua"))
            with open(scripts[-1], "w") as file:
                file.write(NEW_FILTER_SCRIPT % server)
        try:
            with gunicorn() as base:
                results = measure_cached(base, args.path, run, args.rounds, scripts[0])
            if args.without_copies:
                with gunicorn(RESPONSE_CACHE_LOCAL_MB="0",
                              CACHE_KEY_PREFIX=PREFIX + "nocopies:") as base:
                    without_copies = measure_cached(base, args.path, run, args.rounds,
                                                    scripts[1])
        finally:
            drop_database()
    report(args.path, results)
    if args.without_copies:
        report(f"{args.path}, copies off", without_copies)


if __name__ == "__main__":
    main()
