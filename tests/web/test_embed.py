from __future__ import annotations

from datetime import timedelta

from starlette.testclient import TestClient

from soundseal.db import Database
from soundseal.db.base import utcnow
from soundseal.registry.embeds.services import daily_opens, opens_by_certificate, record_open
from tests.factories import Factory


def test_the_verify_card_renders_both_themes(client: TestClient, factory: Factory) -> None:
    cert = factory.certificate(track_title="Card Track", artist_name="Card Artist")
    for theme in ("dark", "light"):
        response = client.get(f"/embed/verify/{cert.certificate_number}?theme={theme}")
        assert response.status_code == 200
        assert f'<body class="{theme} active">' in response.text
        assert "Card Track" in response.text
        assert "Card Artist" in response.text
        assert cert.sha256 in response.text
        assert f'href="/cert/{cert.id}" target="_blank"' in response.text
    odd = client.get(f"/embed/verify/{cert.certificate_number}?theme=%22%3E")
    assert '<body class="dark active">' in odd.text


def test_compact_and_hidden_fingerprint(client: TestClient, factory: Factory) -> None:
    cert = factory.certificate()
    compact = client.get(f"/embed/verify/{cert.certificate_number}?compact=true").text
    assert '<body class="dark active compact">' in compact
    hidden = client.get(f"/embed/verify/{cert.certificate_number}?hide_fingerprint=true").text
    assert cert.sha256 not in hidden


def test_a_revoked_or_unknown_certificate_says_so(client: TestClient, factory: Factory) -> None:
    cert = factory.revoke(factory.certificate())
    assert "Revoked certificate" in client.get(f"/embed/verify/{cert.certificate_number}").text
    missing = client.get("/embed/verify/SS-2026-ZZZZZZZZ")
    assert missing.status_code == 404
    assert "No certificate SS-2026-ZZZZZZZZ" in missing.text


def test_only_the_embed_page_may_be_framed(client: TestClient, factory: Factory) -> None:
    cert = factory.certificate()
    embed = client.get(f"/embed/verify/{cert.certificate_number}")
    csp = embed.headers["content-security-policy"]
    assert "frame-ancestors *" in csp
    assert "script-src" not in csp
    assert "default-src 'none'" in csp
    assert "x-frame-options" not in embed.headers
    for path in ("/", f"/cert/{cert.id}", "/login", "/signup"):
        response = client.get(path)
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], path
        assert response.headers["x-frame-options"] == "DENY"


def test_the_inline_style_is_allowed_by_hash(client: TestClient, factory: Factory) -> None:
    import base64
    import hashlib
    import re

    cert = factory.certificate()
    response = client.get(f"/embed/verify/{cert.certificate_number}")
    style = re.search(r"<style>(.*?)</style>", response.text, re.S)
    assert style
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in response.headers["content-security-policy"]


def test_opens_are_counted_per_certificate(
    client: TestClient, factory: Factory, database: Database
) -> None:
    key = factory.key()
    first, second = factory.certificate(key), factory.certificate(key)
    for _ in range(3):
        client.get(f"/embed/verify/{first.certificate_number}?theme=light")
    client.get(f"/embed/verify/{second.certificate_number}")
    client.get("/embed/verify/SS-2026-ZZZZZZZZ")
    with database.transaction(write=False) as session:
        assert opens_by_certificate(session, account_id=key.account_id, mode="live") == {
            first.id: 3,
            second.id: 1,
        }
        assert daily_opens(session, first.id) == [(utcnow().date(), 3)]


def test_daily_counters_add_up_over_days(factory: Factory, database: Database) -> None:
    key = factory.key()
    cert = factory.certificate(key)
    today = utcnow().date()
    with database.transaction() as session:
        record_open(session, cert.id, today - timedelta(days=40))
        record_open(session, cert.id, today - timedelta(days=1))
        record_open(session, cert.id, today)
        record_open(session, cert.id, today)
    with database.transaction(write=False) as session:
        assert daily_opens(session, cert.id) == [(today, 2), (today - timedelta(days=1), 1)]
        assert opens_by_certificate(session, account_id=key.account_id, mode="live") == {cert.id: 4}
