from __future__ import annotations

from playwright.sync_api import Page, Request

from soundseal.db import Database
from soundseal.registry.embeds.services import opens_by_certificate
from tests.factories import Factory
from tests.web.browser.conftest import HostSite, Registry, screenshot

UNKNOWN = "cer_01KS9QWHV7PHETYGQAYMHB3DM6"


def _track_rows(registry: Registry, rows: list[tuple[str, str | None]]) -> str:
    """A platform's track list, as the integration guide's template renders it."""
    items = []
    for title, cert_id in rows:
        seal = (
            f'<span data-soundseal-cert="{cert_id}" data-variant="mini" data-size="16"></span>'
            if cert_id is not None
            else ""
        )
        items.append(f'<li class="track"><span class="title">{title}</span> {seal}</li>')
    return (
        "<!doctype html><html><head><meta charset=utf-8><title>Tracks</title></head><body>"
        f'<ul id="tracks">{"".join(items)}</ul>'
        f'<script src="{registry.url}/static/embed-widget.js" async></script></body></html>'
    )


def _seal(page: Page, cert_id: str):  # type: ignore[no-untyped-def]
    return page.locator(f'[data-soundseal-cert="{cert_id}"] a.soundseal-seal')


def test_only_active_certificates_show_the_disc_and_a_revocation_removes_it(
    page: Page, registry: Registry, host: HostSite, factory: Factory
) -> None:
    key = factory.key()
    active, later, doomed = (factory.certificate(key) for _ in range(3))
    revoked = factory.revoke(factory.certificate(key))
    url = host.add(
        "/tracks",
        _track_rows(
            registry,
            [
                ("Active", active.id),
                ("Soon revoked", doomed.id),
                ("Revoked", revoked.id),
                ("Unknown", UNKNOWN),
                ("Malformed", "cer_<b>bad</b>"),
                ("Pasted by hand", "  " + active.id.lower()),
                ("No certificate", None),
            ],
        ),
    )
    lookups: list[Request] = []
    page.on("request", lambda r: lookups.append(r) if "/api/v1/public/status" in r.url else None)
    page.clock.install()
    page.goto(url)
    _seal(page, active.id).wait_for()
    _seal(page, doomed.id).wait_for()
    assert page.locator("a.soundseal-seal").count() == 2
    for cert_id in (revoked.id, UNKNOWN):
        assert page.locator(f'[data-soundseal-cert="{cert_id}"] *').count() == 0
    assert page.locator("li.track").last.locator("a").count() == 0
    link = _seal(page, active.id)
    assert link.get_attribute("href") == f"{registry.url}/cert/{active.id}"
    assert link.get_attribute("target") == "_blank"
    assert link.locator("svg").get_attribute("width") == "16"

    # One request for the whole page: no cookies, no referrer, only well-formed IDs.
    assert len(lookups) == 1
    request = lookups[0]
    headers = request.all_headers()
    assert "cookie" not in headers
    assert "referer" not in headers
    assert headers.get("origin") == host.url
    assert sorted(request.url.split("ids=")[1].split("&")[0].split(",")) == sorted(
        [active.id, doomed.id, revoked.id, UNKNOWN]
    )

    # A row added later (React/Vue) shows its Disc after mountAll(), with one more lookup.
    page.evaluate(
        """id => {
            const li = document.createElement("li");
            const span = document.createElement("span");
            span.setAttribute("data-soundseal-cert", id);
            li.appendChild(span);
            document.getElementById("tracks").appendChild(li);
            return window.Soundseal.mountAll();
        }""",
        later.id,
    )
    _seal(page, later.id).wait_for()
    assert len(lookups) == 2

    # A revocation shows once the five-minute cache has passed, not before.
    factory.revoke(doomed)
    page.evaluate("window.Soundseal.mountAll()")
    assert _seal(page, doomed.id).count() == 1
    assert len(lookups) == 2
    page.clock.fast_forward("05:01")
    page.evaluate("window.Soundseal.mountAll()")
    _seal(page, doomed.id).wait_for(state="detached")
    assert len(lookups) == 3
    assert _seal(page, active.id).count() == 1
    assert _seal(page, later.id).count() == 1


