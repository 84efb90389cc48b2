"""The one password rule: long enough and hard to guess, with zxcvbn's advice otherwise."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from soundseal.errors import InvalidInput
from soundseal.registry.logins.passwords import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    check_new_password,
)

ME = ("maya@example.com", "Maya Records")


@pytest.mark.parametrize(
    ("password", "advice"),
    [
        ("aaaaaaaaaa", 'Repeats like "aaa" are easy to guess.'),
        ("password123", "This is a very common password."),
        ("qwertyuiop", "This is a top-100 common password."),
        ("abcdefghijk", 'Sequences like "abc" or "6543" are easy to guess.'),
        ("mayarecords", "Add another word or two."),
        ("maya@example.com", "Add another word or two."),
    ],
)
def test_guessable_passwords_are_refused_with_advice(password: str, advice: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_new_password(password, user_inputs=ME)
    assert refused.value.message.startswith("The password is too easy to guess.")
    assert advice in refused.value.message
    assert refused.value.field == "password"
    assert refused.value.extra["reason"] == "weak_password"


def test_passphrases_and_random_strings_pass() -> None:
    for password in ("correct horse battery", "a brand new passphrase", "t7#Vq!x2Lr9@"):
        assert check_new_password(password, user_inputs=ME) == password


def test_length_limits_come_first() -> None:
    with pytest.raises(InvalidInput, match=f"at least {MIN_PASSWORD_LENGTH}"):
        check_new_password("Zq!8", field="new_password")
    with pytest.raises(InvalidInput, match=f"at most {MAX_PASSWORD_LENGTH}"):
        check_new_password("correct horse battery " * 100)


def test_a_long_password_is_scored_on_its_start_and_quickly() -> None:
    started = time.perf_counter()
    with pytest.raises(InvalidInput, match="too easy to guess"):
        check_new_password("a" * MAX_PASSWORD_LENGTH)
    check_new_password("correct horse battery " + "a" * 1000)
    assert time.perf_counter() - started < 1


@settings(max_examples=300, deadline=500)
@given(
    password=st.one_of(st.text(max_size=30), st.text(min_size=10, max_size=1100)),
    inputs=st.lists(st.text(max_size=400), max_size=3),
)
def test_any_string_is_accepted_or_cleanly_refused(password: str, inputs: list[str]) -> None:
    outcome: str | InvalidInput
    try:
        outcome = check_new_password(password, user_inputs=inputs)
    except InvalidInput as refused:
        outcome = refused
    if isinstance(outcome, InvalidInput):
        assert outcome.field == "password"
        assert outcome.message.startswith("The password ")
    else:
        assert outcome == password
