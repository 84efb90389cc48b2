"""Artist commands of the `soundseal` CLI: `certify` and `verify`, against a running registry.

Audio is hashed and fingerprinted locally (the audio never leaves the machine); only the
SHA-256, the fingerprint and the metadata are sent. A folder is certified in bulk: files are
fingerprinted in parallel on every core, progress is shown, the run can be interrupted and
started again (done files are remembered in `.soundseal-certify.json` in the folder, and each
request carries an Idempotency-Key derived from the file's SHA-256, so a request that was
sent just before an interruption is answered again rather than made twice). Requests go
through `soundseal.client` (`cli/remote.py`), so a busy or briefly unreachable registry is
retried the way every client retries it.
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

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table

from soundseal.audio import AudioError, encode_values, fingerprint_file, sha256_file
from soundseal.cli.remote import connect, error_body, exit_with
from soundseal.client import Client, ClientError, Conflict

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
    registry = connect(api_url, api_key)
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
    results: list[dict[str, Any]] = [
        {"file": key, **value}
        for key, value in state.items()
        if value.get("status") in ("certified", "duplicate") and (folder / key) in set(files)
    ]
    defaults = {"title": title, "artist": artist, "isrc": isrc}
    with (
        registry,
        Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            disable=as_json,
        ) as progress,
    ):
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


def _issue(registry: Client, item: Prepared, meta: dict[str, Any]) -> dict[str, Any]:
    if not meta["artist_name"]:
        return {"status": "failed", "error": "no artist: give --artist, a CSV row or a tag"}
    try:
        payload = registry.create_certificate(
            track_title=meta["track_title"],
            artist_name=meta["artist_name"],
            isrc=meta["isrc"] or None,
            audio_file_name=meta["audio_file_name"] or None,
            sha256=item.sha256,
            fingerprint=item.fingerprint,
            duration_ms=item.duration_ms,
            # Derived from the content, so a run interrupted after sending is answered again.
            idempotency_key=f"certify-{item.sha256}",
        )
    except Conflict as exc:
        if exc.code != "duplicate":
            return _failed(exc)
        return {
            "status": "duplicate",
            "match_type": exc.body.get("match_type"),
            "certificate_id": exc.body.get("existing_certificate_id"),
            "certificate_number": exc.body.get("existing_certificate_number"),
            "sha256": item.sha256,
        }
    except ClientError as exc:
        return _failed(exc)
    cert = payload["certificate"]
    return {
        "status": "certified",
        "certificate_id": cert["id"],
        "certificate_number": cert["certificate_number"],
        "sha256": item.sha256,
    }


def _failed(exc: ClientError) -> dict[str, Any]:
    body = error_body(exc)
    return {"status": "failed", "error": body["error"], "code": body["code"]}


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
    registry = connect(api_url, api_key)
    try:
        fp = fingerprint_file(file)
    except AudioError as exc:
        typer.echo(json.dumps({"error": str(exc), "code": "unsupported_media"}), err=True)
        raise typer.Exit(1) from exc
    try:
        with registry:
            receipt = registry.verify_audio(
                cert, fingerprint=encode_values(fp.values), duration_ms=fp.duration_ms
            )
    except ClientError as exc:
        exit_with(exc)
    typer.echo(json.dumps(receipt, indent=2))
    if not receipt.get("matched"):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(certify)
    app.command()(verify)
