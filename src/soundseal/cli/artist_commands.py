"""Artist commands of the `soundseal` CLI: `certify` and `verify`, against a running registry.

Audio is hashed and fingerprinted locally (the audio never leaves the machine); only the
SHA-256, the fingerprint and the metadata are sent. A folder is certified in bulk: files are
fingerprinted in parallel on every core, progress is shown, the run can be interrupted and
started again (done files are remembered in `.soundseal-certify.json` in the folder, and each
request carries an Idempotency-Key derived from the file's SHA-256, so a request that was
sent just before an interruption is answered again rather than made twice).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table

from soundseal.audio import AudioError, encode_values, fingerprint_file, sha256_file

__all__ = ["register"]

AUDIO_SUFFIXES = {
    ".wav",
    ".flac",
    ".mp3",
    ".ogg",
    ".oga",
    ".opus",
    ".m4a",
    ".aac",
    ".aif",
    ".aiff",
    ".wma",
    ".mka",
}
STATE_FILE = ".soundseal-certify.json"

ApiUrl = Annotated[
    str, typer.Option("--api-url", envvar="SOUNDSEAL_API_URL", help="The registry's base URL.")
]
ApiKey = Annotated[
    str,
    typer.Option(
        "--api-key", envvar="SOUNDSEAL_API_KEY", help="A secret key (ss_sk_…).", show_default=False
    ),
]


@dataclass(frozen=True)
class Prepared:
    path: Path
    sha256: str
    fingerprint: str
    duration_ms: int
    tags: dict[str, str]


def _tags(path: Path) -> dict[str, str]:
    """title / artist / ISRC tags, read with ffprobe (absent tags are simply missing)."""
    ffprobe = shutil.which("ffprobe")
    if ffprobe is None:
        return {}
    try:
        out = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [
                ffprobe,
                "-v",
                "error",
                "-show_entries",
                "format_tags:stream_tags",
                "-of",
                "json",
                str(path),
            ],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        data = json.loads(out.stdout or "{}")
    except (OSError, subprocess.SubprocessError, json.JSONDecodeError):
        return {}
    tags: dict[str, str] = {}
    sources = [data.get("format", {}).get("tags", {})]
    sources += [s.get("tags", {}) for s in data.get("streams", [])]
    for source in sources:
        for key, value in source.items():
            name = key.lower()
            if name in ("title", "artist", "isrc") and value and name not in tags:
                tags[name] = str(value)
    return tags


def prepare(path: Path) -> Prepared:
    """Hash and fingerprint one master (whole length): runs in a worker process."""
    fp = fingerprint_file(path, length_s=0)
    return Prepared(
        path=path,
        sha256=sha256_file(path),
        fingerprint=encode_values(fp.values),
        duration_ms=fp.duration_ms,
        tags=_tags(path),
    )


def _files(target: Path) -> list[Path]:
    if target.is_file():
        return [target]
    return sorted(
        p for p in target.rglob("*") if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES
    )


def _csv_metadata(path: Path | None) -> dict[str, dict[str, str]]:
    """Rows keyed by `file` (a path relative to the folder, or a bare file name)."""
    if path is None:
        return {}
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or "file" not in reader.fieldnames:
            raise typer.BadParameter("the CSV needs a 'file' column", param_hint="--metadata")
        return {row["file"]: {k: v for k, v in row.items() if v} for row in reader}


class Registry:
    """The few calls the CLI makes, with the API's errors turned into messages."""

    def __init__(self, api_url: str, api_key: str) -> None:
        self.http = httpx.Client(
            base_url=api_url.rstrip("/"),
            timeout=60,
            headers={"Authorization": f"Bearer {api_key}", "User-Agent": "soundseal-cli"},
        )

    def post(
        self, path: str, body: dict[str, Any], *, idempotency_key: str | None = None
    ) -> tuple[int, dict[str, Any]]:
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        try:
            response = self.http.post(path, json=body, headers=headers)
        except httpx.HTTPError as exc:
            return 0, {"error": f"cannot reach the registry: {exc}", "code": "unreachable"}
        try:
            payload = response.json()
        except ValueError:
            payload = {"error": response.text[:200], "code": "bad_response"}
        return response.status_code, payload