def test_the_sandbox_certificate_renders_and_links_to_its_proof_page(
    page: Page, registry: Registry, host: HostSite
) -> None:
    html = _track_rows(registry, [("Sandbox", "cer_test_synthetic")]).replace(
        'data-variant="mini" data-size="16"', 'data-variant="full" data-size="24"'
    )
    page.goto(host.add("/sandbox", html))
    seal = _seal(page, "cer_test_synthetic")
    seal.wait_for()
    assert seal.get_attribute("href") == f"{registry.url}/cert/cer_test_synthetic"
    assert seal.inner_text() == "Verified · soundseal"
    assert seal.locator("svg").get_attribute("width") == "24"
    with page.expect_popup() as popup:
        seal.click()
    proof = popup.value
    proof.wait_for_load_state()
    assert proof.url == f"{registry.url}/cert/cer_test_synthetic"
    assert proof.get_by_test_id("title").inner_text() == "Synthetic Sandbox Track"


def test_verify_cards_in_both_themes_and_compact(
    page: Page, registry: Registry, host: HostSite, factory: Factory, database: Database
) -> None:
    key = factory.key()
    first = factory.certificate(key, track_title="Harbour Lights", artist_name="Wren")
    second = factory.certificate(
        key, track_title="Low Sun", artist_name="Wren", isrc="GBWRN2600001"
    )
    rows = _track_rows(
        registry,
        [("Harbour Lights", first.id), ("Low Sun", second.id), ("Demo (no certificate)", None)],
    )
    cards = (
        f'<div class="soundseal-verify" data-certificate="{first.certificate_number}"></div>'
        f'<div class="soundseal-verify" data-certificate="{second.certificate_number}" '
        'data-theme="light" data-hide-fingerprint="true"></div>'
        f'<div class="soundseal-verify" data-certificate="{first.certificate_number}" '
        'data-compact data-theme="light" data-width="420px"></div>'
        '<div class="soundseal-verify" data-certificate="not-a-number"></div>'
        f'<script src="{registry.url}/embed.js" async></script>'
    )
    html = rows.replace("</body>", f"<h2>Certificates</h2>{cards}</body>").replace(
        "<body>",
        '<body style="font-family:sans-serif;max-width:760px;margin:24px auto">'
        "<style>.soundseal-verify{margin-bottom:14px}</style><h1>Wren · Discography</h1>",
    )
    page.set_viewport_size({"width": 900, "height": 1400})
    page.goto(host.add("/wren", html))
    frames = page.locator("div.soundseal-verify iframe")
    frames.nth(2).wait_for()
    assert frames.count() == 3
    boxes = [frames.nth(i).bounding_box() for i in range(3)]
    assert [round(b["height"]) for b in boxes] == [340, 340, 160]  # type: ignore[index]
    assert round(boxes[2]["width"]) == 420  # type: ignore[index]
    for i in range(3):
        assert (
            frames.nth(i).get_attribute("sandbox") == "allow-popups allow-popups-to-escape-sandbox"
        )
    dark = page.frame_locator("div.soundseal-verify iframe >> nth=0")
    light = page.frame_locator("div.soundseal-verify iframe >> nth=1")
    compact = page.frame_locator("div.soundseal-verify iframe >> nth=2")
    assert dark.locator("body").get_attribute("class") == "dark active"
    assert dark.locator("h1").inner_text() == "Harbour Lights"
    assert first.sha256 in dark.locator("body").inner_text()
    assert light.locator("body").get_attribute("class") == "light active"
    assert second.sha256 not in light.locator("body").inner_text()
    assert compact.locator("body").get_attribute("class") == "light active compact"
    # The sandbox keeps the card away from the host page.
    assert (
        page.evaluate("() => { try { return !!frames[0].document; } catch (e) { return false; } }")
        is False
    )
    _seal(page, second.id).wait_for()
    screenshot(page, "widget-host.png", full_page=True)
    with database.transaction(write=False) as session:
        # One browser is one viewer: two cards of the first certificate count once an hour.
        assert opens_by_certificate(session, account_id=key.account_id, mode="live") == {
            first.id: 1,
            second.id: 1,
        }


def test_a_title_with_markup_is_shown_as_text(
    page: Page, registry: Registry, host: HostSite, factory: Factory
) -> None:
    attack = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    cert = factory.certificate(track_title=attack, artist_name=f"Eve {attack}")
    page.goto(f"{registry.url}/cert/{cert.id}")
    assert page.get_by_test_id("title").inner_text() == attack
    assert page.get_by_test_id("artist").inner_text() == f"Eve {attack}"
    assert page.locator("main img[src=x]").count() == 0
    page.goto(f"{registry.url}/embed/verify/{cert.certificate_number}")
    assert page.locator("h1").inner_text() == attack
    page.goto(host.add("/xss", _track_rows(registry, [("x", cert.id)])))
    _seal(page, cert.id).wait_for()
    # `page` fails the test on any alert() dialog or CSP violation.
