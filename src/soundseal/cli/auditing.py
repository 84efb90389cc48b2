"""`soundseal audit`: following a registry's log over HTTP, and holding its answers to it.

One run reads the state a state directory keeps (the pinned log key and the `VerifiedLog`),
fetches the log's checkpoint, the entry bundles it adds and the key set, and then:

1. `monitor.advance`: the checkpoint is signed by the pinned key, does not roll the log back
   or fork it, and the new entries hash onto the verified tree to its root;
2. `log_entries.verify_entry_statements`: every new entry is a statement of the key set,
   signed for its own position and its own log (over several processes for long ranges);
3. the current answers: for each certificate the new entries name, the latest statement
   among them is compared with what the registry shows anyone now, the schema.org
   description on the certificate's public page (`/cert/<id>`, no key needed): its title
   and artist (for an issuance) and its status (active after an issuance, revoked after a
   revocation). A title rewritten or a revocation undone in the database, without a
   statement, is a disagreement.

A certificate whose status disagrees while the log has grown since the checkpoint may have
changed in between: it is not reported but kept (`pending.json`) and checked again, against
its newer statements if any, by the next run. The state is written (atomically) only after a
run found nothing wrong, so a refused checkpoint is refused again on every later run until
someone looks at the evidence.

This module holds the run; `audit_commands` is its command line.
"""

from __future__ import annotations

import html.parser
import json
import os
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from soundseal.signing.log_entries import verify_entry_statements
from soundseal.signing.statements import CertificateStatement, Statement
from soundseal.transparency.audit_errors import AuditError, Evidence
from soundseal.transparency.entry_ranges import entries_from_bundles, entry_bundles_for_range
from soundseal.transparency.monitor import VerifiedLog, advance
from soundseal.transparency.note_keys import VerifierKey

__all__ = [
    "AuditFailed",
    "AuditReport",
    "StateError",
    "pinned_key",
    "run_audit",
    "verify_statements",
]

KEY_FILE = "log-key"
STATE_FILE = "state.json"
PENDING_FILE = "pending.json"
#: Below this many new entries one process verifies them all (a pool costs more to start).
PARALLEL_THRESHOLD = 20_000
_PAGE_FETCHERS = 8
_BUNDLE_FETCHERS = 8
_MAX_RETRIES = 5


class StateError(Exception):
    """The state directory or the options cannot be used as given (not the registry's fault)."""


class AuditFailed(Exception):
    """The registry was caught: `body` is what to print, `evidence_file` where it was kept."""

    def __init__(self, body: dict[str, Any], evidence_file: Path) -> None:
        super().__init__(body["error"])
        self.body = body
        self.evidence_file = evidence_file


@dataclass
class AuditReport:
    origin: str
    previous_size: int
    size: int
    new_entries: int
    certificates_named: int = 0
    certificates_checked: int = 0
    pending: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": True,
            "origin": self.origin,
            "previous_size": self.previous_size,
            "size_verified": self.size,
            "new_entries": self.new_entries,
            "certificates_named": self.certificates_named,
            "certificates_checked": self.certificates_checked,
            "pending": self.pending,
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
        }


def pinned_key(state_dir: Path, given: str | None, mode: str) -> VerifierKey:
    """The log key `state_dir` pins, storing `given` on a first run; a different one is refused."""
    path = state_dir / KEY_FILE
    if path.exists():
        stored = VerifierKey.parse(path.read_text("utf-8").strip())
        if given is not None and _parse_key(given) != stored:
            raise StateError(
                f"the state directory pins the log key {stored.format()!r}, not {given.strip()!r}"
            )
        key = stored
    else:
        if given is None:
            raise StateError("the first run in a state directory needs --log-key")
        key = _parse_key(given)
        state_dir.mkdir(parents=True, exist_ok=True)
        _write_atomic(path, key.format() + "\n")
    if not key.name.endswith(f"/log/{mode}"):
        raise StateError(f"the log key names {key.name!r}, not a {mode} log")
    return key


def _parse_key(text: str) -> VerifierKey:
    try:
        return VerifierKey.parse(text.strip())
    except ValueError as exc:
        raise StateError(f"not a log verifier key: {exc}") from exc


def _write_atomic(path: Path, text: str) -> None:
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _load_state(state_dir: Path, origin: str) -> VerifiedLog:
    path = state_dir / STATE_FILE
    if not path.exists():
        return VerifiedLog.empty(origin)
    state = VerifiedLog.loads(path.read_bytes())
    if state.origin != origin:
        raise StateError(f"the stored state follows {state.origin!r}, not {origin!r}")
    return state


def _load_pending(state_dir: Path) -> dict[str, dict[str, Any]]:
    path = state_dir / PENDING_FILE
    if not path.exists():
        return {}
    value = json.loads(path.read_text("utf-8"))
    return value if isinstance(value, dict) else {}