def _load_state(folder: Path) -> dict[str, Any]:
    try:
        state: dict[str, Any] = json.loads((folder / STATE_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return state


def _save_state(folder: Path, state: dict[str, Any]) -> None:
    tmp = folder / (STATE_FILE + ".tmp")
    tmp.write_text(json.dumps(state, indent=2, sort_keys=True))
    tmp.replace(folder / STATE_FILE)  # atomic: an interruption never leaves half a file


def _metadata_for(
    item: Prepared, root: Path, rows: dict[str, dict[str, str]], defaults: dict[str, str | None]
) -> dict[str, Any]:
    relative = str(item.path.relative_to(root)) if item.path != root else item.path.name
    row = rows.get(relative) or rows.get(item.path.name) or {}
    title = row.get("title") or defaults["title"] or item.tags.get("title") or item.path.stem
    artist = row.get("artist") or defaults["artist"] or item.tags.get("artist")
    isrc = row.get("isrc") or defaults["isrc"] or item.tags.get("isrc")
    return {
        "track_title": title,
        "artist_name": artist,
        "isrc": isrc,
        "audio_file_name": item.path.name,
    }


def certify(
    target: Annotated[Path, typer.Argument(exists=True, help="An audio file or a folder.")],
    api_url: ApiUrl = "http://127.0.0.1:8000",
    api_key: ApiKey = "",
    title: Annotated[str | None, typer.Option(help="Track title (single file).")] = None,
    artist: Annotated[str | None, typer.Option(help="Artist name (default for a folder).")] = None,
    isrc: Annotated[str | None, typer.Option(help="ISRC (single file).")] = None,
    metadata: Annotated[
        Path | None,
        typer.Option(exists=True, help="CSV with columns file,title,artist,isrc (a folder)."),
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="Fingerprinting processes.")] = (
        os.cpu_count() or 1
    ),
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """Certify a master, or every audio file in a folder, on a registry."""
    if not api_key:
        raise typer.BadParameter("set --api-key or SOUNDSEAL_API_KEY", param_hint="--api-key")
    folder = target if target.is_dir() else target.parent
    if target.is_dir() and (title or isrc):
        raise typer.BadParameter("--title and --isrc are per file; use --metadata for a folder")
    rows = _csv_metadata(metadata)
    state = _load_state(folder) if target.is_dir() else {}
    files = _files(target)
    pending = [
        p
        for p in files
        if state.get(str(p.relative_to(folder)), {}).get("status") not in ("certified", "duplicate")
    ]
    console = Console(stderr=True)
    registry = Registry(api_url, api_key)
    results: list[dict[str, Any]] = [
        {"file": key, **value}
        for key, value in state.items()
        if value.get("status") in ("certified", "duplicate") and (folder / key) in set(files)
    ]
    defaults = {"title": title, "artist": artist, "isrc": isrc}
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=as_json,
    ) as progress:
        task = progress.add_task("certifying", total=len(pending))
        for item_or_error, path in _prepared(pending, workers):
            key = str(path.relative_to(folder))
            if isinstance(item_or_error, str):
                outcome: dict[str, Any] = {"status": "failed", "error": item_or_error}
            else:
                outcome = _issue(
                    registry,
                    item_or_error,
                    _metadata_for(
                        item_or_error, target if target.is_dir() else folder, rows, defaults
                    ),
                )
            results.append({"file": key, **outcome})
            if target.is_dir():
                state[key] = outcome
                _save_state(folder, state)
            progress.advance(task)
    _report(results, console, as_json)
    if any(r["status"] == "failed" for r in results):
        raise typer.Exit(1)


def _prepared(paths: list[Path], workers: int) -> Iterable[tuple[Prepared | str, Path]]:
    if not paths:
        return
    with ProcessPoolExecutor(max_workers=min(workers, len(paths))) as pool:
        futures = {pool.submit(prepare, p): p for p in paths}
        for future in as_completed(futures):
            try:
                yield future.result(), futures[future]
            except AudioError as exc:
                yield f"not decodable audio: {exc}", futures[future]


def _issue(registry: Registry, item: Prepared, meta: dict[str, Any]) -> dict[str, Any]:
    if not meta["artist_name"]:
        return {"status": "failed", "error": "no artist: give --artist, a CSV row or a tag"}
    body = {
        **{k: v for k, v in meta.items() if v},
        "sha256_fingerprint": item.sha256,
        "fingerprint": item.fingerprint,
        "duration_ms": item.duration_ms,
    }
    status, payload = registry.post(
        "/api/v1/certificates", body, idempotency_key=f"certify-{item.sha256}"
    )
    if status == 201:
        cert = payload["certificate"]
        return {
            "status": "certified",
            "certificate_id": cert["id"],
            "certificate_number": cert["certificate_number"],
            "sha256": item.sha256,
        }
    if status == 409 and payload.get("code") == "duplicate":
        return {
            "status": "duplicate",
            "match_type": payload.get("match_type"),
            "certificate_id": payload.get("existing_certificate_id"),
            "certificate_number": payload.get("existing_certificate_number"),
            "sha256": item.sha256,
        }
    return {
        "status": "failed",
        "error": payload.get("error", f"HTTP {status}"),
        "code": payload.get("code"),
    }


def _report(results: list[dict[str, Any]], console: Console, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps({"results": results}, indent=2))
        return
    table = Table(title="soundseal certify")
    for column in ("file", "status", "certificate", "detail"):
        table.add_column(column)
    for r in results:
        detail = r.get("error") or (f"{r['match_type']} match" if r.get("match_type") else "")
        table.add_row(r["file"], r["status"], r.get("certificate_number") or "", detail)
    console.print(table)
    counts = {
        s: sum(1 for r in results if r["status"] == s) for s in ("certified", "duplicate", "failed")
    }
    console.print(", ".join(f"{n} {s}" for s, n in counts.items()))


def verify(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The served file.")],
    cert: Annotated[str, typer.Option("--cert", help="Certificate ID.")],
    api_url: ApiUrl = "http://127.0.0.1:8000",
    api_key: ApiKey = "",
) -> None:
    """Fingerprint FILE (first 120 s, as fpcalc) and check it against a certificate.

    Prints the receipt; exits 0 when it matched, 1 when it did not or on error."""
    if not api_key:
        raise typer.BadParameter("set --api-key or SOUNDSEAL_API_KEY", param_hint="--api-key")
    try:
        fp = fingerprint_file(file)
    except AudioError as exc:
        typer.echo(json.dumps({"error": str(exc), "code": "unsupported_media"}), err=True)
        raise typer.Exit(1) from exc
    body = {
        "fingerprint": encode_values(fp.values),
        "duration_ms": fp.duration_ms,
        "algorithm": "chromaprint",
    }
    status, payload = Registry(api_url, api_key).post(
        f"/api/v1/certificates/{cert}/verify-audio", body
    )
    if status != 200:
        typer.echo(json.dumps(payload, indent=2), err=True)
        raise typer.Exit(1)
    typer.echo(json.dumps(payload, indent=2))
    if not payload.get("matched"):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(certify)
    app.command()(verify)
