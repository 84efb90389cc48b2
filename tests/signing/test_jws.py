"""Compact JWS: the signing primitive reproduces RFC 8037's Ed25519 example byte for byte;
statements verify offline against the published keys; everything else — a changed byte,
another algorithm, an unknown or misnamed key, a payload not in canonical form, input that
is no JWS at all — is refused with a VerificationError and nothing else."""

from __future__ import annotations

import base64
import contextlib
import json
from typing import Any

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import given
from hypothesis import strategies as st
from joserfc import jws as jose
from joserfc.jwk import OctKey, OKPKey

from soundseal.signing import (
    BadSignature,
    CertificateStatement,
    MalformedJWS,
    MalformedKeySet,
    MalformedStatement,
    NonCanonicalPayload,
    RevocationStatement,
    Statement,
    UnknownKey,
    UnsupportedAlgorithm,
    VerificationError,
    canonical_bytes,
    verify_statement,
)
from soundseal.signing.jws import sign_compact, sign_statement
from tests.signing.helpers import ISSUER, key_set, memory_key
from tests.signing.strategies import statements

# RFC 8037 Appendix A.1 (the key) and A.4 (the JWS of "Example of Ed25519 signing").
RFC8037_KEY: dict[str, Any] = {
    "kty": "OKP",
    "crv": "Ed25519",
    "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
    "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
}
RFC8037_JWS = (
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
)
B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

KEY = memory_key()
OTHER = memory_key()
JWKS = key_set(KEY, OTHER)
STATEMENT = CertificateStatement(
    certificate_id="cer_01JEXAMPLE00000000000000000",
    certificate_number="SS-2026-ABCDEFGH",
    mode="live",
    track_title="Café Ωmega",
    artist_name="The Examples",
    isrc="USRC17607839",
    sha256_fingerprint="ab" * 32,
    acoustic_fingerprint=None,
    match_policy_version="2026-11.1",
    issuer=ISSUER,
    issued_at="2026-12-01T10:00:00.123Z",
    log_index=41,
)
SIGNED = sign_statement(STATEMENT, KEY)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segment(value: Any) -> str:
    return b64(json.dumps(value, separators=(",", ":")).encode())


def signed_with(key: Any, header: dict[str, Any], payload: bytes) -> str:
    """A JWS of `payload` under `header`, made with our signing primitive and `key`."""
    return sign_compact(header, payload, key.private)


def header_of(kind: str = "soundseal-certificate+jws", key: Any = KEY) -> dict[str, str]:
    return {"alg": "EdDSA", "kid": key.kid, "typ": kind}


def test_rfc_8037_a4_is_reproduced_byte_for_byte() -> None:
    key = OKPKey.import_key(RFC8037_KEY)
    assert sign_compact({"alg": "EdDSA"}, b"Example of Ed25519 signing", key) == RFC8037_JWS


def test_rfc_8037_a4_verifies_with_the_a1_public_key() -> None:
    header, payload, signature = RFC8037_JWS.split(".")
    public = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(RFC8037_KEY["x"] + "="))
    public.verify(base64.urlsafe_b64decode(signature + "=="), f"{header}.{payload}".encode())


def test_a_statement_verifies_and_reads_back() -> None:
    assert verify_statement(SIGNED, JWKS) == STATEMENT
    header = json.loads(base64.urlsafe_b64decode(SIGNED.split(".")[0] + "=="))
    assert header == {"alg": "EdDSA", "kid": KEY.kid, "typ": "soundseal-certificate+jws"}
    payload = base64.urlsafe_b64decode(SIGNED.split(".")[1] + "==")
    assert payload == canonical_bytes(STATEMENT)
    assert payload == rfc8785.dumps(json.loads(payload))


@given(statements)
def test_every_statement_signs_and_verifies_as_itself(statement: Statement) -> None:
    assert verify_statement(sign_statement(statement, OTHER), JWKS) == statement


def test_a_revocation_verifies_under_its_own_type() -> None:
    revocation = RevocationStatement(
        certificate_id=STATEMENT.certificate_id,
        certificate_number=STATEMENT.certificate_number,
        mode="live",
        revoked_at="2026-12-02T00:00:00.000Z",
        reason=None,
        issuer=ISSUER,
        log_index=None,
    )
    signed = sign_statement(revocation, OTHER)
    assert verify_statement(signed, JWKS) == revocation


def test_a_retired_key_still_verifies_what_it_signed() -> None:
    assert verify_statement(SIGNED, key_set(OTHER, retired=(KEY,))) == STATEMENT


def test_every_changed_character_is_refused() -> None:
    for at, char in enumerate(SIGNED):
        if char == ".":
            continue
        replaced = B64URL[(B64URL.index(char) + 1) % 64]
        tampered = SIGNED[:at] + replaced + SIGNED[at + 1 :]
        with pytest.raises(VerificationError):
            verify_statement(tampered, JWKS)