class _Http:
    """GETs below the registry's URL, waiting out a 429 as its Retry-After asks."""

    def __init__(self, registry: str, api_key: str | None, timeout: float) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.base = registry.rstrip("/")
        self.client = httpx.Client(headers=headers, timeout=timeout)

    def get(self, path: str, *, missing_ok: bool = False) -> httpx.Response | None:
        for attempt in range(_MAX_RETRIES + 1):
            response = self.client.get(self.base + path)
            if response.status_code == 429 and attempt < _MAX_RETRIES:
                time.sleep(min(60.0, float(response.headers.get("Retry-After", "1") or 1)))
                continue
            if response.status_code == 404 and missing_ok:
                return None
            response.raise_for_status()
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        self.client.close()


def _entry_fetcher(http: _Http, mode: str) -> Callable[[int, int], list[bytes]]:
    """`advance`'s fetcher: the bundles of a range, several at once."""

    def fetch(start: int, end: int) -> list[bytes]:
        paths = [f"/log/{mode}/{a.path}" for a in entry_bundles_for_range(start, end)]
        with ThreadPoolExecutor(_BUNDLE_FETCHERS) as pool:
            bodies = list(pool.map(lambda p: _body(http, p), paths))
        return entries_from_bundles(start, end, bodies)

    return fetch


def _body(http: _Http, path: str) -> bytes:
    response = http.get(path)
    assert response is not None
    return response.content


def _verify_range(args: tuple[Sequence[bytes], int, Mapping[str, Any], str]) -> list[Statement]:
    entries, start, jwks, origin = args
    return verify_entry_statements(entries, start, jwks, origin=origin)


