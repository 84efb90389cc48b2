"""Hypothesis strategies for the transparency text formats: names, note texts, keys, edits."""

from __future__ import annotations

import string

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import strategies as st

# Key names: non-empty, no spaces, no '+', no control characters; some non-ASCII letters.
NAME_ALPHABET = string.ascii_letters + string.digits + "./-_:~é漢ß"
key_names = st.text(alphabet=NAME_ALPHABET, min_size=1, max_size=40)

# One line of note text: any Unicode but control characters, newlines and lone surrogates.
line_characters = st.characters(blacklist_categories=("Cc", "Cs"))
lines = st.text(alphabet=line_characters, max_size=60)
non_empty_lines = st.text(alphabet=line_characters, min_size=1, max_size=60)

# A note text: lines (empty ones included), each ending in a newline.
note_texts = st.lists(lines, min_size=1, max_size=8).map(lambda ls: "".join(x + "\n" for x in ls))

private_keys = st.binary(min_size=32, max_size=32).map(Ed25519PrivateKey.from_private_bytes)
hashes = st.binary(min_size=32, max_size=32)

# Anything at all, as text or bytes, for the parsers that must raise only their own errors.
any_text = st.one_of(st.text(), st.text(alphabet=string.printable), st.text(alphabet="—+= \n"))
any_input = st.one_of(any_text, st.binary())


@st.composite
def edited(draw: st.DrawFn, text: str) -> str:
    """`text` with a few characters deleted, inserted, replaced or duplicated."""
    alphabet = st.sampled_from("\n —+=/0aA9\x00\u2014\u00e9") | st.characters()
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["delete", "insert", "replace", "duplicate"]))
        if kind == "delete":
            text = text[:position] + text[position + 1 :]
        elif kind == "insert":
            text = text[:position] + draw(alphabet) + text[position:]
        elif kind == "replace":
            text = text[:position] + draw(alphabet) + text[position + 1 :]
        else:
            text = text[:position] + text[position : position + 8] + text[position:]
    return text
