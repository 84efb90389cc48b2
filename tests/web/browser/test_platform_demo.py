"""The example platform in a real browser: Layer 1 (the seal widget from stored IDs) and
Layer 2 (the "Verified human-made" label from the render gate) behave as the doc asks."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from examples.platform_demo.app import create_demo

from soundseal.client import Client
from tests.api.test_audio_api import samples
from tests.conftest import LiveServer
from tests.factories import Factory
from tests.web.browser.conftest import Registry


def _row(page: Any, title: str) -> Any:
    return page.locator("li.track", has_text=title)


def _upload(page: Any, title: str, audio: Path, cert_id: str | None) -> None:
    page.fill("input[name=title]", title)
    page.set_input_files("input[name=audio]", str(audio))
    page.fill("input[name=soundseal_cert_id]", cert_id or "")
    page.click("form[action='/tracks'] button")
    _row(page, title).wait_for()


def _until(page: Any, check: Any, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the page never reached the expected state"
        time.sleep(0.3)
        page.reload()


def test_layer_1_from_stored_ids_layer_2_only_from_the_gate(
    page: Any, registry: Registry, factory: Factory, tmp_path: Path
) -> None:
    master = samples.write_wav(tmp_path / "master.wav", samples.render_song(40, seed=61))
    served = samples.transcode(master, tmp_path / "served.mp3", "-b:a", "192k")
    other = samples.write_wav(tmp_path / "other.wav", samples.render_song(40, seed=62))
    key = factory.key()
    with Client(key.key, registry.url) as client:
        cert_id = client.certify_file(master, track_title="M", artist_name="A")["certificate"]["id"]
        demo = create_demo(
            registry.url, key.key, tmp_path / "demo", poll_interval=timedelta(seconds=1)
        )
        with LiveServer(demo) as site:  # type: ignore[arg-type]
            page.goto(site.url)
            _upload(page, "Served master", served, cert_id)
            _upload(page, "Pasted ID", other, cert_id)
            _upload(page, "No ID", other, None)
            page.fill("input[name=title]", "Bad ID")
            page.set_input_files("input[name=audio]", str(other))
            page.evaluate(
                "document.querySelector('input[name=soundseal_cert_id]').removeAttribute('pattern')"
            )
            page.fill("input[name=soundseal_cert_id]", "<script>x</script>")
            page.click("form[action='/tracks'] button")
            assert "A certificate ID looks like" in page.inner_text("p.error")

            page.goto(site.url)
            _row(page, "Served master").locator("button").click()
            page.goto(site.url)
            _row(page, "Pasted ID").locator("button").click()
            assert "Not verified" in page.inner_text("p.error")
            page.goto(site.url)
            _until(page, lambda: _row(page, "Served master").locator(".verified").count() == 1)

            served_row, pasted_row, plain_row = (
                _row(page, t) for t in ("Served master", "Pasted ID", "No ID")
            )
            served_row.locator("a.soundseal-seal").wait_for()  # Layer 1: the Disc
            pasted_row.locator("a.soundseal-seal").wait_for()  # a real, active ID...
            assert pasted_row.locator(".verified").count() == 0  # ...but no Layer 2 label
            assert plain_row.locator("[data-soundseal-cert]").count() == 0
            assert plain_row.locator(".verified").count() == 0
            assert served_row.locator("a.soundseal-seal").get_attribute("href") == (
                f"{registry.url}/cert/{cert_id}"
            )

            client.revoke_certificate(cert_id, reason="claim upheld")
            _until(page, lambda: _row(page, "Served master").locator(".verified").count() == 0)
            assert "revoked" in _row(page, "Served master").inner_text()
    page.errors.check()
