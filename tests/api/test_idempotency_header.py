"""Any `Idempotency-Key` header value gives a key or a clean 400, never a crash or a 500."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from soundseal.api.idempotency import parse_idempotency_key
from soundseal.errors import InvalidInput
from tests.factories import Factory

# What reaches the application: header bytes read as latin-1, as Starlette does.
_HEADER_TEXT = st.one_of(
    st.text(max_size=300),
    st.binary(max_size=300).map(lambda b: b.decode("latin-1")),
)


@given(_HEADER_TEXT)
def test_parsing_gives_the_key_or_a_clean_error(raw: str) -> None:
    acceptable = bool(raw.strip()) and len(raw) <= 255 and raw.isprintable()
    if acceptable:
        assert parse_idempotency_key(raw) == raw
    else:
        with pytest.raises(InvalidInput) as refused:
            parse_idempotency_key(raw)
        assert refused.value.extra["field"] == "Idempotency-Key"


def test_no_header_means_no_key() -> None:
    assert parse_idempotency_key(None) is None


@pytest.fixture
def fixed(client: TestClient, factory: Factory) -> tuple[TestClient, dict[str, str], str]:
    key = factory.key()
    cert = factory.certificate(key)
    return client, key.headers, cert.certificate_number


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(raw=st.binary(max_size=300).filter(lambda b: b"\r" not in b and b"\n" not in b))
def test_any_header_value_proceeds_or_is_a_clean_400(
    fixed: tuple[TestClient, dict[str, str], str], raw: bytes
) -> None:
    client, headers, number = fixed
    response = client.post(
        "/api/v1/verify",
        json={"certificate_number": number},
        headers=[
            *((k.encode(), v.encode()) for k, v in headers.items()),
            (b"idempotency-key", raw),
        ],
    )
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        body = response.json()
        assert (body["code"], body["field"]) == ("bad_request", "Idempotency-Key")
        assert body["request_id"]
    else:
        assert response.json()["verified"] is True
