"""How long failed logins take, by why they fail, as ratios to an unknown email's.

    .venv/bin/python -m benchmarks.login_bench [--rounds 5] [--requests 10]

Runs the app in-process (Flask's test client) on a SQLite file of its own with the
production password hashing (argon2id, RFC 9106 low-memory profile) and no rate limits.
Each round sends, interleaved, one login of every case per step; each case's median is
compared with the unknown email's median of the same round.
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from api import create_app
from api.extensions import db
from api.models import Member, MemberStatus
from config import DevelopmentConfig

PASSWORD = "correct horse battery"  # noqa: S105 (a benchmark's own account)
REFERENCE = "unknown email"


def build_app(folder):
    app = create_app(DevelopmentConfig({
        "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}", "RATELIMIT_ENABLED": "false",
        "MAIL_URL": f"file://{folder / 'outbox'}", "STORAGE_URL": f"file://{folder / 'files'}",
        "LOG_LEVEL": "ERROR"}))
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        accounts = {"active@example.org": MemberStatus.ACTIVE,
                    "pending@example.org": MemberStatus.PENDING,
                    "invited@example.org": MemberStatus.ACTIVE}
        for email, status in accounts.items():
            member = Member(email=email, full_name="Bench", status=status)
            if email != "invited@example.org":  # an invitation has no password yet
                member.password = PASSWORD
            db.session.add(member)
        db.session.commit()
    return app


CASES = {
    REFERENCE: ("nobody@example.org", PASSWORD, 401),
    "wrong password": ("active@example.org", "wrong password!", 401),
    "invited, no password yet": ("invited@example.org", PASSWORD, 401),
    "pending, right password": ("pending@example.org", PASSWORD, 403),
    "success (not a failure)": ("active@example.org", PASSWORD, 200),
}


def measure(client, rounds, requests):
    """{case: [median seconds of each round]}."""
    medians = {case: [] for case in CASES}
    for _ in range(rounds):
        times = {case: [] for case in CASES}
        for _ in range(requests):
            for case, (email, password, status) in CASES.items():
                start = time.perf_counter()
                response = client.post("/api/v1/auth/login",
                                       json={"email": email, "password": password})
                times[case].append(time.perf_counter() - start)
                assert response.status_code == status, (case, response.status_code)
        for case, values in times.items():
            medians[case].append(statistics.median(values))
    return medians


def report(medians):
    print("| case | median per round (ms) | ratio to unknown email, per round |")
    print("|---|---|---|")
    for case, values in medians.items():
        ratios = [value / reference for value, reference in zip(values, medians[REFERENCE],
                                                                strict=True)]
        print(f"| {case} | {', '.join(f'{v * 1000:.0f}' for v in values)} "
              f"| {', '.join(f'{r:.2f}' for r in ratios)} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = build_app(Path(folder))
        client = app.test_client()
        measure(client, 1, 1)  # warm up: imports, first connections
        report(measure(client, args.rounds, args.requests))
        app.extensions["mail"].close()


if __name__ == "__main__":
    main()
