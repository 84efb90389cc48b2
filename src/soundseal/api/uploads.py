"""Certificate issuance bodies: JSON (SHA-256, optionally a client-computed fingerprint) or
multipart/form-data carrying the audio itself, which the server hashes and fingerprints."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from soundseal.api.schemas import CertificateCreate, CertificateMetadata
from soundseal.errors import InvalidInput
from soundseal.http.context import get_context
from soundseal.registry.acoustic.fingerprints import decode_fingerprint, require_sufficient
from soundseal.registry.acoustic.uploads import hash_and_fingerprint_upload
from soundseal.registry.certificates.services import NewCertificate

__all__ = ["read_issuance"]

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