@given(st.data())
def test_any_changed_byte_is_refused(data: st.DataObject) -> None:
    at = data.draw(st.integers(min_value=0, max_value=len(SIGNED) - 1))
    char = data.draw(st.characters(codec="ascii").filter(lambda c: c != SIGNED[at]))
    with pytest.raises(VerificationError):
        verify_statement(SIGNED[:at] + char + SIGNED[at + 1 :], JWKS)


def test_a_signature_from_another_key_under_this_kid_is_refused() -> None:
    forged = signed_with(OTHER, header_of(key=KEY), canonical_bytes(STATEMENT))
    with pytest.raises(BadSignature):
        verify_statement(forged, JWKS)


def test_alg_none_is_refused() -> None:
    header = {"alg": "none", "kid": KEY.kid, "typ": "soundseal-certificate+jws"}
    unsigned = f"{segment(header)}.{b64(canonical_bytes(STATEMENT))}."
    with pytest.raises(UnsupportedAlgorithm):
        verify_statement(unsigned, JWKS)
    # Even with the real signature attached.
    with pytest.raises(UnsupportedAlgorithm):
        verify_statement(unsigned + SIGNED.split(".")[2], JWKS)


def test_hs256_with_the_public_key_as_its_secret_is_refused() -> None:
    secret = OctKey.import_key(base64.urlsafe_b64decode(KEY.public_jwk["x"] + "="))
    header = {"alg": "HS256", "kid": KEY.kid, "typ": "soundseal-certificate+jws"}
    forged = jose.serialize_compact(header, canonical_bytes(STATEMENT), secret, ["HS256"])
    with pytest.raises(UnsupportedAlgorithm):
        verify_statement(forged, JWKS)


@pytest.mark.parametrize("alg", ["Ed25519", "ES256", "RS256", "eddsa", "", None, 1])
def test_any_other_alg_is_refused(alg: Any) -> None:
    header = {"alg": alg, "kid": KEY.kid, "typ": "soundseal-certificate+jws"}
    jws = f"{segment(header)}.{'.'.join(SIGNED.split('.')[1:])}"
    with pytest.raises(UnsupportedAlgorithm):
        verify_statement(jws, JWKS)


def test_an_unknown_kid_is_refused() -> None:
    with pytest.raises(UnknownKey) as refused:
        verify_statement(SIGNED, key_set(OTHER))
    assert refused.value.kid == KEY.kid
    with pytest.raises(UnknownKey):
        verify_statement(SIGNED, {"keys": []})


def test_a_key_set_cannot_give_one_key_anothers_kid() -> None:
    # The attacker publishes their own key under the registry's kid and signs with it.
    renamed = {"keys": [{**OTHER.public_jwk, "kid": KEY.kid, "use": "sig", "alg": "EdDSA"}]}
    forged = signed_with(OTHER, header_of(key=KEY), canonical_bytes(STATEMENT))
    with pytest.raises(MalformedKeySet):
        verify_statement(forged, renamed)


@pytest.mark.parametrize(
    "change",
    [
        {"kty": "EC"},
        {"crv": "Ed448"},
        {"crv": "X25519"},
        {"x": 7},
        {"alg": "ES256"},
        {"use": "enc"},
        {"d": "private part published"},
    ],
)
def test_the_named_key_must_be_an_ed25519_public_signing_key(change: dict[str, Any]) -> None:
    entry = {**KEY.public_jwk, "kid": KEY.kid, **change}
    with pytest.raises(MalformedKeySet):
        verify_statement(SIGNED, {"keys": [entry]})


@pytest.mark.parametrize(
    "jwks",
    [{}, {"keys": "none"}, {"keys": {"kid": "x"}}, [], "keys", None],
)
def test_a_key_set_that_is_not_one_is_refused(jwks: Any) -> None:
    with pytest.raises(MalformedKeySet):
        verify_statement(SIGNED, jwks)


def test_two_keys_under_one_kid_are_refused() -> None:
    with pytest.raises(MalformedKeySet):
        verify_statement(SIGNED, key_set(KEY, KEY))


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(json.dumps(STATEMENT.claims()).encode(), id="spaces"),
        pytest.param(
            json.dumps(dict(reversed(STATEMENT.claims().items())), separators=(",", ":")).encode(),
            id="unsorted",
        ),
        pytest.param(
            json.dumps(STATEMENT.claims(), sort_keys=True, separators=(",", ":")).encode(),
            id="escaped-unicode",
        ),
        pytest.param(canonical_bytes(STATEMENT) + b"\n", id="trailing-newline"),
        pytest.param(
            canonical_bytes(STATEMENT).replace(b'"log_index":41', b'"log_index":41.0'),
            id="number-form",
        ),
        pytest.param(
            canonical_bytes(STATEMENT)[:-1] + b',"track_title":"Other"}', id="duplicate-member"
        ),
        pytest.param(b"\xff\xfe", id="not-utf8"),
        pytest.param(b"{", id="not-json"),
        pytest.param(b'{"n":NaN}', id="nan"),
        pytest.param(b"", id="empty"),
    ],
)
def test_a_signed_payload_not_in_canonical_form_is_refused(payload: bytes) -> None:
    jws = signed_with(KEY, header_of(), payload)
    with pytest.raises(NonCanonicalPayload):
        verify_statement(jws, JWKS)


