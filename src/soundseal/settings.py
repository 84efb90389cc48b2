"""Every setting soundseal reads, declared once.

This one list drives the defaults, `soundseal config`, the CLI help and the settings table
in the README (a test keeps the README in step). Settings are read from `SOUNDSEAL_*`
environment variables when `load_settings()` is called at start-up, never at import time,
so tests and the CLI can build as many differently configured apps as they like.
"""

from __future__ import annotations

import importlib.util
import os
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from soundseal.client_address import Network, parse_trusted_proxies
from soundseal.transparency.cosignature import CosignatureVerifier
from soundseal.transparency.note import MAX_SIGNATURES
from soundseal.transparency.note_errors import MalformedKey

__all__ = ["BILLING_NOT_INSTALLED", "Settings", "load_settings", "parse_witness_keys"]

BILLING_NOT_INSTALLED = (
    "SOUNDSEAL_STRIPE_SECRET_KEY and SOUNDSEAL_STRIPE_WEBHOOK_SECRET are set, but the Stripe "
    'library is not installed: pip install "soundseal[billing]" (or unset both to run '
    "without billing)"
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SOUNDSEAL_", extra="ignore", frozen=True)

    data_dir: Path = Field(
        default=Path("./soundseal-data"),
        description="Directory of the embedded SQLite database (used when database_url is unset).",
    )
    database_url: SecretStr | None = Field(
        default=None,
        description="SQLAlchemy URL of the database, e.g. postgresql+psycopg://host/db. "
        "Unset: SQLite in data_dir.",
    )
    redis_url: SecretStr | None = Field(
        default=None,
        description="Redis URL for shared rate-limit storage. Unset: in-memory (one process).",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Base URL the registry is reached at; used in verification and proof links.",
    )
    signing_key_file: Path | None = Field(
        default=None,
        description="Ed25519 private key (PKCS#8 PEM) that signs certificate statements. "
        "Set it for a fleet, so every process signs with, and publishes, the same key; to "
        "rotate, point it at a new file and restart. Unset: a key generated in data_dir on "
        "first start (`soundseal signing-key rotate` replaces it).",
    )
    rate_limit_publishable: int = Field(
        default=600, ge=1, description="Requests per minute for each publishable key."
    )
    rate_limit_secret: int = Field(
        default=3000, ge=1, description="Requests per minute for each secret key."
    )
    rate_limit_anonymous: int = Field(
        default=300, ge=1, description="Requests per minute for each client IP without a key."
    )
    max_json_body_bytes: int = Field(
        default=1024 * 1024, ge=1024, description="Largest JSON request body accepted (413 above)."
    )
    max_upload_bytes: int = Field(
        default=200 * 1024 * 1024,
        ge=1024,
        description="Largest multipart audio upload accepted (413 above).",
    )
    max_audio_seconds: int = Field(
        default=30 * 60,
        ge=10,
        description="Longest audio an upload may hold, in seconds (400 `audio_too_long` above; "
        "decoding stops a few seconds past it).",
    )
    idempotency_ttl_hours: int = Field(
        default=24, ge=1, description="How long an Idempotency-Key's response is replayed."
    )
    purge_interval_seconds: float = Field(
        default=3600,
        gt=0,
        description="How often expired rows (idempotency records, web sessions) are deleted, "
        "by the process that delivers webhooks (the server, or `soundseal worker`).",
    )
    status_max_age_seconds: int = Field(
        default=300,
        ge=0,
        le=300,
        description="Cache-Control max-age of the certificate status endpoint (at most 5 min).",
    )
    signup_enabled: bool = Field(
        default=True,
        description="Let anyone create a workspace at /signup (off: operators create accounts).",
    )
    session_ttl_hours: int = Field(
        default=14 * 24,
        ge=1,
        description="How long a dashboard log-in lasts. The session cookie is HttpOnly, "
        "SameSite=Lax, and Secure when public_url is https.",
    )
    rate_limit_login: int = Field(
        default=10,
        ge=1,
        description="Log-in and sign-up attempts per minute, per client IP and per email.",
    )
    login_backoff_free_failures: int = Field(
        default=5,
        ge=1,
        le=100,
        description="Wrong passwords per email and per client IP before each further one "
        "doubles the wait before the next log-in (2 s, 4 s, 8 s, …); the right password "
        "resets the email's count.",
    )
    login_backoff_max_seconds: int = Field(
        default=300,
        ge=1,
        le=3600,
        description="The longest log-in backoff wait, in seconds: the owner is slowed "
        "down, never locked out.",
    )
    rate_limit_public_status: int = Field(
        default=600,
        ge=1,
        description="Requests per minute per client IP to the seal widget's public status "
        "endpoint.",
    )
    claim_response_days: int = Field(
        default=14,
        ge=1,
        le=365,
        description="Days a certificate's owner has to respond to a claim before it expires.",
    )
    rate_limit_public_claims: int = Field(
        default=5,
        ge=1,
        description="Claims per minute per client IP through the proof page's public form.",
    )
    operator_key: SecretStr | None = Field(
        default=None,
        description="The operator's credential for resolving claims over the API "
        "(POST /api/v1/claims/{id}/resolve; at least 32 characters). Unset: claims are "
        "resolved with `soundseal claims resolve` only.",
        min_length=32,
    )
    trusted_proxies: str = Field(
        default="",
        description="Addresses or CIDR ranges of the reverse proxies in front of the server, "
        "comma-separated (e.g. `10.0.0.0/8,127.0.0.1`). Only a request from one of them has "
        "its X-Forwarded-For read: the client is the right-most address in it that is not "
        "one of them. Empty: the peer's address is the client's.",
    )
    max_form_body_bytes: int = Field(
        default=64 * 1024,
        ge=1024,
        description="Largest form body (log-in, sign-up, dashboard forms) accepted (413 above).",
    )
    credits_enabled: bool = Field(
        default=True,
        description="Charge 1 credit per live certificate and deep verification (off: "
        "self-hosted registries that don't charge).",
    )
    signup_credits: int = Field(
        default=10, ge=0, description="Credits a new workspace starts with."
    )
    test_mode_audio_hours: float = Field(
        default=10.0,
        gt=0,
        le=100_000,
        description="Fingerprinted audio a workspace's active test-mode certificates may hold, "
        "in hours (409 test_mode_full above): test certificates are free, and every process "
        "keeps their fingerprints in its match index.",
    )
    quotas_enabled: bool = Field(
        default=True,
        description="Enforce each workspace's monthly request quota by API tier (429 "
        "`monthly_quota_exceeded` over it). Counted in the rate-limit storage: use Redis to "
        "share and keep the count across processes and restarts.",
    )
    tier_requests_free: int = Field(default=10_000, ge=1, description="Requests/month, free.")
    tier_requests_starter: int = Field(
        default=50_000, ge=1, description="Requests/month, starter tier."
    )
    tier_requests_pro: int = Field(default=500_000, ge=1, description="Requests/month, pro tier.")
    tier_price_starter: str = Field(
        default="49.00", pattern=r"^\d+(\.\d{2})?$", description="Monthly price, starter tier."
    )
    tier_price_pro: str = Field(
        default="199.00", pattern=r"^\d+(\.\d{2})?$", description="Monthly price, pro tier."
    )
    billing_currency: str = Field(
        default="usd", pattern=r"^[a-z]{3}$", description="ISO 4217 currency of every price."
    )
    credit_pack_size: int = Field(default=100, ge=1, description="Credits in one purchased pack.")
    credit_pack_price: str = Field(
        default="29.00", pattern=r"^\d+(\.\d{2})?$", description="Price of one credit pack."
    )
    stripe_secret_key: SecretStr | None = Field(
        default=None,
        description="Stripe secret key: turns on Checkout for tiers and credit packs (needs "
        '`pip install "soundseal[billing]"`). Unset: billing endpoints answer `billing_disabled`.',
    )
    stripe_webhook_secret: SecretStr | None = Field(
        default=None,
        description="Signing secret of the Stripe webhook endpoint "
        "(/api/v1/billing/stripe/webhook).",
    )
    stripe_api_base: str = Field(
        default="https://api.stripe.com",
        description="Stripe's API address (change only for a Stripe-compatible test server).",
    )
    purchase_url: str | None = Field(
        default=None,
        description="Where a 402 `payment_required` sends people to buy credits. Unset: the "
        "dashboard's billing page.",
    )

    witness_keys: str = Field(
        default="",
        description="Verifier keys of the witnesses whose cosignatures of the logs' "
        "checkpoints the registry accepts (POST /log/<mode>/cosignature) and serves "
        "(/log/<mode>/checkpoint/witnessed): C2SP cosignature/v1 keys, "
        "`<name>+<key ID>+<base64 key>`, separated by commas or newlines. Empty: no "
        "cosignature is accepted.",
    )

    webhook_worker: Literal["embedded", "external"] = Field(
        default="embedded",
        description="Who delivers webhooks: `embedded`, a background task in each server "
        "process; `external`, separate `soundseal worker` processes (scaled deployments).",
    )
    webhook_retry_schedule: str = Field(
        default="5,300,1800,7200,18000,36000,36000",
        pattern=r"^\s*\d+(\.\d+)?(\s*,\s*\d+(\.\d+)?)*\s*$",
        description="Seconds before each retry of a failed webhook delivery (comma-separated, "
        "±10 % jitter); when they are spent the delivery is dead-lettered.",
    )
    webhook_timeout_seconds: float = Field(
        default=10.0, gt=0, le=300, description="Time limit of one webhook delivery attempt."
    )
    webhook_lease_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How long a worker owns the deliveries it claimed; a killed worker's are "
        "retried after it. Must exceed webhook_timeout_seconds.",
    )
    webhook_batch_size: int = Field(
        default=100, ge=1, le=1000, description="Deliveries a worker claims at a time."
    )
    webhook_concurrency: int = Field(
        default=32, ge=1, le=1000, description="Webhook requests each worker has in flight."
    )
    webhook_poll_seconds: float = Field(
        default=1.0,
        gt=0,
        description="Longest a webhook worker waits before looking for due deliveries when "
        "nothing wakes it.",
    )
    webhook_allow_private: bool = Field(
        default=False,
        description="Allow webhook URLs over plain http and to loopback/private addresses. "
        "For development and tests only: it lets workspace owners reach internal services.",
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _valid_proxies(cls, value: str) -> str:
        parse_trusted_proxies(value)
        return value

    @cached_property
    def trusted_proxy_networks(self) -> tuple[Network, ...]:
        # Read on every request that needs a client address: parsed once.
        return parse_trusted_proxies(self.trusted_proxies)

    @field_validator("witness_keys")
    @classmethod
    def _valid_witness_keys(cls, value: str) -> str:
        parse_witness_keys(value)
        return value

    @cached_property
    def witness_verifiers(self) -> tuple[CosignatureVerifier, ...]:
        return parse_witness_keys(self.witness_keys)

    @field_validator("public_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def effective_database_url(self) -> str:
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return f"sqlite:///{(self.data_dir / 'soundseal.sqlite3').resolve()}"

    @property
    def effective_signup_credits(self) -> int:
        return self.signup_credits if self.credits_enabled else 0

    @property
    def effective_purchase_url(self) -> str:
        return self.purchase_url or f"{self.public_url}/dashboard/billing"

    @property
    def billing_enabled(self) -> bool:
        return self.stripe_secret_key is not None and self.stripe_webhook_secret is not None

    @property
    def webhook_schedule(self) -> tuple[float, ...]:
        return tuple(float(s) for s in self.webhook_retry_schedule.split(","))

    @model_validator(mode="after")
    def _lease_outlives_attempts(self) -> Settings:
        if self.webhook_lease_seconds <= self.webhook_timeout_seconds:
            raise ValueError("webhook_lease_seconds must exceed webhook_timeout_seconds")
        return self

    @model_validator(mode="after")
    def _billing_installed(self) -> Settings:
        # Stripe's library is an optional extra. Keys without it would start a registry whose
        # first checkout fails: refuse to start, and say what to install.
        if self.billing_enabled and importlib.util.find_spec("stripe") is None:
            raise ValueError(BILLING_NOT_INSTALLED)
        return self

    @property
    def is_embedded(self) -> bool:
        return self.database_url is None

    def masked(self) -> dict[str, Any]:
        """The effective settings with secrets masked, as `soundseal config` prints them."""
        out: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                out[name] = None if not value.get_secret_value() else "**********"
            elif isinstance(value, Path):
                out[name] = str(value)
            else:
                out[name] = value
        return out


MAX_WITNESS_NAME = 255  # the width of log_cosignatures.witness


def parse_witness_keys(text: str) -> tuple[CosignatureVerifier, ...]:
    """The witness keys `text` lists, comma- or newline-separated; `ValueError` naming the
    first entry that is not a cosignature/v1 verifier key, or a witness listed twice."""
    keys: list[CosignatureVerifier] = []
    entries = [e.strip() for e in text.replace("\n", ",").split(",")]
    for number, entry in enumerate((e for e in entries if e), 1):
        try:
            key = CosignatureVerifier.parse(entry)
        except MalformedKey as exc:
            raise ValueError(
                f"SOUNDSEAL_WITNESS_KEYS entry {number} ({entry[:60]!r}) is not a "
                f"cosignature/v1 verifier key <name>+<key ID>+<base64 key>: {exc}"
            ) from None
        if len(key.name) > MAX_WITNESS_NAME:
            raise ValueError(
                f"SOUNDSEAL_WITNESS_KEYS entry {number}: a witness's name is at most "
                f"{MAX_WITNESS_NAME} characters"
            )
        if any(k.public_key == key.public_key or k.name == key.name for k in keys):
            raise ValueError(
                f"SOUNDSEAL_WITNESS_KEYS entry {number} repeats a witness's name or key: "
                "each witness is listed once, with its own key"
            )
        keys.append(key)
    if len(keys) >= MAX_SIGNATURES:
        raise ValueError(
            f"SOUNDSEAL_WITNESS_KEYS lists {len(keys)} witnesses; a checkpoint note holds "
            f"at most {MAX_SIGNATURES - 1} cosignatures besides the log's signature"
        )
    return tuple(keys)


# Settings that were replaced: starting with one of them set is an error that says what to
# set instead, rather than a silent change of behaviour.
_REPLACED = {
    "SOUNDSEAL_TRUST_PROXY_HEADERS": "SOUNDSEAL_TRUST_PROXY_HEADERS is no longer read: list "
    "the addresses of your reverse proxies in SOUNDSEAL_TRUSTED_PROXIES instead (e.g. "
    "SOUNDSEAL_TRUSTED_PROXIES=127.0.0.1 for a proxy on the same host), and unset it.",
}


def load_settings(**overrides: Any) -> Settings:
    """Read the environment now; keyword overrides win (used by the CLI flags and tests)."""
    for name, message in _REPLACED.items():
        if name in os.environ:
            raise ValueError(message)
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def settings_table() -> str:
    """The Markdown table of every setting, as the README shows it."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        default = field.default
        shown = "unset" if default is None else f"`{default}`"
        rows.append(f"| `SOUNDSEAL_{name.upper()}` | {shown} | {field.description} |")
    return "\n".join(rows)
