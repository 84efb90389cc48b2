"""`GET /cert/<id>/certificate.json` and `soundseal verify-certificate`: a bundle downloaded
from a real server verifies with the server stopped, and every tampering is refused."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI

from soundseal.transparency.note_keys import SignerKey
from tests.cli.test_operator import run
from tests.conftest import LiveServer
from tests.factories import Factory


def download(app: FastAPI, certificate_id: str, target: Path) -> dict[str, Any]:
    with LiveServer(app) as server:
        page = httpx.get(f"{server.url}/cert/{certificate_id}")
        assert f"/cert/{certificate_id}/certificate.json" in page.text
        assert 'data-testid="log-index"' in page.text
        assert 'data-testid="checkpoint-size"' in page.text
        response = httpx.get(f"{server.url}/cert/{certificate_id}/certificate.json")
        assert response.status_code == 200, response.text
        assert "attachment" in response.headers["content-disposition"]
    target.write_bytes(response.content)
    value = json.loads(response.content)
    assert isinstance(value, dict)
    return value


def verify(path: Path, *extra: str) -> tuple[int, Any]:
    return run("verify-certificate", str(path), *extra)


def test_a_downloaded_bundle_verifies_offline(
    app: FastAPI, factory: Factory, tmp_path: Path
) -> None:
    key = factory.key()
    factory.certificate(key)
    cert = factory.certificate(key, track_title="Harbour Lights", isrc="USRC17607839")
    factory.certificate(key)
    path = tmp_path / "certificate.json"
    bundle = download(app, cert.id, path)  # the server is stopped when this returns
    pinned = factory.notary.checkpoint_verifier("live").format()
    assert bundle["log_key"] == pinned
    code, out = verify(path, "--log-key", pinned)
    assert code == 0, out
    assert out["valid"] is True
    assert out["log_key_pinned"] is True
    assert out["status"] == "active"
    assert out["certificate"]["certificate_id"] == cert.id
    assert out["certificate"]["track_title"] == "Harbour Lights"
    assert (out["log_index"], out["checkpoint_size"]) == (1, 3)
    code, unpinned = verify(path)
    assert code == 0
    assert unpinned["log_key_pinned"] is False


def test_a_revoked_certificate_bundle_holds_its_revocation(
    app: FastAPI, factory: Factory, tmp_path: Path
) -> None:
    cert = factory.revoke(factory.certificate())
    path = tmp_path / "certificate.json"
    download(app, cert.id, path)
    code, out = verify(path, "--log-key", factory.notary.checkpoint_verifier("live").format())
    assert code == 0, out
    assert (out["status"], out["kind"], out["log_index"]) == ("revoked", "revocation", 1)


def test_no_bundle_for_a_test_certificate_or_an_unknown_one(
    live_server: LiveServer, factory: Factory
) -> None:
    test_cert = factory.certificate(factory.key(mode="test"))
    for ident in (test_cert.id, "cer_01JAAAAAAAAAAAAAAAAAAAAAAA"):
        response = httpx.get(f"{live_server.url}/cert/{ident}/certificate.json")
        assert response.status_code == 404


def _flip(text: str, at: int) -> str:
    return text[:at] + ("A" if text[at] != "A" else "B") + text[at + 1 :]


def _tamper_payload(bundle: dict[str, Any]) -> None:
    header, payload, signature = bundle["jws"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["track_title"] = "Someone Else's Song"
    raw = json.dumps(claims, separators=(",", ":"), sort_keys=True).encode()
    bundle["jws"] = ".".join(
        [header, base64.urlsafe_b64encode(raw).rstrip(b"=").decode(), signature]
    )


def _tamper_signature(bundle: dict[str, Any]) -> None:
    bundle["jws"] = _flip(bundle["jws"], len(bundle["jws"]) - 5)


def _tamper_index(bundle: dict[str, Any]) -> None:
    lines = bundle["tlog_proof"].split("\n")
    lines[1] = "index 0"
    bundle["tlog_proof"] = "\n".join(lines)


def _tamper_path(bundle: dict[str, Any]) -> None:
    lines = bundle["tlog_proof"].split("\n")
    lines[2] = _flip(lines[2], 3)
    bundle["tlog_proof"] = "\n".join(lines)


def _tamper_checkpoint(bundle: dict[str, Any]) -> None:
    bundle["tlog_proof"] = bundle["tlog_proof"].replace("\n3\n", "\n4\n", 1)


def _tamper_key_set(bundle: dict[str, Any]) -> None:
    stranger = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    bundle["jwks"]["keys"][0]["x"] = base64.urlsafe_b64encode(stranger).rstrip(b"=").decode()


def _tamper_log_key(bundle: dict[str, Any]) -> None:
    bundle["log_key"] = (
        SignerKey("registry.test/log/live", Ed25519PrivateKey.generate()).verifier().format()
    )


def _tamper_format(bundle: dict[str, Any]) -> None:
    bundle["format"] = "soundseal-certificate-bundle/v2"


@pytest.mark.parametrize(
    "tamper",
    [
        _tamper_payload,
        _tamper_signature,
        _tamper_index,
        _tamper_path,
        _tamper_checkpoint,
        _tamper_key_set,
        _tamper_log_key,
        _tamper_format,
    ],
)
def test_each_tampering_is_refused(
    app: FastAPI, factory: Factory, tmp_path: Path, tamper: Any
) -> None:
    key = factory.key()
    factory.certificate(key)
    cert = factory.certificate(key)
    factory.certificate(key)
    path = tmp_path / "certificate.json"
    bundle = download(app, cert.id, path)
    tamper(bundle)
    path.write_text(json.dumps(bundle), "utf-8")
    pinned = factory.notary.checkpoint_verifier("live").format()
    code, out = verify(path, "--log-key", pinned)
    assert code == 1, out
    assert out["valid"] is False
    assert out["code"] in {
        "MalformedBundle",
        "UntrustedLogKey",
        "StatementRefused",
        "ProofRefused",
    }


def test_a_bundle_of_another_log_key_is_refused_when_pinned(
    app: FastAPI, factory: Factory, tmp_path: Path
) -> None:
    cert = factory.certificate()
    path = tmp_path / "certificate.json"
    download(app, cert.id, path)
    stranger = SignerKey("registry.test/log/live", Ed25519PrivateKey.generate()).verifier()
    code, out = verify(path, "--log-key", stranger.format())
    assert code == 1
    assert out["code"] == "UntrustedLogKey"
    code, out = verify(path, "--log-key", "not a key")
    assert code == 2
