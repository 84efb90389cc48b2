"""The change feed: gap-free, strictly increasing, never observed out of order."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from soundseal.db import Database
from soundseal.registry.certificates.services import get_certificate, revoke_certificate
from soundseal.registry.changes.services import list_changes
from tests.factories import Factory


def test_each_change_takes_the_next_sequence_of_its_mode(
    database: Database, factory: Factory
) -> None:
    account = factory.account()
    live, test = factory.key(account), factory.key(account, mode="test")
    a = factory.certificate(live)
    factory.certificate(test)
    b = factory.certificate(live)
    with database.transaction() as session:
        revoke_certificate(
            session,
            get_certificate(session, a.id),
            reason="r",
            actor=None,
            base_url="",
            notary=factory.notary,
        )
    with database.transaction(write=False) as session:
        live_feed = [
            (c.sequence, c.type, c.certificate_id)
            for c in list_changes(session, mode="live", since=0, limit=10)
        ]
        test_feed = [c.sequence for c in list_changes(session, mode="test", since=0, limit=10)]
    assert live_feed == [
        (1, "certificate.created", a.id),
        (2, "certificate.created", b.id),
        (3, "certificate.revoked", a.id),
    ]
    assert test_feed == [1]


def test_a_rolled_back_change_leaves_no_gap(database: Database, factory: Factory) -> None:
    key = factory.key()
    first = factory.certificate(key)
    try:
        with database.transaction() as session:
            revoke_certificate(
                session,
                get_certificate(session, first.id),
                reason="r",
                actor=None,
                base_url="",
                notary=factory.notary,
            )
            raise RuntimeError("abort")
    except RuntimeError:
        pass
    second = factory.certificate(key)
    with database.transaction(write=False) as session:
        assert [c.sequence for c in list_changes(session, mode="live", since=0, limit=10)] == [1, 2]
    assert second.sequence == 2


def test_concurrent_writers_never_show_a_reader_a_gap(database: Database, factory: Factory) -> None:
    """Writers commit concurrently while readers poll as a platform would: every page must
    start right after the reader's last sequence and be contiguous. A plain auto-increment
    or database sequence fails this: a later sequence can commit before an earlier one."""
    writers, per_writer, readers = 6, 25, 3
    keys = [factory.key() for _ in range(writers)]
    done = threading.Event()
    problems: list[str] = []
    seen_by_reader: list[int] = [0] * readers

    def write(index: int) -> None:
        for _ in range(per_writer):
            cert = factory.certificate(keys[index])
            with database.transaction() as session:
                revoke_certificate(
                    session,
                    get_certificate(session, cert.id),
                    reason="r",
                    actor=None,
                    base_url="",
                    notary=factory.notary,
                )

    def read(index: int) -> None:
        last = 0
        while True:
            finished = done.is_set()
            with database.transaction(write=False) as session:
                page = [
                    c.sequence for c in list_changes(session, mode="live", since=last, limit=50)
                ]
            if page and page != list(range(last + 1, last + 1 + len(page))):
                problems.append(f"reader {index} after {last} saw {page[:5]}…")
                return
            if page:
                last = page[-1]
            elif finished:
                break
            else:
                time.sleep(0.001)
        seen_by_reader[index] = last

    with ThreadPoolExecutor(max_workers=writers + readers) as pool:
        reads = [pool.submit(read, i) for i in range(readers)]
        writes = [pool.submit(write, i) for i in range(writers)]
        for future in writes:
            future.result()
        done.set()
        for future in reads:
            future.result()
    assert problems == []
    assert seen_by_reader == [writers * per_writer * 2] * readers
