"""Chaos: 1,000 webhook events and 200 emails queued while worker processes are killed with
SIGKILL again and again and Redis is stopped and started. Every one is delivered, none is
lost, and a duplicate (a worker killed between the call and its record) carries the same id.

PostgreSQL only (several worker processes share the queue through SKIP LOCKED). About a
minute: the workers' lease is 2 s here, so a killed worker's items are due again soon.
"""

import email
import threading
import time
import uuid
from collections import Counter
from email import policy

import pytest
from sqlalchemy import func, select

from api.extensions import db
from api.mail import send_mail
from api.models import OutboxItem, WebhookEventType, WorkerHeartbeat
from api.models.base import utcnow
from api.services import webhooks
from tests.conftest import DATABASE_URL
from tests.faults import RedisServer
from tests.receiver import Receiver
from tests.workers import kill, start_worker

pytestmark = [pytest.mark.chaos,
              pytest.mark.skipif(not DATABASE_URL, reason="several worker processes share "
                                 "the queue on PostgreSQL only")]

EVENTS, EMAILS, BATCH = 1000, 200, 50
WORKERS, KILLS = 3, 8
WORK = 2.5  # seconds a worker works (after it started up) before it is killed


def park(number):
    return {"id": uuid.uuid4(), "slug": f"park-{number}", "name": f"Park {number}",
            "country": "PT", "city": None, "website": None, "is_member": True,
            "url": f"https://cisip.example/parks/park-{number}", "updated_at": utcnow()}


def queue_everything(app, queued):
    """Queue the events and mails in transactions of BATCH, as requests would, recording the
    event ids and the mails' recipients in `queued`."""
    mails_per_batch = EMAILS * BATCH // EVENTS
    for start in range(0, EVENTS, BATCH):
        with app.app_context(), db.transaction():
            for number in range(start, start + BATCH):
                event = webhooks.queue_event(WebhookEventType.PARK_UPDATED, park(number))
                queued["events"].add(str(event.id))
            for number in range(mails_per_batch):
                to = f"member-{start}-{number}@example.org"
                send_mail(to, "Chaos", "Text", "<p>HTML</p>")
                queued["mails"].add(to)
        time.sleep(0.05)  # requests arrive over time, while the chaos goes on


def test_nothing_is_lost_when_workers_die_and_redis_comes_and_goes(tmp_path, make_live_app):
    redis_server = RedisServer().start()
    receiver = Receiver()
    app = make_live_app(REDIS_URL=redis_server.url, WORKER_LEASE_SECONDS="2")
    queued = {"events": set(), "mails": set()}
    workers, kills, redis_outages = [], 0, 0
    try:
        with app.app_context():
            secret = webhooks.create_endpoint({"url": receiver.url,
                                               "events": ["park.updated"]}, None).secret
        workers = {}  # pid -> (process, when it was first seen running, or None)
        for _ in range(WORKERS):
            process = start_worker(tmp_path, app)
            workers[process.pid] = (process, None)
        producer = threading.Thread(target=queue_everything, args=(app, queued))
        producer.start()

        # A worker that has run (its heartbeat seen) for WORK seconds is SIGKILLed and
        # replaced while another one runs, and Redis goes down or comes back, KILLS times;
        # then the last workers deliver what is left.
        deadline = time.monotonic() + 120
        while kills < KILLS or producer.is_alive() or not _all_arrived(receiver, tmp_path,
                                                                       queued):
            assert time.monotonic() < deadline, "not everything arrived"
            time.sleep(0.1)
            running = _running_pids(app) if kills < KILLS else set()
            for pid, (process, seen) in list(workers.items()):
                others = sum(1 for other, (_p, since) in workers.items()
                             if other != pid and since is not None)
                if seen is None and pid in running:
                    workers[pid] = (process, time.monotonic())
                elif seen is not None and time.monotonic() - seen > WORK and others:
                    kill(process)
                    del workers[pid]
                    process = start_worker(tmp_path, app)
                    workers[process.pid] = (process, None)
                    kills += 1
                    if redis_server.process is None:
                        redis_server.start()
                    else:
                        redis_server.kill()
                        redis_outages += 1
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(OutboxItem)) == 0
    finally:
        for process, _seen in workers.values():
            kill(process)
        receiver.close()
        redis_server.kill()

    # Every call is signed; every event arrived; a repeated call repeats id and body.
    calls = receiver.verified(secret)
    ids = Counter(headers["webhook-id"] for headers, _body in calls)
    assert set(ids) == queued["events"]
    bodies = {}
    for headers, body in calls:
        assert bodies.setdefault(headers["webhook-id"], body) == body
    mails = _mails(tmp_path)
    assert {to for to, _message_id in mails} == queued["mails"]
    assert len(set(mails)) == len(queued["mails"])  # a repeated mail repeats its Message-ID
    duplicates = len(calls) - len(ids) + len(mails) - len(queued["mails"])
    print(f"\nchaos: {kills} workers killed, Redis down {redis_outages} times; "
          f"{len(calls)} calls for {len(ids)} events, {len(mails)} files for "
          f"{len(queued['mails'])} mails ({duplicates} duplicates, each with its original id)")
    assert redis_outages >= KILLS // 2


def _running_pids(app):
    with app.app_context():
        return set(db.session.scalars(select(WorkerHeartbeat.pid)))


def _mails(tmp_path):
    """(recipient, Message-ID) of every file the workers wrote."""
    found = []
    for path in (tmp_path / "outbox").glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        found.append((message["To"], message["Message-ID"]))
    return found


def _all_arrived(receiver, tmp_path, queued):
    with receiver.lock:
        ids = {headers["webhook-id"] for headers, _body in receiver.calls}
    return ids >= queued["events"] and {to for to, _id in _mails(tmp_path)} >= queued["mails"]
