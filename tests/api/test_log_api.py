"""The transparency logs over HTTP: the checkpoint and the published keys a client trusts,
tiles that reproduce the checkpoint's root, JSON proofs, a certificate's signed statement
with its tlog proof, who may read the test log, and every malformed path or parameter
answered 4xx in the one error shape."""

from __future__ import annotations

import base64
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from soundseal.db import Database
from soundseal.registry.log.appending import append_leaves
from soundseal.signing import RevocationStatement, verify_statement
from soundseal.transparency.checkpoint import open_checkpoint
from soundseal.transparency.entry_bundles import decode_entry_bundle
from soundseal.transparency.merkle import leaf_hash, root_of, verify_consistency, verify_inclusion
from soundseal.transparency.proof_text import TlogProof, verify_tlog_proof
from soundseal.transparency.stored_tree import inclusion_plan, inclusion_proof, root_plan
from soundseal.transparency.tile_hashes import TileHashes, root_from_tiles
from soundseal.transparency.tiles import tiles_for_addresses
from tests.factories import Factory, Key
from tests.registry.log_helpers import entries, verifier_from_jwks

ORIGIN = "registry.test/log/live"


def b64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def published_checkpoint(client: TestClient) -> tuple[int, bytes]:
    keys = client.get("/.well-known/jwks.json").json()
    response = client.get("/log/live/checkpoint")
    checkpoint, _ = open_checkpoint(response.text, [verifier_from_jwks(keys, ORIGIN)])
    return checkpoint.size, checkpoint.root_hash


def test_the_checkpoint_is_signed_by_the_published_key_over_every_leaf(
    client: TestClient, database: Database, factory: Factory
) -> None:
    key = factory.key()
    factory.revoke(factory.certificate(key))
    factory.certificate(key)
    response = client.get("/log/live/checkpoint")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    assert response.text.startswith(f"{ORIGIN}\n3\n")
    jwks_response = client.get("/.well-known/jwks.json")
    assert jwks_response.headers["cache-control"] == "public, max-age=300"
    assert all("d" not in k for k in jwks_response.json()["keys"])
    size, root = published_checkpoint(client)
    assert (size, root) == (3, root_of([leaf_hash(e) for e in entries(database)]))
    state = client.get("/api/v1/log/live").json()
    assert state["checkpoint"] == response.text
    assert (state["size"], b64(state["root_hash"])) == (3, root)
    assert state["verifier_key"] == verifier_from_jwks(jwks_response.json(), ORIGIN).format()


def seed_leaves(database: Database, count: int) -> list[bytes]:
    leaves = [f"entry {i}".encode() for i in range(count)]
    with database.transaction() as session:
        append_leaves(session, "live", 0, leaves)
    return leaves


def test_tiles_fetched_over_http_reproduce_the_root(client: TestClient, database: Database) -> None:
    leaves = seed_leaves(database, 3 * 256 + 5)
    size, root = published_checkpoint(client)
    assert size == len(leaves)
    fetched = {}
    plan = root_plan(size) + inclusion_plan(300, size)
    for tile in tiles_for_addresses(plan, size):
        response = client.get(f"/log/live/{tile.path}")
        assert response.status_code == 200, tile.path
        assert response.headers["content-type"] == "application/octet-stream"
        fetched[tile.path] = response.content
    assert "tile/1/000.p/3" in fetched
    assert root_of([leaf_hash(e) for e in leaves]) == root
    assert root_from_tiles(size, fetched) == root
    path = inclusion_proof(300, size, TileHashes(fetched))
    verify_inclusion(leaf_hash(leaves[300]), 300, size, path, root)


def test_tiles_are_cached_by_how_final_they_are(client: TestClient, database: Database) -> None:
    leaves = seed_leaves(database, 256 + 5)
    full = client.get("/log/live/tile/0/000")
    assert full.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert len(full.content) == 256 * 32
    partial = client.get("/log/live/tile/0/001.p/5")
    assert partial.headers["cache-control"] == "public, max-age=60"
    assert partial.content == b"".join(leaf_hash(e) for e in leaves[256:])
    shorter = client.get("/log/live/tile/0/001.p/2")
    assert shorter.content == partial.content[:64]
    bundle = client.get("/log/live/tile/entries/001.p/5")
    assert decode_entry_bundle(bundle.content, 5) == leaves[256:]
    assert decode_entry_bundle(client.get("/log/live/tile/entries/000").content) == leaves[:256]


@pytest.mark.parametrize(
    "path",
    [
        "/log/live/tile/0/001",  # full tile of a tree that has only 5 of it
        "/log/live/tile/0/001.p/6",  # wider than the log holds
        "/log/live/tile/0/002.p/1",  # beyond the tree
        "/log/live/tile/1/000",
        "/log/live/tile/0/1",  # not the canonical spelling
        "/log/live/tile/0/001.p/256",
        "/log/live/tile/x/000",
        "/log/live/tile/",
        "/log/audit/checkpoint",
        "/log/audit/tile/0/000",
    ],
)
def test_a_tile_the_log_does_not_have_is_404_in_the_error_shape(
    client: TestClient, database: Database, path: str
) -> None:
    seed_leaves(database, 256 + 5)
    response = client.get(path)
    assert response.status_code == 404, response.text
    assert response.json()["code"] == "not_found"


