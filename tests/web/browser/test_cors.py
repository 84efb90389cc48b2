"""A page on another origin calls the API from the browser: a publishable key's reads work,
a secret key's operations are blocked by the browser's CORS checks."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.factories import Factory
from tests.web.browser.conftest import HostSite, Registry

CALL = """async ([url, init]) => {
    try {
        const response = await fetch(url, init);
        return {ok: true, status: response.status, body: await response.json(),
                requestId: response.headers.get("X-Request-Id"),
                remaining: response.headers.get("X-RateLimit-Remaining")};
    } catch (error) {
        return {ok: false, error: String(error)};
    }
}"""


def test_publishable_reads_work_across_origins_and_secret_operations_do_not(
    page: Page, registry: Registry, host: HostSite, factory: Factory
) -> None:
    account = factory.account()
    publishable = factory.key(account, kind="publishable")
    secret = factory.key(account)
    cert = factory.certificate(secret)
    page.goto(host.add("/app", "<!doctype html><title>Player</title><p>player</p>"))
    assert page.evaluate("location.origin") != registry.url

    status = page.evaluate(
        CALL,
        [
            f"{registry.url}/api/v1/certificates/{cert.id}/status",
            {"headers": {"X-API-Key": publishable.key}},
        ],
    )
    assert status["ok"], status
    assert status["status"] == 200
    assert status["body"]["status"] == "active"
    assert status["requestId"].startswith("req_")
    assert status["remaining"] is not None

    verified = page.evaluate(
        CALL,
        [
            f"{registry.url}/api/v1/verify",
            {
                "method": "POST",
                "headers": {
                    "Authorization": f"Bearer {publishable.key}",
                    "Content-Type": "application/json",
                },
                "body": f'{{"sha256": "{cert.sha256}"}}',
            },
        ],
    )
    assert verified["ok"], verified
    assert verified["status"] == 200

    sandbox = page.evaluate(CALL, [f"{registry.url}/api/v1/certificates/cer_test_synthetic", {}])
    assert sandbox["ok"], sandbox
    assert sandbox["status"] == 200

    for url, init in (
        (f"{registry.url}/api/v1/credits", {"headers": {"Authorization": f"Bearer {secret.key}"}}),
        (
            f"{registry.url}/api/v1/certificates",
            {
                "method": "POST",
                "headers": {
                    "Authorization": f"Bearer {secret.key}",
                    "Content-Type": "application/json",
                },
                "body": "{}",
            },
        ),
    ):
        blocked = page.evaluate(CALL, [url, init])
        assert not blocked["ok"], (url, blocked)
        assert "Failed to fetch" in blocked["error"]