@pytest.mark.parametrize(
    "claims",
    [[1, 2], "text", {"statement": "certificate"}, {**STATEMENT.claims(), "extra": True}],
)
def test_a_canonical_payload_that_is_no_statement_is_refused(claims: Any) -> None:
    jws = signed_with(KEY, header_of(), rfc8785.dumps(claims))
    with pytest.raises((MalformedStatement, NonCanonicalPayload)):
        verify_statement(jws, JWKS)


def test_a_statement_under_the_other_kinds_type_is_refused() -> None:
    jws = signed_with(KEY, header_of("soundseal-revocation+jws"), canonical_bytes(STATEMENT))
    with pytest.raises(MalformedStatement):
        verify_statement(jws, JWKS)


@pytest.mark.parametrize(
    "header",
    [
        {"alg": "EdDSA", "kid": KEY.kid},
        {"alg": "EdDSA", "typ": "soundseal-certificate+jws"},
        {"alg": "EdDSA", "kid": KEY.kid, "typ": "JWT"},
        {"alg": "EdDSA", "kid": 5, "typ": "soundseal-certificate+jws"},
        {"alg": "EdDSA", "kid": KEY.kid, "typ": "soundseal-certificate+jws", "b64": False},
        {"alg": "EdDSA", "kid": KEY.kid, "typ": "soundseal-certificate+jws", "crit": ["exp"]},
        {"alg": "EdDSA", "kid": KEY.kid, "typ": "soundseal-certificate+jws", "jwk": {}},
    ],
)
def test_a_header_other_than_the_statements_is_refused(header: dict[str, Any]) -> None:
    jws = f"{segment(header)}.{'.'.join(SIGNED.split('.')[1:])}"
    with pytest.raises(MalformedJWS):
        verify_statement(jws, JWKS)


@pytest.mark.parametrize(
    "jws",
    [
        "",
        "abc",
        "a.b",
        "a.b.c.d",
        SIGNED + ".",
        SIGNED.replace(".", "..", 1),
        " " + SIGNED,
        SIGNED + "\n",
        SIGNED.split(".")[0] + "=." + ".".join(SIGNED.split(".")[1:]),
        f"{b64(b'not json')}.{SIGNED.split('.')[1]}.{SIGNED.split('.')[2]}",
        f"{segment([1])}.{SIGNED.split('.')[1]}.{SIGNED.split('.')[2]}",
        # The statements' own header, but written in UTF-16: JSON text here is UTF-8.
        ".".join(
            [
                b64(json.dumps(header_of(), separators=(",", ":")).encode("utf-16")),
                *SIGNED.split(".")[1:],
            ]
        ),
        "x" * 70_000,
    ],
)
def test_input_that_is_no_compact_jws_is_refused(jws: str) -> None:
    with pytest.raises(MalformedJWS):
        verify_statement(jws, JWKS)


def test_a_non_string_is_refused() -> None:
    with pytest.raises(MalformedJWS):
        verify_statement(SIGNED.encode(), JWKS)  # type: ignore[arg-type]


@given(st.text())
def test_arbitrary_text_raises_only_the_typed_error(text: str) -> None:
    with pytest.raises(VerificationError):
        verify_statement(text, JWKS)


_b64_segment = st.text(alphabet=B64URL, max_size=120)


@given(_b64_segment, _b64_segment, _b64_segment)
def test_arbitrary_three_part_strings_raise_only_the_typed_error(
    header: str, payload: str, signature: str
) -> None:
    with pytest.raises(VerificationError):
        verify_statement(f"{header}.{payload}.{signature}", JWKS)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=12,
)


@given(
    st.fixed_dictionaries(
        {}, optional={"alg": st.just("EdDSA") | json_values, "kid": st.just(KEY.kid) | json_values}
    ).flatmap(lambda h: st.dictionaries(st.text(), json_values, max_size=3).map(h.__or__)),
    st.binary(max_size=200),
)
def test_arbitrary_headers_and_payloads_raise_only_the_typed_error(
    header: dict[str, Any], payload: bytes
) -> None:
    jws = f"{segment(header)}.{b64(payload)}.{SIGNED.split('.')[2]}"
    with pytest.raises(VerificationError):
        verify_statement(jws, JWKS)


@given(json_values | st.dictionaries(st.just("keys"), json_values))
def test_arbitrary_key_sets_raise_only_the_typed_error(jwks: Any) -> None:
    with pytest.raises(VerificationError):
        verify_statement(SIGNED, jwks)


@given(st.binary(max_size=300))
def test_arbitrary_signed_payloads_are_a_statement_or_the_typed_error(payload: bytes) -> None:
    jws = signed_with(KEY, header_of(), payload)
    with contextlib.suppress(VerificationError):
        verify_statement(jws, JWKS)