def test_json_proofs_verify(client: TestClient, database: Database, factory: Factory) -> None:
    key = factory.key()
    for _ in range(6):
        factory.certificate(key)
    leaves = [leaf_hash(e) for e in entries(database)]
    proof = client.get("/api/v1/log/live/inclusion", params={"index": 4, "tree_size": 6}).json()
    hashes = [b64(h) for h in proof["hashes"]]
    verify_inclusion(leaves[4], 4, 6, hashes, b64(proof["root_hash"]))
    assert b64(proof["root_hash"]) == root_of(leaves)
    c = client.get("/api/v1/log/live/consistency", params={"first": 3, "second": 6}).json()
    verify_consistency(
        3, 6, [b64(h) for h in c["hashes"]], b64(c["first_root_hash"]), b64(c["second_root_hash"])
    )
    beyond = client.get("/api/v1/log/live/inclusion", params={"index": 0, "tree_size": 7})
    assert beyond.status_code == 400
    assert beyond.json()["field"] == "tree_size"


def test_a_certificates_signed_statement_comes_with_a_proof_that_verifies_offline(
    client: TestClient, factory: Factory
) -> None:
    key = factory.key()
    cert = factory.certificate(key)
    factory.certificate(key)
    factory.revoke(cert)
    response = client.get(f"/api/v1/certificates/{cert.id}/signed", headers=key.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    keys = client.get("/.well-known/jwks.json").json()
    statement = verify_statement(body["jws"], keys)
    assert isinstance(statement, RevocationStatement)
    assert body["log_index"] == statement.log_index == 2
    checkpoint = verify_tlog_proof(
        TlogProof.parse(body["proof"]),
        leaf_hash(body["jws"].encode("ascii")),
        verifier_from_jwks(keys, ORIGIN),
        inclusion_verifier=verify_inclusion,
    )
    assert checkpoint.size == body["log"]["size"] == 3


def test_a_signed_statement_is_read_under_the_certificates_own_rule(
    client: TestClient, factory: Factory
) -> None:
    cert = factory.certificate()
    path = f"/api/v1/certificates/{cert.id}/signed"
    assert client.get(path).status_code == 401
    test_key = factory.key(mode="test")
    assert client.get(path, headers=test_key.headers).status_code == 404
    publishable = factory.key(kind="publishable")
    assert client.get(path, headers=publishable.headers).status_code == 200
    sandbox = client.get("/api/v1/certificates/cer_test_synthetic/signed", headers=test_key.headers)
    assert sandbox.status_code == 404


def test_the_test_log_needs_a_test_key(client: TestClient, factory: Factory) -> None:
    test_key = factory.key(mode="test")
    factory.certificate(test_key)
    assert client.get("/log/test/checkpoint").status_code == 401
    live = client.get("/log/test/checkpoint", headers=factory.key().headers)
    assert live.status_code == 404
    assert live.json()["code"] == "not_found"
    readable = client.get("/log/test/checkpoint", headers=test_key.headers)
    assert readable.status_code == 200
    assert readable.text.startswith("registry.test/log/test\n1\n")
    tile = client.get("/log/test/tile/0/000.p/1", headers=test_key.headers)
    assert tile.headers["cache-control"] == "private, no-cache"


@pytest.fixture
def reader(factory: Factory) -> Key:
    return factory.key()


# Text a URL can carry: no NUL, no lone surrogates (which have no UTF-8 form).
_TEXT = st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=40)
_PATH_PARTS = st.lists(
    st.one_of(_TEXT, st.sampled_from(["x001", "000", ".p", "256", "entries", "1"])), max_size=6
)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(parts=_PATH_PARTS, mode=st.sampled_from(["live", "test", "x"]))
def test_any_tile_path_is_answered_200_or_404(
    client: TestClient, reader: Key, parts: list[str], mode: str
) -> None:
    path = "/".join(quote(part, safe=".") for part in parts)
    response = client.get(f"/log/{mode}/tile/{path}", headers=reader.headers)
    assert response.status_code in (200, 404), response.text
    if response.status_code == 404:
        assert response.json()["code"] == "not_found"


_VALUES = st.one_of(st.integers(), _TEXT)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    endpoint=st.sampled_from(
        [("inclusion", "index", "tree_size"), ("consistency", "first", "second")]
    ),
    first=_VALUES,
    second=_VALUES,
)
def test_any_proof_parameters_are_answered_200_or_400(
    client: TestClient,
    reader: Key,
    endpoint: tuple[str, str, str],
    first: int | str,
    second: int | str,
) -> None:
    name, a, b = endpoint
    response = client.get(
        f"/api/v1/log/live/{name}", params={a: first, b: second}, headers=reader.headers
    )
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        assert response.json()["field"] in (a, b)
