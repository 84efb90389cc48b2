"""A webhook receiver on a free loopback port: a threaded HTTP server that records every
request it answers, and answers with the statuses a test scripts."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.conftest import free_port


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]  # lower-cased names
    body: bytes
    status: int
    path: str


class Receiver:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.received: list[Received] = []
        self.script: deque[int] = deque()
        self.condition = threading.Condition()
        self.server: ThreadingHTTPServer | None = None
        self.delay = 0.0  # seconds to wait before answering (a slow receiver)
        # Cleared: requests are recorded but not answered until it is set again.
        self.gate = threading.Event()
        self.gate.set()
        # Connections part-way through a request: accepted (or answered and kept alive) but
        # not yet recorded or closed. `settle()` waits for this to reach zero.
        self.reading = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def answer(self, *statuses: int) -> None:
        """Answer the next requests with these statuses, then 200 again."""
        self.script.extend(statuses)

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Counted in `receiver.reading` from the moment the server accepted it.
            in_request = True

            def _reading(self, now: bool) -> None:
                with receiver.condition:
                    if now != self.in_request:
                        self.in_request = now
                        receiver.reading += 1 if now else -1
                        receiver.condition.notify_all()

            def do_GET(self) -> None:
                # `settle()`'s marker: answered at once, never recorded.
                self.close_connection = True
                self.send_response(204)
                self.end_headers()

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                if len(body) < length:
                    return  # the sender went away mid-request (a killed worker)
                # Recorded on arrival, answered after the gate opens and the delay.
                with receiver.condition:
                    status = receiver.script.popleft() if receiver.script else 200
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    receiver.received.append(Received(headers, body, status, self.path))
                    receiver.condition.notify_all()
                self._reading(False)
                receiver.gate.wait()
                if receiver.delay:
                    time.sleep(receiver.delay)
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
                self._reading(True)  # kept alive: the next request may follow

            def log_message(self, *args: Any) -> None:
                pass

            def handle(self) -> None:
                # A worker killed mid-request leaves the answer nowhere to go: expected here.
                try:
                    with contextlib.suppress(ConnectionError):
                        super().handle()
                finally:
                    self._reading(False)

        class Server(ThreadingHTTPServer):
            allow_reuse_address = True
            # Workers open dozens of connections at once; the default backlog of 5 would
            # refuse some of them.
            request_queue_size = 256

            def process_request(self, request: Any, client_address: Any) -> None:
                # Counted here, in the accepting thread, so connections are counted in the
                # order they were accepted (what `settle()` relies on).
                with receiver.condition:
                    receiver.reading += 1
                super().process_request(request, client_address)

        self.server = Server(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.gate.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def settle(self, limit: float = 30) -> None:
        """Block until every connection made before this call has been read to its end:
        each request recorded (and waiting for its answer) or the connection closed part-way.

        After a sender is killed, its last requests may still be in the receiver's socket
        buffers or its listen queue; a snapshot of `received` taken before they are read
        misses requests the sender had in fact sent. The listen queue is first in, first
        out, so once a marker connection made now has been answered, every earlier
        connection has been accepted and counted in `reading`."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=limit) as marker:
            marker.sendall(b"GET /settle HTTP/1.1\r\nHost: receiver\r\n\r\n")
            while marker.recv(1024):
                pass
        deadline = time.monotonic() + limit
        with self.condition:
            while self.reading:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"{self.reading} connections still mid-request")
                self.condition.wait(remaining)

    def wait_for(self, count: int, *, ok_only: bool = True, limit: float = 30) -> list[Received]:
        """Block until `count` requests (2xx ones by default) arrived; fail after `limit` s,
        a safety net against hanging, not a timing assertion."""
        deadline = time.monotonic() + limit
        with self.condition:
            while True:
                got = [r for r in self.received if r.status < 300 or not ok_only]
                if len(got) >= count:
                    return got
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"{len(got)} of {count} webhook requests arrived")
                self.condition.wait(remaining)


def until(check: Callable[[], bool], limit: float = 30) -> None:
    """Wait for a condition the worker brings about (a safety limit, not a timing check)."""
    deadline = time.monotonic() + limit
    while not check():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.05)
