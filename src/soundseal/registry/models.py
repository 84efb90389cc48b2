"""Every table of the registry, imported in one place for Alembic and `create_all`."""

from soundseal.db.base import Base
from soundseal.registry.accounts.models import Account
from soundseal.registry.acoustic.models import VerificationReceipt
from soundseal.registry.billing.models import StripeEvent
from soundseal.registry.certificates.models import Certificate, CertificateVersion
from soundseal.registry.changes.models import Change, FeedCounter
from soundseal.registry.claims.models import Claim
from soundseal.registry.contributors.models import Contributor
from soundseal.registry.credits.models import CreditEntry
from soundseal.registry.embeds.models import EmbedOpen, EmbedSalt, EmbedViewer
from soundseal.registry.events.models import Event
from soundseal.registry.idempotency.models import IdempotencyRecord
from soundseal.registry.keys.models import ApiKey
from soundseal.registry.log.models import LogCosignature, LogEntry, LogHash
from soundseal.registry.logins.models import LoginFailure, WebSession, WebUser
from soundseal.registry.webhooks.models import WebhookDelivery, WebhookEndpoint
from soundseal.signing.models import SigningKeyRecord

metadata = Base.metadata

__all__ = [
    "Account",
    "ApiKey",
    "Certificate",
    "CertificateVersion",
    "Change",
    "Claim",
    "Contributor",
    "CreditEntry",
    "EmbedOpen",
    "EmbedSalt",
    "EmbedViewer",
    "Event",
    "FeedCounter",
    "IdempotencyRecord",
    "LogCosignature",
    "LogEntry",
    "LogHash",
    "LoginFailure",
    "SigningKeyRecord",
    "StripeEvent",
    "VerificationReceipt",
    "WebSession",
    "WebUser",
    "WebhookDelivery",
    "WebhookEndpoint",
    "metadata",
]
