"""CPU per uncached list, two checkouts of the code against each other, in process.

    git worktree add /tmp/before <commit>
    .venv/bin/python -m benchmarks.ab_miss /tmp/before . [--batches 30] [--requests 100]
        [--path '/api/v1/news?per_page=20']

Starts one process per checkout (its own `api` package, this venv's libraries), each with
an app on PostgreSQL and Redis as in production (a schema and key prefixes of the run's
own, removed afterwards), and has them take turns: a batch of misses in one, then in the
other (`to=` a date never asked before, as in `cache_bench`). Prints each one's median CPU
milliseconds per request (`time.process_time`: the app's own CPU, the test client's
included, not PostgreSQL's or Redis's) and the median of the second's over the first's,
batch by batch: taking turns cancels most of this machine's drift, which moves a single
run by ±20 %.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import date

from benchmarks.cache_bench import PREFIX, ROOT, bench_env, drop_database, prepare_database

FIRST_DAY = date(2100, 1, 1).toordinal()


def serve_batches(root, number, path):
    """In a child: answer each batch size read from stdin with the CPU ms per request."""
    sys.path.insert(0, root)
    import api
    from api import create_app

    assert api.__file__.startswith(root), api.__file__

    client = create_app().test_client()
    day = FIRST_DAY + number * 1_000_000

    def batch(size):
        nonlocal day
        for _ in range(size):
            day += 1
            response = client.get(f"{path}&to={date.fromordinal(day)}")
            assert response.status_code == 200, response.status_code

    batch(30)  # warm up: connections, imports, compiled queries, the items' JSON
    print("ready", flush=True)
    for line in sys.stdin:
        started = time.process_time()
        batch(int(line))
        print(1000 * (time.process_time() - started) / int(line), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("roots", nargs=2, help="the two checkouts (first: the reference)")
    parser.add_argument("--batches", type=int, default=30)
    parser.add_argument("--requests", type=int, default=100, help="misses per batch")
    parser.add_argument("--path", default="/api/v1/news?per_page=20")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        return serve_batches(args.roots[args.child], args.child, args.path)
    roots = [os.path.abspath(root) for root in args.roots]
    prepare_database(200)
    children = []
    try:
        for number in range(2):
            child = subprocess.Popen(
                [sys.executable, "-m", "benchmarks.ab_miss", *roots, "--child", str(number),
                 "--path", args.path], cwd=ROOT,
                env=bench_env(CACHE_KEY_PREFIX=f"{PREFIX}{number}:"),
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            assert child.stdout.readline().strip() == "ready"
            children.append(child)
        spent: list[list[float]] = [[], []]
        for batch in range(args.batches):
            for number in (0, 1) if batch % 2 == 0 else (1, 0):
                children[number].stdin.write(f"{args.requests}\n")
                children[number].stdin.flush()
                spent[number].append(float(children[number].stdout.readline()))
        for root, times in zip(roots, spent, strict=True):
            print(f"{root}: {statistics.median(times):.3f} ms of CPU per request (median of "
                  f"{len(times)} batches of {args.requests})")
        ratios = sorted(second / first for first, second in zip(*spent, strict=True))
        quartile = len(ratios) // 4
        print(f"second / first: median {statistics.median(ratios):.3f} "
              f"(quartiles {ratios[quartile]:.3f}-{ratios[-1 - quartile]:.3f})")
    finally:
        for child in children:
            child.stdin.close()
            child.wait()
        drop_database()


if __name__ == "__main__":
    main()
