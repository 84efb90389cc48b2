"""Layer 2 for platforms: prove the served audio, bind, gate the seal, poll revocations.

    from soundseal.client import Client
    from soundseal.platform import open_store, verify_and_bind, seal_visible, poll_once

    store = open_store("sqlite:///platform.sqlite3",       # creates its tables
                       log_key="registry.example/log/live+…")  # pins the log's key
    with Client() as registry:
        verify_and_bind(registry, store.sessions, track_id="t1",
                        served_file="served/t1.mp3", certificate_id="cer_…")
        poll_once(registry, store.sessions)                   # every <= 5 minutes
    with store.sessions() as session:
        seal_visible(session, "t1", content_address("served/t1.mp3")).visible

Each poll verifies the registry's log and holds the change feed to it; a log caught lying
hides every seal until an operator clears it (`clear_log_failure`). `seal_visible` is a
database read only; any doubt hides the seal (`docs/platform.md`).
"""

from soundseal.platform.binding import BindOutcome, content_address, verify_and_bind
from soundseal.platform.gate import DEFAULT_MAX_STALENESS, GateResult, seal_visible, seals_visible
from soundseal.platform.log_check import (
    FeedDisagrees,
    LogFailure,
    clear_log_failure,
    pin_log_key,
)
from soundseal.platform.models import (
    Binding,
    FeedState,
    LoggedCertificate,
    LogPin,
    PlatformBase,
    Revocation,
)
from soundseal.platform.poller import (
    DEFAULT_INTERVAL,
    NO_LOG_KEY,
    FeedRejected,
    PollResult,
    check_page,
    poll_once,
    run_poller,
)
from soundseal.platform.store import PlatformStore, open_store

__all__ = [
    "DEFAULT_INTERVAL",
    "DEFAULT_MAX_STALENESS",
    "NO_LOG_KEY",
    "BindOutcome",
    "Binding",
    "FeedDisagrees",
    "FeedRejected",
    "FeedState",
    "GateResult",
    "LogFailure",
    "LogPin",
    "LoggedCertificate",
    "PlatformBase",
    "PlatformStore",
    "PollResult",
    "Revocation",
    "check_page",
    "clear_log_failure",
    "content_address",
    "open_store",
    "pin_log_key",
    "poll_once",
    "run_poller",
    "seal_visible",
    "seals_visible",
    "verify_and_bind",
]
