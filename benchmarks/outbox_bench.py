"""Webhook delivery through the outbox: commit-to-receipt latency on an idle queue, and the
throughput of two worker processes, each beside a reference measured in the same round.

    .venv/bin/python -m benchmarks.outbox_bench [--rounds 3] [--pings 50] [--events 2000]

Uses PostgreSQL (BENCH_DATABASE_URL; default the local test server, in a schema of its own,
dropped afterwards). Two `flask --app wsgi worker` processes (WORKER_THREADS 4, the default;
WORKER_POLL_SECONDS 30, so that only the wake-up can be fast) deliver to a receiver on
127.0.0.1 that answers 204 at once.

Per round:
- latency: `--pings` events, one at a time on an idle queue: from the return of the commit
  that queues it to its arrival at the receiver. Reference: the same signed POST made
  directly by this process (the floor of any delivery).
- throughput: `--events` events queued while the workers are paused (SIGSTOP), then counted
  from SIGCONT to the last arrival. Reference: the same number of POSTs made directly to the
  receiver by 8 threads (its ceiling on this machine).
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sqlalchemy import create_engine, text

from api import create_app
from api.extensions import db
from api.models import WebhookEventType
from api.models.base import utcnow
from api.services import webhooks
from api.services.deliveries import signed_headers
from config import TestingConfig

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SCHEMA = f"cisip_outbox_bench_{os.getpid()}"


class Receiver:
    """Answers 204 at once and notes when each `webhook-id` arrived."""

    def __init__(self):
        self.arrived = {}
        self.changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()
                with receiver.changed:
                    receiver.arrived.setdefault(self.headers["webhook-id"], time.monotonic())
                    receiver.changed.notify_all()

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.request_queue_size = 128
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def wait_for(self, ids, timeout=120):
        with self.changed:
            done = self.changed.wait_for(lambda: ids <= self.arrived.keys(), timeout)
        if not done:
            raise RuntimeError(f"{len(ids - self.arrived.keys())} events never arrived")
        return max(self.arrived[event_id] for event_id in ids)


def database_url():
    return DATABASE_URL + ("&" if "?" in DATABASE_URL else "?") + \
        f"options=-csearch_path%3D{SCHEMA}"


def settings(tmp):
    return {"DATABASE_URL": database_url(), "REDIS_URL": "", "MAIL_URL": f"file://{tmp}/mail",
            "WEBHOOK_ALLOW_HTTP": "true", "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
            "WORKER_POLL_SECONDS": "30", "CACHE_KEY_PREFIX": f"cisip-bench-{os.getpid()}:",
            "LOG_LEVEL": "WARNING"}


def prepare_schema():
    engine = create_engine(DATABASE_URL)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
    engine.dispose()
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
                   cwd=ROOT, env=os.environ | {"APP_ENV": "testing",
                                               "DATABASE_URL": database_url()},
                   check=True, capture_output=True)


def drop_schema():
    engine = create_engine(DATABASE_URL)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
    engine.dispose()


def start_workers(env, count=2):
    workers = [subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker"],
                                cwd=ROOT, env=os.environ | {"APP_ENV": "testing"} | env)
               for _ in range(count)]
    return workers


def park(number):
    return {"id": uuid.uuid4(), "slug": f"park-{number}", "name": f"Park {number}",
            "country": "PT", "city": None, "website": None, "is_member": True,
            "url": f"https://cisip.example/parks/park-{number}", "updated_at": utcnow()}


def queue(app, endpoint, count, batch=200):
    ids = set()
    for start in range(0, count, batch):
        with app.app_context(), db.transaction():
            endpoint = db.session.merge(endpoint, load=False)
            for number in range(start, min(start + batch, count)):
                event = webhooks.queue_event(WebhookEventType.PARK_UPDATED, park(number),
                                             [endpoint])
                ids.add(str(event.id))
    return ids


def latency(app, endpoint, receiver, pings):
    """Commit-to-arrival of `pings` events, one at a time (seconds)."""
    samples = []
    for _ in range(pings):
        with app.app_context():
            event = webhooks.queue_event(WebhookEventType.PING, {
                "webhook_id": endpoint.id, "message": "bench"}, [endpoint])
            committed = time.monotonic()
        samples.append(receiver.wait_for({str(event.id)}, timeout=30) - committed)
        time.sleep(0.05)  # the queue goes idle again: every ping wakes a sleeping worker
    return samples


def direct_latency(receiver, secret, pings):
    samples = []
    for _ in range(pings):
        event_id, body = str(uuid.uuid4()), '{"type":"ping"}'
        started = time.monotonic()
        post(receiver.url, body, signed_headers(event_id, body, [secret]))
        samples.append(receiver.wait_for({event_id}) - started)
    return samples


def post(url, body, headers):
    request = urllib.request.Request(url, data=body.encode(), headers=headers,
                                     method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


def throughput(app, endpoint, receiver, workers, events):
    for worker in workers:
        worker.send_signal(signal.SIGSTOP)
    ids = queue(app, endpoint, events)
    started = time.monotonic()
    for worker in workers:
        worker.send_signal(signal.SIGCONT)
    return events / (receiver.wait_for(ids) - started)


def direct_throughput(receiver, secret, events):
    def one(_number):
        event_id, body = str(uuid.uuid4()), '{"type":"park.updated"}'
        post(receiver.url, body, signed_headers(event_id, body, [secret]))

    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one, range(events)))
    return events / (time.monotonic() - started)


def p99(samples):
    return statistics.quantiles(samples, n=100)[98] if len(samples) > 1 else samples[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pings", type=int, default=50)
    parser.add_argument("--events", type=int, default=2000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cisip-outbox-bench-"))
    prepare_schema()
    env = settings(tmp)
    app = create_app(TestingConfig(env))
    receiver = Receiver()
    workers = []
    try:
        with app.app_context():
            endpoint = webhooks.create_endpoint({"url": receiver.url,
                                                 "events": ["park.updated"]}, None)
        workers = start_workers(env)
        latency(app, endpoint, receiver, 3)  # the workers are up and listening
        rows = []
        for number in range(1, args.rounds + 1):
            reference = direct_latency(receiver, endpoint.secret, args.pings)
            measured = latency(app, endpoint, receiver, args.pings)
            ceiling = direct_throughput(receiver, endpoint.secret, args.events)
            rate = throughput(app, endpoint, receiver, workers, args.events)
            rows.append((number, reference, measured, ceiling, rate))
            print(f"round {number}: latency p50 {statistics.median(measured) * 1000:.1f} ms, "
                  f"p99 {p99(measured) * 1000:.1f} ms (direct POST p50 "
                  f"{statistics.median(reference) * 1000:.1f} ms); throughput {rate:.0f}/s "
                  f"(direct POSTs {ceiling:.0f}/s, {rate / ceiling:.0%})", flush=True)
        all_latency = [sample for row in rows for sample in row[2]]
        print(f"\nlatency over {len(all_latency)} events: p50 "
              f"{statistics.median(all_latency) * 1000:.1f} ms, p99 "
              f"{p99(all_latency) * 1000:.1f} ms, max {max(all_latency) * 1000:.1f} ms "
              "(target p99 < 1000 ms)")
        print(f"throughput, median of rounds: {statistics.median(r[4] for r in rows):.0f}/s "
              f"(target >= 200/s); direct POSTs {statistics.median(r[3] for r in rows):.0f}/s; "
              f"ratio per round {', '.join(f'{r[4] / r[3]:.0%}' for r in rows)}")
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGCONT)
            worker.terminate()
            worker.wait(timeout=30)
        receiver.server.shutdown()
        app.extensions["db.engine"].dispose()
        drop_schema()


if __name__ == "__main__":
    main()
