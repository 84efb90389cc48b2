"""Headers added as a response starts: set once, replacing or keeping what is there."""

from __future__ import annotations

from soundseal.http.headers import add_absent, replace


def _start(*headers: tuple[bytes, bytes]) -> dict[str, object]:
    return {"type": "http.response.start", "status": 200, "headers": list(headers)}


def test_replace_sets_each_name_once_whatever_its_case() -> None:
    message = _start((b"content-type", b"application/json"), (b"X-Request-Id", b"old"))
    replace(message, {"X-Request-Id": "req_new", "Retry-After": "7"})
    assert message["headers"] == [
        (b"content-type", b"application/json"),
        (b"x-request-id", b"req_new"),
        (b"retry-after", b"7"),
    ]


def test_add_absent_keeps_what_the_response_set_and_reports_it() -> None:
    message = _start((b"Content-Security-Policy", b"frame-ancestors *"))
    found = add_absent(
        message,
        {"Content-Security-Policy": "default-src 'self'", "X-Content-Type-Options": "nosniff"},
    )
    assert found == {
        "Content-Security-Policy": "frame-ancestors *",
        "X-Content-Type-Options": "nosniff",
    }
    assert message["headers"] == [
        (b"Content-Security-Policy", b"frame-ancestors *"),
        (b"x-content-type-options", b"nosniff"),
    ]
