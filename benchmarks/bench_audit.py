"""Auditing a log from scratch: how long verifying a million entries takes, and where it goes.

    python benchmarks/bench_audit.py [--entries 1000000] [--sample 20000] [--workers 2]

An auditor (`soundseal audit`, a platform's first poll) that trusts nothing yet does two
things per entry: it hashes the entry as a leaf and folds it into the tree up to the signed
root (`monitor.advance`), and it verifies the entry as a statement signed for its position
(`log_entries.verify_entry_statements`). Prints, best of ``--repeat`` rounds:

* `advance` from the empty state to a checkpoint of ``--entries`` entries, entries served
  from memory (leaf hashing and the right-edge fold, nothing else), and the same through
  entry bundles (`entry_ranges.bundle_fetcher`, decoding every bundle);
* `verify_entry_statements` over ``--sample`` real statements (compact JWS of about 800
  bytes, Ed25519), per entry and projected to ``--entries``; beside it the bare Ed25519
  verification of the same signatures, to show what the JOSE and JSON checks add;
* the statements verified over ``--workers`` processes, each taking a contiguous range
  (the check of one entry needs only the entry, its index and the key set).

Statements are signed once for the sample; the million entries for hashing repeat the
sample's entries (hashing cost depends on their length only), so setting up stays short.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from joserfc.jwk import OKPKey

from soundseal.signing.jws import sign_statement
from soundseal.signing.keys import SigningKey
from soundseal.signing.log_entries import verify_entry_statements
from soundseal.signing.statements import CertificateStatement
from soundseal.transparency.checkpoint import Checkpoint
from soundseal.transparency.entry_bundles import encode_entry_bundle
from soundseal.transparency.entry_ranges import bundle_fetcher, entry_bundles_for_range
from soundseal.transparency.merkle import leaf_hash
from soundseal.transparency.monitor import VerifiedLog, advance
from soundseal.transparency.note import sign_note
from soundseal.transparency.note_keys import SignerKey
from soundseal.transparency.stored_tree import hashes_to_store, root_from_right_edge

ISSUER = "https://registry.example"
ORIGIN = "registry.example/log/live"


def _best(repeat: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def _statement(index: int) -> CertificateStatement:
    return CertificateStatement(
        certificate_id=f"cer_01JBENCH{index:018d}",
        certificate_number=f"SS-2026-{index:08X}",
        mode="live",
        track_title=f"A recording of some length, number {index}",
        artist_name="The Benchmark Ensemble",
        isrc="USRC17607839",
        sha256_fingerprint=hashlib.sha256(b"%d" % index).hexdigest(),
        acoustic_fingerprint=None,
        match_policy_version="2026-11.1",
        issuer=ISSUER,
        issued_at="2026-12-01T10:00:00.123Z",
        log_index=index,
    )


def _verify_range(args: tuple[Sequence[bytes], int, dict[str, Any]]) -> int:
    entries, start, jwks = args
    return len(verify_entry_statements(entries, start, jwks, origin=ORIGIN))


def _ed25519_only(entries: Sequence[bytes], key: Ed25519PrivateKey) -> None:
    public = key.public_key()
    for entry in entries:
        signing_input, _, signature = entry.rpartition(b".")
        public.verify(base64.urlsafe_b64decode(signature + b"=="), signing_input)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n, sample, repeat = args.entries, args.sample, args.repeat

    private = Ed25519PrivateKey.generate()
    okp = OKPKey.import_key(private)
    key = SigningKey(private=okp, kid=okp.thumbprint(), path=Path("unwritten.pem"))
    jwks = {"keys": [{**key.public_jwk, "kid": key.kid, "use": "sig", "alg": "EdDSA"}]}
    started = time.perf_counter()
    signed = [sign_statement(_statement(i), key).encode("ascii") for i in range(sample)]
    took = time.perf_counter() - started
    print(f"set-up: signed {sample:,} statements in {took:.1f} s ({len(signed[0])} bytes each)")

    entries = [signed[i % sample] for i in range(n)]
    edge, _ = hashes_to_store(0, [], [leaf_hash(e) for e in entries])
    log_key = SignerKey.generate(ORIGIN)
    text = Checkpoint(ORIGIN, n, root_from_right_edge(n, edge)).to_text()
    checkpoint = sign_note(text, [log_key])
    empty = VerifiedLog.empty(ORIGIN)
    verifier = log_key.verifier()

    def from_memory() -> None:
        state = advance(empty, checkpoint, verifier, lambda a, b: entries[a:b]).state
        assert state.size == n

    took = _best(repeat, from_memory)
    print(
        f"advance, {n:,} entries from memory: {took:.2f} s ({took / n * 1e6:.2f} µs/entry; "
        "leaf hash + right-edge fold)"
    )
    bundles = {
        a.path: encode_entry_bundle(entries[a.index * 256 : a.index * 256 + a.width])
        for a in entry_bundles_for_range(0, n)
    }
    fetch = bundle_fetcher(bundles.__getitem__)
    took = _best(repeat, lambda: advance(empty, checkpoint, verifier, fetch))
    print(
        f"advance, {n:,} entries from {len(bundles):,} entry bundles: {took:.2f} s "
        f"({took / n * 1e6:.2f} µs/entry)"
    )

    took = _best(repeat, lambda: verify_entry_statements(signed, 0, jwks, origin=ORIGIN))
    per_entry = took / sample
    print(
        f"verify_entry_statements, {sample:,} statements: {per_entry * 1e6:.1f} µs/entry, "
        f"projected {per_entry * n:.0f} s for {n:,}"
    )
    took = _best(repeat, lambda: _ed25519_only(signed, private))
    print(f"  of which bare Ed25519 verification: {took / sample * 1e6:.1f} µs/entry")

    workers = args.workers
    chunk = -(-sample // workers)
    ranges = [(signed[s : s + chunk], s, jwks) for s in range(0, sample, chunk)]
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(_verify_range, ranges))  # start the workers before timing

        def spread() -> None:
            assert sum(pool.map(_verify_range, ranges)) == sample

        took = _best(repeat, spread)
    print(
        f"verify_entry_statements over {workers} processes: {took / sample * 1e6:.1f} µs/entry, "
        f"projected {took / sample * n:.0f} s for {n:,}"
    )


if __name__ == "__main__":
    main()
