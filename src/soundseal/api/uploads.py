"""Certificate issuance bodies: JSON (SHA-256, optionally a client-computed fingerprint) or
multipart/form-data carrying the audio itself, which the server hashes and fingerprints."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from soundseal.api.context import get_context
from soundseal.api.schemas import CertificateCreate, CertificateMetadata
from soundseal.audio import (
    AudioError,
    AudioTooLong,
    Fingerprint,
    UnsupportedContainer,
    fingerprint_file,
    sha256_file,
)
from soundseal.errors import ErrorCode, InvalidAudio, InvalidInput
from soundseal.registry.acoustic.fingerprints import decode_fingerprint, require_sufficient
from soundseal.registry.certificates.services import NewCertificate

__all__ = ["hash_and_fingerprint_upload", "read_issuance"]

_UPLOAD_FIELD = "file"


def _invalid(exc: ValidationError) -> RequestValidationError:
    errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]
    return RequestValidationError(errors)


def _metadata(model: CertificateMetadata) -> dict[str, Any]:
    return {
        "track_title": model.track_title,
        "artist_name": model.artist_name,
        "isrc": model.isrc,
        "type": model.type,
        "declaration_text": model.declaration_text,
        "audio_file_name": model.audio_file_name,
        "ai_disclosure": model.ai_disclosure.model_dump() if model.ai_disclosure else None,
    }


async def read_issuance(request: Request) -> NewCertificate:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        return await _from_upload(request)
    if content_type and not content_type.startswith("application/json"):
        raise InvalidInput(
            "Send application/json, or multipart/form-data with the audio in 'file'",
            field="Content-Type",
        )
    try:
        body = CertificateCreate.model_validate_json(await request.body())
    except ValidationError as exc:
        raise _invalid(exc) from exc
    acoustic = None
    if body.fingerprint is not None or body.duration_ms is not None:
        if body.fingerprint is None:
            raise InvalidInput("fingerprint is required with duration_ms", field="fingerprint")
        acoustic = decode_fingerprint(
            body.fingerprint,
            duration_ms=body.duration_ms,
            encoding=body.encoding,
            algorithm=body.algorithm,
        )
        require_sufficient(acoustic)
    return NewCertificate(sha256=body.sha256_fingerprint, acoustic=acoustic, **_metadata(body))


async def _from_upload(request: Request) -> NewCertificate:
    form = await request.form(max_files=1, max_fields=20)
    fields: dict[str, Any] = {}
    upload: UploadFile | None = None
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            if name != _UPLOAD_FIELD:
                raise InvalidInput(
                    f"Send the audio in the form field '{_UPLOAD_FIELD}'", field=name
                )
            upload = value
        elif name == "ai_disclosure":
            try:
                fields[name] = json.loads(value)
            except json.JSONDecodeError as exc:
                raise InvalidInput("ai_disclosure must be a JSON object", field=name) from exc
        else:
            fields[name] = value
    if upload is None:
        raise InvalidInput(f"Missing the audio file in form field '{_UPLOAD_FIELD}'", field="file")
    try:
        metadata = CertificateMetadata.model_validate(fields)
    except ValidationError as exc:
        raise _invalid(exc) from exc
    sha256, acoustic = await run_in_threadpool(
        hash_and_fingerprint_upload,
        upload.file,
        max_audio_seconds=get_context(request).settings.max_audio_seconds,
    )
    values = _metadata(metadata)
    values["audio_file_name"] = values["audio_file_name"] or (upload.filename or None)
    return NewCertificate(sha256=sha256, acoustic=acoustic, **values)


def hash_and_fingerprint_upload(
    source: BinaryIO, *, max_audio_seconds: int
) -> tuple[str, Fingerprint]:
    """SHA-256 and whole-length fingerprint of an uploaded file (blocking: call it from a
    worker thread), refusing what is not usable audio with the registry's own errors.

    The file is stored under a name of our own: its format is decided from its bytes alone
    (the client's file name and content type play no part), and only audio containers are
    decoded."""
    with tempfile.TemporaryDirectory(prefix="soundseal-upload-") as workdir:
        path = Path(workdir) / "upload"
        with path.open("wb") as sink:
            shutil.copyfileobj(source, sink, 1024 * 1024)
        if os.path.getsize(path) == 0:
            raise InvalidAudio(
                "The uploaded file is empty", code=ErrorCode.UNSUPPORTED_MEDIA, field="file"
            )
        sha256, acoustic = _hash_and_fingerprint(path, max_audio_seconds)
    require_sufficient(acoustic)
    return sha256, acoustic


def _hash_and_fingerprint(path: Path, max_audio_seconds: int) -> tuple[str, Fingerprint]:
    try:
        # A master is fingerprinted over its whole length (length 0).
        fingerprint = fingerprint_file(path, length_s=0, max_duration_s=max_audio_seconds)
    except UnsupportedContainer as exc:
        raise InvalidAudio(
            f"The uploaded file is {exc.reason}",
            code=ErrorCode.UNSUPPORTED_MEDIA,
            field="file",
            detected=exc.seen,
        ) from exc
    except AudioTooLong as exc:
        raise InvalidAudio(
            f"The uploaded audio is too long: {exc}",
            code=ErrorCode.AUDIO_TOO_LONG,
            field="file",
            max_audio_seconds=exc.limit_s,
        ) from exc
    except AudioError as exc:
        raise InvalidAudio(
            f"The uploaded file is not audio soundseal can decode: {exc}",
            code=ErrorCode.UNSUPPORTED_MEDIA,
            field="file",
        ) from exc
    return sha256_file(path), fingerprint
