"""Offline certificate bundles: a logged statement verifies, and every tampering is refused."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from soundseal.signing.bundle import (
    BUNDLE_FORMAT,
    MAX_BUNDLE_BYTES,
    CertificateBundle,
    verify_bundle,
    verify_certificate_bundle,
)
from soundseal.signing.statements import RevocationStatement
from soundseal.transparency.audit_errors import (
    BundleError,
    MalformedBundle,
    ProofRefused,
    StatementRefused,
    UntrustedLogKey,
)
from soundseal.transparency.cosignature import CosignerKey
from soundseal.transparency.note_fields import encode_base64
from soundseal.transparency.proof_text import TlogProof
from tests.signing.helpers import key_set, memory_key
from tests.transparency.registry_log import RegistryLog, certificate, new_log, revocation
from tests.transparency.strategies import any_input, edited

LOG = new_log()
LOG.grow(40)
LOG.append(LOG.sign(revocation(40, of=7)))
LOG.grow(9)
LOG_KEY = LOG.log_key.verifier()
WITNESS = CosignerKey("witness.test", Ed25519PrivateKey.generate())


def bundle(index: int = 17, **proof: Any) -> CertificateBundle:
    return CertificateBundle(
        LOG.entries[index].decode(), LOG.proof(index, **proof), LOG_KEY, LOG.jwks
    )


def test_a_logged_certificate_verifies_offline() -> None:
    verified = verify_bundle(bundle(17).format(), LOG_KEY)
    assert verified.statement == certificate(17)
    assert (verified.log_index, verified.checkpoint.size) == (17, 50)
    assert verified.checkpoint_text == LOG.checkpoint()


def test_a_logged_revocation_verifies_offline() -> None:
    verified = verify_bundle(bundle(40), LOG_KEY)
    assert isinstance(verified.statement, RevocationStatement)
    assert verified.statement.certificate_id == certificate(7).certificate_id


@pytest.mark.parametrize("index", [0, 31, 49])
def test_the_proof_of_an_earlier_checkpoint_verifies(index: int) -> None:
    proof = LOG.proof(index, size=index + 1)
    verified = verify_certificate_bundle(
        LOG.entries[index].decode(), proof.format(), LOG.jwks, LOG_KEY
    )
    assert verified.checkpoint.size == index + 1


def test_the_file_reads_back_as_the_bundle() -> None:
    original = bundle(17)
    assert CertificateBundle.parse(original.format()) == original
    assert CertificateBundle.parse(original.format().encode()) == original
    assert json.loads(original.format())["format"] == BUNDLE_FORMAT


# Tampering.


def test_an_altered_statement_is_refused() -> None:
    header, payload, signature = LOG.entries[17].decode().split(".")
    altered = ".".join([header, payload[:-2] + "xx", signature])
    with pytest.raises(StatementRefused):
        verify_certificate_bundle(altered, LOG.proof(17), LOG.jwks, LOG_KEY)


def test_a_re_signed_statement_that_was_never_logged_is_refused() -> None:
    retitled = LOG.sign(certificate(17, title="Retitled")).decode()
    with pytest.raises(ProofRefused):
        verify_certificate_bundle(retitled, LOG.proof(17), LOG.jwks, LOG_KEY)


def test_a_proof_for_another_index_is_refused() -> None:
    with pytest.raises(ProofRefused):
        verify_certificate_bundle(LOG.entries[17].decode(), LOG.proof(18), LOG.jwks, LOG_KEY)
    moved = TlogProof(18, LOG.proof(17).inclusion, LOG.checkpoint())
    with pytest.raises(ProofRefused):
        verify_certificate_bundle(LOG.entries[17].decode(), moved, LOG.jwks, LOG_KEY)


def test_a_flipped_inclusion_hash_is_refused() -> None:
    proof = LOG.proof(17)
    path = list(proof.inclusion)
    path[2] = bytes([path[2][0] ^ 1]) + path[2][1:]
    with pytest.raises(ProofRefused):
        verify_certificate_bundle(
            LOG.entries[17].decode(), TlogProof(17, path, proof.checkpoint), LOG.jwks, LOG_KEY
        )


def test_a_statement_logged_at_a_position_it_was_not_signed_for_is_refused() -> None:
    misplaced = RegistryLog(LOG.log_key, LOG.statement_key)
    for index in range(20):
        misplaced.append(LOG.entries[5 if index == 3 else index])
    with pytest.raises(ProofRefused, match="index 3"):
        verify_certificate_bundle(LOG.entries[5].decode(), misplaced.proof(3), LOG.jwks, LOG_KEY)


def test_a_log_built_and_signed_by_someone_else_is_refused() -> None:
    forged = new_log()
    forged.statement_key = LOG.statement_key
    forged.grow(20)
    proof = forged.proof(17)
    with pytest.raises(ProofRefused):
        verify_certificate_bundle(forged.entries[17].decode(), proof, LOG.jwks, LOG_KEY)
    own = CertificateBundle(
        forged.entries[17].decode(), proof, forged.log_key.verifier(), forged.jwks
    )
    with pytest.raises(UntrustedLogKey):
        verify_bundle(own, LOG_KEY)


def test_a_statement_of_another_mode_than_the_log_is_refused() -> None:
    test_log = new_log("registry.test/log/test")
    test_log.statement_key = LOG.statement_key
    test_log.grow(5)  # live statements, in the test log
    with pytest.raises(ProofRefused, match=r"registry\.test/log/live"):
        verify_certificate_bundle(
            test_log.entries[2].decode(),
            test_log.proof(2),
            LOG.jwks,
            test_log.log_key.verifier(),
        )


def test_a_key_set_without_the_key_or_with_another_key_under_its_kid_is_refused() -> None:
    jws = LOG.entries[17].decode()
    with pytest.raises(StatementRefused):
        verify_certificate_bundle(jws, LOG.proof(17), key_set(memory_key()), LOG_KEY)
    swapped = key_set(memory_key())
    swapped["keys"][0]["kid"] = LOG.statement_key.kid
    with pytest.raises(StatementRefused):
        verify_certificate_bundle(jws, LOG.proof(17), swapped, LOG_KEY)


def test_the_witness_policy_applies() -> None:
    jws = LOG.entries[17].decode()
    policy = {"witnesses": [WITNESS.verifier()], "required_witnesses": 1}
    cosigned = LOG.proof(17, witnesses=(WITNESS,))
    assert verify_certificate_bundle(jws, cosigned, LOG.jwks, LOG_KEY, **policy).log_index == 17
    with pytest.raises(ProofRefused, match="cosignature"):
        verify_certificate_bundle(jws, LOG.proof(17), LOG.jwks, LOG_KEY, **policy)


# The file format.


def member_changed(**members: Any) -> str:
    value = json.loads(bundle(17).format())
    value.update(members)
    return json.dumps(value)


@pytest.mark.parametrize(
    "text",
    [
        member_changed(format="soundseal-certificate-bundle/v2"),
        member_changed(extra=1),
        member_changed(jws=17),
        member_changed(jwks=[]),
        member_changed(jwks={"keys": {}}),
        member_changed(log_key="registry.test+00000000+AQ=="),
        member_changed(tlog_proof="c2sp.org/tlog-proof@v1\nindex 01\n\n"),
        member_changed(tlog_proof=LOG.proof(17).format().replace("\n\n", "\n")),
        bundle(17).format().replace('"jws"', '"jws": "x", "jws"', 1),
        bundle(17).format().replace('"keys"', '"n": NaN, "keys"', 1),
        bundle(17).format()[:-1],
        "[]",
        " " * (MAX_BUNDLE_BYTES + 1),
        "\ud800",
    ],
)
def test_a_file_outside_the_format_is_refused(text: str) -> None:
    with pytest.raises(MalformedBundle):
        CertificateBundle.parse(text)


@settings(max_examples=300, deadline=None)
@given(any_input)
def test_any_text_is_refused_as_a_malformed_bundle(text: str | bytes) -> None:
    with pytest.raises(MalformedBundle):
        CertificateBundle.parse(text)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_an_edited_bundle_is_refused_or_proves_the_same_statement(data: st.DataObject) -> None:
    text = data.draw(edited(bundle(17).format()))
    try:
        verified = verify_bundle(text, LOG_KEY)
    except BundleError:
        return
    assert (verified.statement, verified.log_index) == (certificate(17), 17)


def test_the_extra_data_of_a_proof_is_not_trusted_but_carried() -> None:
    proof = LOG.proof(17)
    with_extra = TlogProof(17, proof.inclusion, proof.checkpoint, extra=b"anything")
    jws = LOG.entries[17].decode()
    assert verify_certificate_bundle(jws, with_extra.format(), LOG.jwks, LOG_KEY).log_index == 17
    assert "extra " + encode_base64(b"anything") in with_extra.format()
