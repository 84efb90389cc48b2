"""The client's reads of the transparency log and the signing keys, against a real server."""

from __future__ import annotations

import asyncio

import pytest

from soundseal.client import AsyncClient, Client, NotFound
from soundseal.signing.log_entries import verify_entry_statements
from soundseal.transparency.entry_ranges import bundle_fetcher
from soundseal.transparency.monitor import VerifiedLog, advance
from soundseal.transparency.note_keys import VerifierKey
from tests.conftest import LiveServer
from tests.factories import Factory, sha256_of


def test_the_log_reads_verify_end_to_end(live_server: LiveServer, factory: Factory) -> None:
    key = factory.key()
    with Client(key.key, live_server.url, backoff=0.01) as registry:
        issued = registry.create_certificate(
            track_title="Tide", artist_name="Moss", sha256=sha256_of("log-client")
        )["certificate"]
        registry.revoke_certificate(issued["id"], reason="wrong master")
        state = registry.log_state("live")
        checkpoint = registry.log_checkpoint("live")
        jwks = registry.jwks()
        signed = registry.signed_certificate(issued["id"])

    assert state["size"] == 2
    assert checkpoint.startswith(state["origin"] + "\n2\n")
    verifier = VerifierKey.parse(state["verifier_key"])
    accepted = advance(
        VerifiedLog.empty(state["origin"]),
        checkpoint,
        verifier,
        bundle_fetcher(lambda path: registry_tile(live_server, key.key, path)),
    )
    statements = verify_entry_statements(accepted.entries, 0, jwks, origin=state["origin"])
    assert [(s.kind, s.certificate_id) for s in statements] == [
        ("certificate", issued["id"]),
        ("revocation", issued["id"]),
    ]
    # The latest statement of a revoked certificate is its revocation, at index 1.
    assert signed["log_index"] == 1
    assert signed["jws"].encode("ascii") == accepted.entries[1]


def registry_tile(server: LiveServer, api_key: str, path: str) -> bytes:
    with Client(api_key, server.url) as registry:
        return registry.log_tile(path, mode="live")


def test_a_missing_tile_and_a_bad_path_are_refused(
    live_server: LiveServer, factory: Factory
) -> None:
    key = factory.key()
    with Client(key.key, live_server.url, backoff=0.01) as registry:
        with pytest.raises(NotFound):
            registry.log_tile("tile/entries/000")  # the log is still empty
        with pytest.raises(ValueError, match="tile path"):
            registry.log_tile("checkpoint")
        with pytest.raises(ValueError, match="log mode"):
            registry.log_checkpoint("staging")


def test_async_log_reads(live_server: LiveServer, factory: Factory) -> None:
    key = factory.key()

    async def scenario() -> tuple[str, bytes, dict[str, object]]:
        async with AsyncClient(key.key, live_server.url) as registry:
            await registry.create_certificate(
                track_title="a", artist_name="b", sha256=sha256_of("async-log")
            )
            return (
                await registry.log_checkpoint(),
                await registry.log_tile("tile/entries/000.p/1"),
                await registry.log_state(),
            )

    checkpoint, bundle, state = asyncio.run(scenario())
    assert checkpoint == state["checkpoint"]
    assert len(bundle) > 100  # one length-prefixed compact JWS
