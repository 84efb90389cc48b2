from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from starlette.testclient import TestClient

from soundseal.db import Database
from soundseal.db.base import utcnow
from soundseal.registry.certificates.models import Certificate
from soundseal.registry.embeds.models import EmbedSalt, EmbedViewer
from soundseal.registry.embeds.services import (
    daily_opens,
    opens_by_certificate,
    record_open,
    record_view,
)
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


def test_a_viewer_counts_once_per_certificate_per_hour(
    app: FastAPI, factory: Factory, database: Database
) -> None:
    key = factory.key()
    first, second = factory.certificate(key), factory.certificate(key)
    with TestClient(app, client=("203.0.113.7", 50000)) as viewer:
        for _ in range(10):
            viewer.get(f"/embed/verify/{first.certificate_number}?theme=light")
        viewer.get(f"/embed/verify/{second.certificate_number}")
        # The same address with another browser is another viewer.
        viewer.get(f"/embed/verify/{first.certificate_number}", headers={"User-Agent": "Other"})
        viewer.get("/embed/verify/SS-2026-ZZZZZZZZ")
    with TestClient(app, client=("198.51.100.4", 50000)) as elsewhere:
        elsewhere.get(f"/embed/verify/{first.certificate_number}")
        elsewhere.get(f"/embed/verify/{first.certificate_number}")
    with database.transaction(write=False) as session:
        assert opens_by_certificate(session, account_id=key.account_id, mode="live") == {
            first.id: 3,
            second.id: 1,
        }
        assert daily_opens(session, first.id) == [(utcnow().date(), 3)]
        stored = session.scalars(select(EmbedViewer.viewer)).all()
    assert len(stored) == 4
    assert not any("203.0.113.7" in v or "198.51.100.4" in v or "Other" in v for v in stored)


def test_viewers_count_again_the_next_hour_and_old_hours_are_swept(
    factory: Factory, database: Database
) -> None:
    cert = factory.certificate()
    start = utcnow().replace(minute=30)
    viewer = {"client": "203.0.113.7", "user_agent": "Browser/1"}
    with database.transaction() as session:
        assert record_view(session, cert.id, now=start, **viewer) is True
        assert record_view(session, cert.id, now=start + timedelta(minutes=20), **viewer) is False
        first_salt = session.scalar(select(EmbedSalt.salt))
    with database.transaction() as session:
        assert record_view(session, cert.id, now=start + timedelta(minutes=40), **viewer) is True
    with database.transaction(write=False) as session:
        # Only the current hour's viewers and salt are kept; the old salt is gone for good.
        assert session.scalar(select(func.count()).select_from(EmbedViewer)) == 1
        assert session.scalars(select(EmbedSalt.salt)).all() != [first_salt]
        assert session.scalar(select(func.count()).select_from(EmbedSalt)) == 1
        assert sum(opens for _, opens in daily_opens(session, cert.id)) == 2


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


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    client=st.text(st.characters(exclude_categories=()), max_size=300),
    user_agent=st.text(st.characters(exclude_categories=()), max_size=2000),
)
def test_any_address_and_user_agent_are_counted_cleanly(
    database: Database, client: str, user_agent: str
) -> None:
    with database.transaction(write=False) as session:
        cert_id = session.scalar(select(Certificate.id).limit(1))
    if cert_id is None:
        cert_id = Factory(database).certificate().id
    with database.transaction() as session:
        record_view(session, cert_id, client=client, user_agent=user_agent)
        assert record_view(session, cert_id, client=client, user_agent=user_agent) is False
