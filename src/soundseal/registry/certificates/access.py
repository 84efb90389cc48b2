"""Who may see and change a certificate: the one set of rules the API, the dashboard and
the CLI apply.

A certificate belongs to a workspace *in one mode*: a test key (or the dashboard's test
mode) never reaches a live certificate of the same workspace, and the other way round.
Another workspace's certificate is answered as not found, never as forbidden, so that a
write attempt does not confirm that an ID exists.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.orm import Session

from soundseal.errors import NotFound
from soundseal.ids import SANDBOX_CERTIFICATE_ID
from soundseal.registry.certificates.lookups import get_certificate
from soundseal.registry.certificates.models import Certificate
from soundseal.registry.keys.services import Principal

__all__ = [
    "check_readable",
    "get_owned_certificate",
    "is_owner",
    "mode_named_by",
    "visible_in_mode",
]

_C = TypeVar("_C", bound=Any)


def visible_in_mode(cert: Any, mode: str) -> bool:
    """Keys see only their own mode's certificates; the sandbox certificate is for everyone."""
    return bool(cert.mode == mode or cert.id == SANDBOX_CERTIFICATE_ID)


def check_readable(cert: _C, principal: Principal | None, ident: str) -> _C:
    """`cert` (a model or a column row) if `principal` may read it: a key reads its own
    mode; with no key only the sandbox certificate is readable."""
    if cert.id == SANDBOX_CERTIFICATE_ID:
        return cert
    if principal is None or not visible_in_mode(cert, principal.mode):
        raise NotFound(f"No certificate {ident!r}")
    return cert


def is_owner(cert: Any, principal: Principal | None) -> bool:
    """Whether `principal` sees the owner's fields: a secret key of the owning workspace
    (a publishable key sits in web pages, where anyone can copy it)."""
    return (
        principal is not None
        and principal.kind == "secret"
        and cert.account_id == principal.account_id
    )


def get_owned_certificate(
    session: Session, id_or_number: str, *, account_id: str, mode: str
) -> Certificate:
    """The certificate named by ID or number, if it is `account_id`'s in `mode`."""
    cert = get_certificate(session, id_or_number)
    if cert.account_id != account_id or cert.mode != mode:
        raise NotFound(f"No certificate {cert.id!r} in this workspace")
    return cert


def mode_named_by(id_or_number: str) -> str | None:
    """The mode a certificate ID names (`cer_test_…` is test mode); None for a number,
    which does not say."""
    if id_or_number.startswith("cer_test_"):
        return "test"
    if id_or_number.startswith("cer_"):
        return "live"
    return None
