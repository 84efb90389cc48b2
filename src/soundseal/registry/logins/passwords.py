"""The one rule a new password must pass: long enough, and not easy to guess.

Guessability is zxcvbn's estimate (dictionaries of common passwords, names and words,
keyboard patterns, repeats, sequences, dates, l33t substitutions), with the person's own
email and workspace name as extra words, so `maya@example.com` cannot choose `maya2026`.

The minimum score is 3: zxcvbn's estimate is at least 10^8 guesses, out of reach of an
online attacker slowed by the log-in backoff and expensive offline against an argon2id hash
(zxcvbn calls it "safely unguessable"). Score 2 lets dictionary words with a digit appended
through; score 4 (10^10 guesses) refuses many ordinary three-word passphrases.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

from zxcvbn import zxcvbn

from soundseal.errors import InvalidInput

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "MIN_PASSWORD_SCORE",
    "check_new_password",
]

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
MIN_PASSWORD_SCORE = 3
# zxcvbn's matching grows faster than linearly with length and the library refuses more than
# 72 characters; the first 72 decide (a weak start stays weak however long the rest is).
_SCORED_LENGTH = 72
# zxcvbn keeps the user's words in a module-level dictionary while it scores: one check at a
# time, so two concurrent sign-ups never score against each other's words.
_lock = threading.Lock()


def _words(user_inputs: Iterable[str]) -> list[str]:
    """The person's words as zxcvbn matches them: whole, run together without spaces or
    punctuation (`Maya Records` → `mayarecords`), and each part (`maya`, `records`)."""
    words: list[str] = []
    for value in user_inputs:
        value = value.strip().lower()[:_SCORED_LENGTH]
        parts = [part for part in re.split(r"[\W_]+", value) if len(part) >= 3]
        words += [value, "".join(parts), *parts]
    return list(dict.fromkeys(word for word in words if word))


def check_new_password(
    password: str, *, user_inputs: Iterable[str] = (), field: str = "password"
) -> str:
    """`password` if it may be set; otherwise `InvalidInput` naming what is wrong, with
    zxcvbn's warning and suggestions when it is too easy to guess."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"The password must be at least {MIN_PASSWORD_LENGTH} characters", field=field
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            f"The password must be at most {MAX_PASSWORD_LENGTH} characters", field=field
        )
    with _lock:
        result = zxcvbn(password[:_SCORED_LENGTH], user_inputs=_words(user_inputs))
    if result["score"] >= MIN_PASSWORD_SCORE:
        return password
    feedback = result.get("feedback") or {}
    advice = [str(feedback.get("warning") or "").strip()]
    advice += [str(s).strip() for s in feedback.get("suggestions") or []]
    advice = [a if a.endswith((".", "!", "?")) else f"{a}." for a in advice if a]
    message = "The password is too easy to guess."
    if advice:
        message += " " + " ".join(advice)
    raise InvalidInput(message, field=field, reason="weak_password")
