"""Run the suite twice: on PostgreSQL + Redis, then on SQLite + the in-process cache.

When PostgreSQL or Redis cannot be reached the first run is skipped, loudly; with
REQUIRE_SERVICES=1 (as in CI) that is a failure instead.
"""

import os
import subprocess
import sys

import psycopg
import redis

PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# A Redis database index of our own; tests only ever delete keys under their own prefix.
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def postgres_problem():
    try:
        psycopg.connect(PG_URL.replace("+psycopg", ""), connect_timeout=3).close()
    except psycopg.Error as error:
        return f"PostgreSQL at {PG_URL} is not reachable ({str(error).strip()})"
    return None


def redis_problem():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        return f"Redis at {REDIS_URL} is not reachable ({error})"
    return None


def run_suite(name, env_overrides, args):
    print(f"\n=== Test suite on {name} ===", flush=True)
    env = os.environ | env_overrides
    for key in ("TEST_DATABASE_URL", "TEST_REDIS_URL"):
        if key not in env_overrides:
            env.pop(key, None)
    return subprocess.call([sys.executable, "-m", "pytest", *args], env=env)


def main(args):
    problems = [p for p in (postgres_problem(), redis_problem()) if p]
    results = {}
    if problems:
        banner = "\n".join(f"!!! {p}" for p in problems)
        print(f"\n{banner}\n!!! SKIPPED the PostgreSQL + Redis suite.\n", flush=True)
        if os.environ.get("REQUIRE_SERVICES") == "1":
            print("REQUIRE_SERVICES=1: a skipped service is a failure.")
            return 1
    else:
        results["PostgreSQL + Redis"] = run_suite(
            "PostgreSQL + Redis", {"TEST_DATABASE_URL": PG_URL, "TEST_REDIS_URL": REDIS_URL},
            args)
    results["SQLite + in-process cache"] = run_suite("SQLite + in-process cache", {}, args)
    print("\n=== Summary ===")
    for name, code in results.items():
        print(f"{name}: {'passed' if code == 0 else f'FAILED (exit {code})'}")
    if problems:
        print("PostgreSQL + Redis: SKIPPED (" + "; ".join(problems) + ")")
    return max(results.values())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
