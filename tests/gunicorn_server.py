"""Run the app under gunicorn with config/gunicorn.conf.py, on a free 127.0.0.1 port."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONF = ROOT / "config" / "gunicorn.conf.py"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(tmp_path, app="tests.serving_app:app", **env):
    """Yield (process, base URL, log folder); kill the server if a test left it running."""
    port = free_port()
    env = os.environ | {
        "APP_ENV": "testing", "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serving.db'}", "REDIS_URL": "",
        "STORAGE_URL": f"file://{tmp_path / 'storage'}", "MAIL_URL": f"file://{tmp_path / 'mail'}",
        "SLOW_STARTED_FILE": str(tmp_path / "slow-started"),
    } | env
    with open(tmp_path / "stdout.log", "wb") as out, open(tmp_path / "stderr.log", "wb") as err:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(CONF), app],
                                   cwd=ROOT, env=env, stdout=out, stderr=err)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_until_live(process, url, tmp_path)
            yield process, url
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


def _wait_until_live(process, url, tmp_path, seconds=8):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError("gunicorn exited: " + (tmp_path / "stderr.log").read_text())
        try:
            with urllib.request.urlopen(url + "/health/live", timeout=1):  # noqa: S310
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("gunicorn did not answer /health/live in time")
