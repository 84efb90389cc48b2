"""Several workers, and workers that die: at-least-once, never one attempt sent twice."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from soundseal.db import Database, create_database
from soundseal.registry.events.services import emit
from soundseal.registry.webhooks.models import WebhookDelivery
from soundseal.worker.embedded import EmbeddedWorker
from tests.backends import Backend
from tests.factories import Factory
from tests.receiver import Receiver, until
from tests.worker.conftest import FAST


def emit_many(database: Database, account_id: str, count: int) -> None:
    for start in range(0, count, 50):
        with database.transaction() as session:
            for n in range(start, min(start + 50, count)):
                emit(
                    session, account_id=account_id, mode="live", type="credits.used", data={"n": n}
                )


def statuses(database: Database) -> Counter[str]:
    with database.transaction(write=False) as session:
        return Counter(d.status for d in session.query(WebhookDelivery).all())


def test_a_worker_killed_mid_batch_loses_nothing(
    database: Database,
    factory: Factory,
    start_worker: Callable[..., EmbeddedWorker],
    tmp_path: Path,
) -> None:
    key = factory.key()
    with Receiver() as receiver:
        receiver.gate.clear()  # requests arrive but are not answered
        factory.webhook(key, receiver.url, events=["credits.used"])
        emit_many(database, key.account_id, 30)
        url = database.engine.url.render_as_string(hide_password=False)
        env = {
            **os.environ,
            "SOUNDSEAL_DATABASE_URL": url,
            "SOUNDSEAL_DATA_DIR": str(tmp_path),
            **{f"SOUNDSEAL_{k.upper()}": str(v) for k, v in FAST.items()},
            "SOUNDSEAL_WEBHOOK_BATCH_SIZE": "10",
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "soundseal", "worker"], env=env, stderr=subprocess.DEVNULL
        )
        try:
            receiver.wait_for(3, ok_only=False)  # requests are in flight
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
        # Whatever the killed worker sent before it died is read before the snapshot.
        receiver.settle()
        assert statuses(database) == Counter(pending=30)  # claimed, sent, never answered
        in_flight = {json.loads(r.body)["data"]["n"] for r in receiver.received}
        receiver.gate.set()
        start_worker()  # takes over once the dead worker's leases run out
        until(lambda: statuses(database) == Counter(succeeded=30))
    numbers = Counter(json.loads(r.body)["data"]["n"] for r in receiver.received)
    assert set(numbers) == set(range(30))
    # Sent twice only if the killed worker had sent it: at least once, no more than needed.
    assert {n for n, times in numbers.items() if times > 1} <= in_flight


def test_settle_reads_every_request_a_dead_sender_left_behind() -> None:
    # What the test above relies on: requests sent in full before the sender died are all
    # recorded once `settle()` returns, and a request cut short is not. The receiver is
    # held up (its lock taken) until the sender is gone, so nothing is recorded on arrival.
    body = b'{"n": 1}'
    head = b"POST /hooks HTTP/1.1\r\nHost: receiver\r\nContent-Length: %d\r\n\r\n" % len(body)
    with Receiver() as receiver:
        receiver.gate.clear()
        holding, release = threading.Event(), threading.Event()

        def hold_up() -> None:
            with receiver.condition:
                holding.set()
                release.wait(30)

        blocker = threading.Thread(target=hold_up)
        blocker.start()
        holding.wait()
        senders = [socket.create_connection(("127.0.0.1", receiver.port)) for _ in range(20)]
        for sender in senders:
            sender.sendall(head + body)
        cut = socket.create_connection(("127.0.0.1", receiver.port))
        cut.sendall(head + body[:3])
        for sender in [*senders, cut]:
            sender.close()
        assert len(receiver.received) == 0  # sent, not yet read
        release.set()
        receiver.settle()
        assert len(receiver.received) == 20
        assert receiver.reading == 0
        blocker.join()


def test_two_workers_never_send_one_attempt_twice(
    backend: Backend,
    database: Database,
    factory: Factory,
    start_worker: Callable[..., EmbeddedWorker],
) -> None:
    # PostgreSQL claims with FOR UPDATE SKIP LOCKED; SQLite's single writer serialises the
    # claims. Either way no attempt is sent twice.
    key = factory.key()
    second = create_database(database.engine.url.render_as_string(hide_password=False))
    with Receiver() as receiver:
        factory.webhook(key, receiver.url, events=["credits.used"])
        start_worker(webhook_batch_size=5)
        start_worker(second, webhook_batch_size=5)
        emit_many(database, key.account_id, 300)
        receiver.wait_for(300)
        until(lambda: statuses(database) == Counter(succeeded=300))
    second.dispose()
    ok = Counter(r.headers["x-soundseal-delivery"] for r in receiver.received if r.status == 200)
    sent = Counter(r.headers["x-soundseal-delivery"] for r in receiver.received)
    assert len(ok) == 300
    assert set(ok.values()) == {1}
    with database.transaction(write=False) as session:
        rows = session.query(WebhookDelivery).all()
    # Each attempt is claimed by one worker and sent at most once: no delivery was sent more
    # often than it was attempted (an attempt that failed to connect was not sent at all).
    assert all(sent[d.id] <= d.attempts for d in rows)


def test_deliveries_queued_past_their_claim_are_retried_not_sent_late(
    database: Database, factory: Factory, start_worker: Callable[..., EmbeddedWorker]
) -> None:
    key = factory.key()
    with Receiver() as receiver:
        receiver.delay = 0.3
        factory.webhook(key, receiver.url, events=["credits.used"])
        emit_many(database, key.account_id, 6)
        # One sender, and a claim that leaves 0.5 s to start sending: some of the batch
        # waits too long behind the slow receiver and goes back to the queue.
        start_worker(webhook_concurrency=1, webhook_timeout_seconds=1, webhook_lease_seconds=1.5)
        until(lambda: statuses(database) == Counter(succeeded=6))
    with database.transaction(write=False) as session:
        rows = session.query(WebhookDelivery).all()
    assert max(d.attempts for d in rows) > 1
    sent = Counter(r.headers["x-soundseal-delivery"] for r in receiver.received)
    assert sorted(sent.values()) == [1] * 6
