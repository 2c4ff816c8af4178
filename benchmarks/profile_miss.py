"""Profile uncached reads in process: where the time of a cache miss goes.

    .venv/bin/python -m benchmarks.profile_miss [--items 200] [--requests 200]
        [--path '/api/v1/news?per_page=20'] [--sort tottime] [--top 30] [--redis]

Uses PostgreSQL (BENCH_DATABASE_URL, default the local test server, in a schema of its own,
removed afterwards) with the demo data plus `--items` generated news, and the in-process
store (with `--redis`, Redis as in production: BENCH_REDIS_URL, a key prefix of its own).
Each request adds a filter value never asked before (`to=` a date past every item), so
every one is a miss of the response cache and of the cached totals, as a new filter
combination is in production. Prints the CPU milliseconds per request and the cProfile
table (CPU time, so waiting for the database does not count).
"""

import argparse
import cProfile
import os
import pstats
import time
from datetime import date

from benchmarks.cache_bench import bench_env, drop_database, prepare_database

first = date(2100, 1, 1).toordinal()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--path", default="/api/v1/news?per_page=20")
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--redis", action="store_true", help="use Redis, not the process")
    args = parser.parse_args()
    prepare_database(args.items)
    try:
        os.environ.update(bench_env() if args.redis else bench_env(REDIS_URL=""))
        from api import create_app

        client = create_app().test_client()
        paths = (f"{args.path}&to={date.fromordinal(first + n)}" for n in range(10**6))
        for _ in range(20):  # warm up: connections, imports, compiled queries
            assert client.get(next(paths)).status_code == 200
        started = time.process_time()
        for _ in range(args.requests):
            client.get(next(paths))
        spent = time.process_time() - started
        print(f"{args.path}: {1000 * spent / args.requests:.2f} ms of CPU per request "
              f"({args.requests} requests; the profile below, of as many, costs more)")
        profile = cProfile.Profile(time.process_time)
        profile.enable()
        for _ in range(args.requests):
            client.get(next(paths))
        profile.disable()
        pstats.Stats(profile).strip_dirs().sort_stats(args.sort).print_stats(args.top)
    finally:
        drop_database()


if __name__ == "__main__":
    main()