def verify_statements(
    entries: Sequence[bytes], start: int, jwks: Mapping[str, Any], origin: str, workers: int
) -> list[Statement]:
    """`verify_entry_statements` of `entries`, split in contiguous ranges over `workers`
    processes when there are enough of them; the first refusal (lowest index) is raised."""
    if workers <= 1 or len(entries) < PARALLEL_THRESHOLD:
        return verify_entry_statements(entries, start, jwks, origin=origin)
    chunk = -(-len(entries) // (workers * 4))
    parts = [
        (entries[i : i + chunk], start + i, dict(jwks), origin)
        for i in range(0, len(entries), chunk)
    ]
    statements: list[Statement] = []
    with ProcessPoolExecutor(workers) as pool:
        for result in pool.map(_verify_range, parts):
            statements.extend(result)
    return statements


class _JsonLd(html.parser.HTMLParser):
    """The page's `<script type="application/ld+json">` text."""

    def __init__(self) -> None:
        super().__init__()
        self._inside = False
        self.text: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._inside = tag == "script" and ("type", "application/ld+json") in attrs

    def handle_endtag(self, tag: str) -> None:
        self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside and self.text is None:
            self.text = data


def _shown(http: _Http, certificate_id: str) -> dict[str, Any] | None:
    """What the certificate's public page says of it now (None: no such page)."""
    response = http.get(f"/cert/{certificate_id}", missing_ok=True)
    if response is None:
        return None
    parser = _JsonLd()
    parser.feed(response.text)
    try:
        data = json.loads(parser.text or "")
    except ValueError:
        return {"unreadable": True}
    by = data.get("byArtist") if isinstance(data, dict) else None
    return {
        "title": data.get("name"),
        "artist": by.get("name") if isinstance(by, dict) else None,
        "status": data.get("creativeWorkStatus"),
    }


def _expected(statement: Statement) -> dict[str, Any]:
    if isinstance(statement, CertificateStatement):
        return {
            "title": statement.track_title,
            "artist": statement.artist_name,
            "status": "active",
        }
    return {"status": "revoked"}


def _disagreements(expected: Mapping[str, Any], shown: Mapping[str, Any] | None) -> list[str]:
    if shown is None:
        return ["the registry has no public page for a logged certificate"]
    return [
        f"{name}: logged {value!r}, shown {shown.get(name)!r}"
        for name, value in expected.items()
        if name != "log_index" and shown.get(name) != value
    ]


@dataclass
class _Run:
    http: _Http
    state_dir: Path
    mode: str
    key: VerifierKey
    workers: int
    current_limit: int
    report: AuditReport | None = None


def _evidence(
    run: _Run, kind: str, detail: str, evidence: dict[str, Any], **extra: Any
) -> AuditFailed:
    moment = datetime.now(UTC)
    path = run.state_dir / f"evidence-{moment.strftime('%Y%m%dT%H%M%S.%fZ')}.json"
    record = {
        "kind": kind,
        "detail": detail,
        "registry": run.http.base,
        "mode": run.mode,
        "log_key": run.key.format(),
        "observed_at": moment.isoformat().replace("+00:00", "Z"),
        "evidence": evidence,
        **extra,
    }
    _write_atomic(path, json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    body = {"ok": False, "error": detail, "code": kind, "evidence_file": str(path), **extra}
    return AuditFailed(body, path)


def run_audit(
    registry: str,
    state_dir: Path,
    *,
    mode: str,
    log_key: str | None,
    api_key: str | None = None,
    workers: int = 1,
    current_limit: int = 1000,
    timeout: float = 30.0,
) -> AuditReport:
    """One audit run (module docstring). Raises `StateError` for unusable options or state,
    `AuditFailed` when the registry is caught (after writing the evidence), and
    `httpx.HTTPError` when it cannot be read."""
    key = pinned_key(state_dir, log_key, mode)
    state = _load_state(state_dir, key.name)
    http = _Http(registry, api_key, timeout)
    run = _Run(http, state_dir, mode, key, workers, current_limit)
    try:
        return _audit(run, state)
    finally:
        http.close()


def _audit(run: _Run, state: VerifiedLog) -> AuditReport:
    clock = time.perf_counter()
    seconds: dict[str, float] = {}
    checkpoint = _body(run.http, f"/log/{run.mode}/checkpoint")
    try:
        advanced = advance(state, checkpoint, run.key, _entry_fetcher(run.http, run.mode))
    except AuditError as exc:
        raise _evidence(run, type(exc).__name__, str(exc), exc.evidence.to_json()) from exc
    seconds["log"] = time.perf_counter() - clock
    clock = time.perf_counter()
    jwks = run.http.get("/.well-known/jwks.json")
    assert jwks is not None
    try:
        statements = verify_statements(
            advanced.entries, state.size, jwks.json(), run.key.name, run.workers
        )
    except AuditError as exc:
        evidence = {**exc.evidence.to_json(), "accepted": state.checkpoint}
        evidence["checkpoint"] = advanced.state.checkpoint
        raise _evidence(run, type(exc).__name__, str(exc), evidence) from exc
    seconds["statements"] = time.perf_counter() - clock
    clock = time.perf_counter()
    report = AuditReport(run.key.name, state.size, advanced.state.size, len(advanced.entries))
    pending = _check_current(run, advanced.state, statements, report)
    seconds["current"] = time.perf_counter() - clock
    report.seconds = seconds
    _write_atomic(run.state_dir / STATE_FILE, advanced.state.dumps() + "\n")
    _write_atomic(run.state_dir / PENDING_FILE, json.dumps(pending, indent=2) + "\n")
    return report


def _check_current(
    run: _Run, verified: VerifiedLog, statements: Sequence[Statement], report: AuditReport
) -> dict[str, dict[str, Any]]:
    """Compare the registry's pages with the latest statements; the certificates left pending."""
    latest: dict[str, dict[str, Any]] = dict(_load_pending(run.state_dir))
    for statement in statements:
        latest[statement.certificate_id] = {
            **_expected(statement),
            "log_index": statement.log_index,
        }
    report.certificates_named = len(latest)
    # The most recently changed first: a limited run checks the newest.
    chosen = sorted(latest, key=lambda c: -int(latest[c]["log_index"]))
    if run.current_limit >= 0:
        chosen = chosen[: run.current_limit]
    with ThreadPoolExecutor(_PAGE_FETCHERS) as pool:
        pages = dict(zip(chosen, pool.map(lambda c: _shown(run.http, c), chosen), strict=True))
    report.certificates_checked = len(chosen)
    wrong = {cert: found for cert in chosen if (found := _disagreements(latest[cert], pages[cert]))}
    if not wrong:
        return {}
    grown = _grown(run, verified)
    pending: dict[str, dict[str, Any]] = {}
    confirmed: dict[str, Any] = {}
    for cert, found in wrong.items():
        only_status = all(line.startswith("status:") for line in found)
        if grown and only_status:
            pending[cert] = latest[cert]
        else:
            confirmed[cert] = {"logged": latest[cert], "shown": pages[cert], "disagreements": found}
    if confirmed:
        detail = (
            f"{len(confirmed)} certificate(s) shown otherwise than their latest logged statement"
        )
        raise _evidence(
            run,
            "CurrentAnswerMismatch",
            detail,
            Evidence(detail, verified.checkpoint, None).to_json(),
            certificates=confirmed,
        )
    report.pending = sorted(pending)
    return pending


def _grown(run: _Run, verified: VerifiedLog) -> bool:
    """Whether the log holds more entries now than the checkpoint just verified."""
    text = _body(run.http, f"/log/{run.mode}/checkpoint").decode("utf-8", "replace")
    try:
        size = int(text.split("\n")[1])
    except (IndexError, ValueError):
        return False
    return size > verified.size
