from __future__ import annotations

import gzip

from starlette.testclient import TestClient

from soundseal.web.assets import asset

WIDGET_BUDGET = 10 * 1024


def test_the_widget_scripts_fit_the_budget_minified_and_gzipped() -> None:
    for name in ("embed-widget.js", "embed.js"):
        item = asset(name)
        assert len(item.gzipped) < WIDGET_BUDGET, (name, len(item.gzipped))
        assert gzip.decompress(item.gzipped) == item.body
        # Minified: the source's comments are gone.
        assert b"Load once per page" not in item.body
        assert b"/*" not in item.body


def test_the_widget_never_builds_html_from_strings() -> None:
    for name in ("embed-widget.js", "embed.js"):
        body = asset(name).text
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in body, (name, sink)
        assert "document.cookie" not in body
        assert "localStorage" not in body


def test_scripts_are_served_gzipped_cacheable_and_revalidated(client: TestClient) -> None:
    response = client.get("/static/embed-widget.js", headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=3600"
    assert response.headers["cross-origin-resource-policy"] == "cross-origin"
    assert response.content == asset("embed-widget.js").body  # httpx decompressed it
    again = client.get(
        "/static/embed-widget.js", headers={"if-none-match": response.headers["etag"]}
    )
    assert again.status_code == 304
    assert client.get("/embed.js").content == asset("embed.js").body
    assert client.get("/static/nope.js").status_code == 404
    assert client.get("/static/..%2Fassets.py").status_code == 404
