"""Worker processes for tests: `flask --app wsgi worker` with an app's settings, and waiting
for what they do."""

import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The app settings a worker process shares with the test's app.
SHARED = ("DATABASE_URL", "CACHE_KEY_PREFIX", "MAIL_URL", "FRONTEND_URL", "WEBHOOK_ALLOW_HTTP",
          "WORKER_POLL_SECONDS", "WORKER_LEASE_SECONDS")


def wait_until(predicate, seconds=10.0, what="the condition"):
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"{what} did not happen within {seconds} s"
        time.sleep(0.02)


def start_worker(tmp_path, app, *args):
    """A `flask --app wsgi worker` process on the app's database, mail and settings; its
    output goes to a log file in `tmp_path`."""
    config = app.config
    env = os.environ | {name: str(config[name]) for name in SHARED} | {
        "APP_ENV": "testing", "PYTHONUNBUFFERED": "1", "REDIS_URL": config["REDIS_URL"] or "",
        "WEBHOOK_ALLOWED_HOSTS": ",".join(config["WEBHOOK_ALLOWED_HOSTS"]),
        "WORKER_THREADS": "2", "LOG_LEVEL": "INFO"}
    with (tmp_path / f"worker-{uuid.uuid4().hex[:6]}.log").open("w") as log:
        return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker",
                                 *args], cwd=ROOT, env=env, stdout=log, stderr=log)


def kill(process):
    if process.poll() is None:
        process.kill()
    process.wait()


@contextmanager
def worker_process(tmp_path, app, *args):
    """A worker process for the block; killed if it still runs after it."""
    process = start_worker(tmp_path, app, *args)
    try:
        yield process
    finally:
        kill(process)
