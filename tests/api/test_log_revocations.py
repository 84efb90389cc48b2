"""The signed revocation snapshot over HTTP: it verifies against the published log key, states
exactly the certificates the log revokes up to its size (read from the log, not the
certificates table), refuses tampering, and lets a new platform boot from it and then tail
the log from its size with a consistency proof."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import update
from starlette.testclient import TestClient

from soundseal.db import Database
from soundseal.registry.certificates.models import Certificate
from soundseal.signing import RevocationStatement
from soundseal.signing.log_entries import verify_entry_statements
from soundseal.transparency.checkpoint import open_checkpoint
from soundseal.transparency.entry_bundles import decode_entry_bundle
from soundseal.transparency.merkle import verify_consistency
from soundseal.transparency.note_errors import NoteError
from soundseal.transparency.note_keys import VerifierKey
from soundseal.transparency.revocations import open_revocation_snapshot
from tests.factories import Factory
from tests.registry.log_helpers import verifier_from_jwks

ORIGIN = "registry.test/log/live"


def b64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def log_key(client: TestClient, origin: str = ORIGIN) -> VerifierKey:
    return verifier_from_jwks(client.get("/.well-known/jwks.json").json(), origin)


def test_the_snapshot_states_the_revoked_certificates_at_the_current_checkpoint(
    client: TestClient, factory: Factory
) -> None:
    key = factory.key()
    certs = [factory.certificate(key) for _ in range(4)]
    factory.revoke(certs[1])
    factory.revoke(certs[3])
    response = client.get("/log/live/revocations")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    size, root, revoked = open_revocation_snapshot(response.text, log_key(client))
    assert revoked == {certs[1].id, certs[3].id}
    checkpoint, _ = open_checkpoint(client.get("/log/live/checkpoint").text, [log_key(client)])
    assert (size, root) == (checkpoint.size, checkpoint.root_hash) == (6, checkpoint.root_hash)
    lines = response.text.split("\n")
    assert lines[:3] == ["soundseal/revocations/v1", ORIGIN, "6"]
    assert lines[4:6] == sorted([certs[1].id, certs[3].id])


def test_a_snapshot_at_an_earlier_size_holds_only_what_was_revoked_by_then(
    client: TestClient, factory: Factory
) -> None:
    key = factory.key()
    first, second = factory.certificate(key), factory.certificate(key)
    factory.revoke(first)  # leaf 2
    factory.revoke(second)  # leaf 3
    early = client.get("/log/live/revocations", params={"size": 3})
    assert early.headers["cache-control"] == "public, max-age=60"
    size, root, revoked = open_revocation_snapshot(early.text, log_key(client))
    assert (size, revoked) == (3, {first.id})
    consistency = client.get("/api/v1/log/live/consistency", params={"first": 3, "second": 4})
    assert b64(consistency.json()["first_root_hash"]) == root
    assert (
        open_revocation_snapshot(
            client.get("/log/live/revocations", params={"size": 0}).text, log_key(client)
        ).revoked
        == frozenset()
    )


def test_the_snapshot_is_read_from_the_log_not_the_certificates_table(
    client: TestClient, database: Database, factory: Factory
) -> None:
    cert = factory.certificate()
    factory.revoke(cert)
    with database.transaction() as session:
        session.execute(
            update(Certificate).where(Certificate.id == cert.id).values(status="active")
        )
    _, _, revoked = open_revocation_snapshot(
        client.get("/log/live/revocations").text, log_key(client)
    )
    assert revoked == {cert.id}


def test_a_tampered_snapshot_is_refused(client: TestClient, factory: Factory) -> None:
    key = factory.key()
    kept, dropped = factory.certificate(key), factory.certificate(key)
    factory.revoke(kept)
    factory.revoke(dropped)
    signed = client.get("/log/live/revocations").text
    verifier = log_key(client)
    for tampered in (
        signed.replace(f"{dropped.id}\n", "", 1),  # a revocation withheld
        signed.replace("\n4\n", "\n3\n", 1),  # another size
        signed.replace(kept.id, kept.id[:-1] + ("0" if kept.id[-1] != "0" else "1"), 1),
    ):
        assert tampered != signed
        with pytest.raises(NoteError):
            open_revocation_snapshot(tampered, verifier)
    # The test log's key (another origin) does not open the live log's snapshot.
    with pytest.raises(NoteError):
        open_revocation_snapshot(signed, log_key(client, "registry.test/log/test"))


def test_a_new_platform_boots_from_the_snapshot_and_tails_the_log(
    client: TestClient, factory: Factory
) -> None:
    key = factory.key()
    certs = [factory.certificate(key) for _ in range(3)]
    factory.revoke(certs[0])
    snapshot = client.get("/log/live/revocations").text
    factory.revoke(certs[2])
    factory.certificate(key)

    verifier = log_key(client)
    size, root, revoked = open_revocation_snapshot(snapshot, verifier)
    checkpoint, _ = open_checkpoint(client.get("/log/live/checkpoint").text, [verifier])
    proof = client.get(
        "/api/v1/log/live/consistency", params={"first": size, "second": checkpoint.size}
    ).json()
    verify_consistency(
        size, checkpoint.size, [b64(h) for h in proof["hashes"]], root, checkpoint.root_hash
    )
    bundle = client.get(f"/log/live/tile/entries/000.p/{checkpoint.size}").content
    tail = decode_entry_bundle(bundle, checkpoint.size)[size:]
    keys = client.get("/.well-known/jwks.json").json()
    for statement in verify_entry_statements(tail, size, keys, origin=ORIGIN):
        if isinstance(statement, RevocationStatement):
            revoked |= {statement.certificate_id}
    assert revoked == {certs[0].id, certs[2].id}


def test_the_test_log_snapshot_needs_a_test_key_and_sizes_are_bounded(
    client: TestClient, factory: Factory
) -> None:
    test_key = factory.key(mode="test")
    factory.revoke(factory.certificate(test_key))
    assert client.get("/log/test/revocations").status_code == 401
    assert client.get("/log/test/revocations", headers=factory.key().headers).status_code == 404
    response = client.get("/log/test/revocations", headers=test_key.headers)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
    _, _, revoked = open_revocation_snapshot(
        response.text, log_key(client, "registry.test/log/test")
    )
    assert len(revoked) == 1
    sized = client.get("/log/test/revocations", params={"size": 2}, headers=test_key.headers)
    assert sized.headers["cache-control"] == "private, no-cache"
    for size in ("3", "-1", "x", str(2**31)):
        beyond = client.get(
            "/log/test/revocations", params={"size": size}, headers=test_key.headers
        )
        assert beyond.status_code == 400, size
        assert beyond.json()["field"] == "size"


def test_snapshots_follow_the_log_as_it_grows(client: TestClient, factory: Factory) -> None:
    key = factory.key()
    certs = [factory.certificate(key) for _ in range(3)]
    seen = []
    for cert in certs:
        factory.revoke(cert)
        _, _, revoked = open_revocation_snapshot(
            client.get("/log/live/revocations").text, log_key(client)
        )
        seen.append(revoked)
    assert seen == [
        {certs[0].id},
        {certs[0].id, certs[1].id},
        {certs[0].id, certs[1].id, certs[2].id},
    ]
    early = client.get("/log/live/revocations", params={"size": 4}).text
    assert open_revocation_snapshot(early, log_key(client)).revoked == {certs[0].id}
