"""The certificates feature's services, by what they hold:

- `drafts.py`: what an issuance asks for and its checks;
- `issuance.py`: issuing (the credit, duplicate checks, history, event, feed entry);
- `lifecycle.py`: history entries, events and revocation;
- `access.py`: who may read or change a certificate (account and mode);
- `records.py`: the one read model (`CertificateRecord`) and the prebuilt reads that fill it;
- `lookups.py`: finding certificates, pages of them, their history, the verification reads.

Functions take a session and never commit. This module gathers their public names, so that
`services.<name>` reaches any of them.
"""

from __future__ import annotations

from soundseal.registry.certificates.access import (
    check_readable,
    get_owned_certificate,
    is_owner,
    visible_in_mode,
)
from soundseal.registry.certificates.drafts import NewCertificate, normalize_sha256, required_text
from soundseal.registry.certificates.issuance import create_certificate, issue_certificate
from soundseal.registry.certificates.lifecycle import revoke_certificate, revoke_owned
from soundseal.registry.certificates.lookups import (
    CertificatePage,
    find_for_verification,
    get_certificate,
    list_certificates,
    list_versions,
)
from soundseal.registry.certificates.records import (
    CertificateRecord,
    read_fingerprint,
    read_record,
    record_of,
)

__all__ = [
    "CertificatePage",
    "CertificateRecord",
    "NewCertificate",
    "check_readable",
    "create_certificate",
    "find_for_verification",
    "get_certificate",
    "get_owned_certificate",
    "is_owner",
    "issue_certificate",
    "list_certificates",
    "list_versions",
    "normalize_sha256",
    "read_fingerprint",
    "read_record",
    "record_of",
    "required_text",
    "revoke_certificate",
    "revoke_owned",
    "visible_in_mode",
]
