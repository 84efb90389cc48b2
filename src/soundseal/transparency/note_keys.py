"""Signed-note keys: names, key IDs, and the Ed25519 verifier and signer keys of signed-note.

A note signature names its key twice, by a human-chosen name and by a 32-bit key ID hashed
from the name, the algorithm byte and the public key. Neither is a secret or a strong hash:
the pair only picks which configured key to try, so a verifier that parses a key string
recomputes the ID and refuses a key whose ID does not match, rather than carrying a
mislabelled key into every later check.

Keys travel as text: a verifier key (*vkey*) is `<name>+<hex key ID>+base64(0x01 || public
key)`, and a signer key is the same with a `PRIVATE+KEY+` prefix and the 32-byte Ed25519 seed
in place of the public key. The signing itself is `cryptography`'s Ed25519 (RFC 8032);
nothing here implements a primitive.

`Verifier` and `Signer` are what `note.py` needs of a key. Cosignature keys
(`cosignature.py`) satisfy the same two protocols with their own algorithm byte.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import ClassVar, Protocol, Self

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from soundseal.transparency.note_errors import MalformedKey
from soundseal.transparency.note_fields import decode_base64, encode_base64, is_valid_key_name

__all__ = [
    "ED25519",
    "ED25519_KEY_SIZE",
    "ED25519_SIGNATURE_SIZE",
    "NamedEd25519Key",
    "Signer",
    "SignerKey",
    "Verifier",
    "VerifierKey",
    "compute_key_id",
    "format_key_id",
    "format_vkey",
    "named_public_key",
    "parse_vkey",
]

ED25519 = 0x01  # the signed-note signature type byte of plain Ed25519 note signatures
ED25519_KEY_SIZE = 32
ED25519_SIGNATURE_SIZE = 64

_KEY_ID = re.compile(r"[0-9a-f]{8}\Z", re.ASCII)
_PRIVATE_PREFIX = "PRIVATE+KEY+"


class Verifier(Protocol):
    """A key that can check note signatures: the name and key ID it answers to, and the check."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> int: ...

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether `signature` (the bytes after the key ID) signs `message`, the note text."""
        ...


class Signer(Protocol):
    """A key that can sign note texts, with the name and key ID its signature lines carry."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> int: ...

    def sign(self, message: bytes) -> bytes:
        """The signature over `message` (the note text), without the key ID in front."""
        ...


def compute_key_id(name: str, algorithm: int, public_key: bytes) -> int:
    """SHA-256(name || 0x0A || algorithm || public key)[:4], read as a big-endian uint32."""
    material = name.encode("utf-8") + b"\n" + bytes([algorithm]) + public_key
    return int.from_bytes(hashlib.sha256(material).digest()[:4], "big")


def format_key_id(key_id: int) -> str:
    """A key ID as vkeys write it: eight lowercase hex digits."""
    return f"{key_id:08x}"


def format_vkey(name: str, algorithm: int, public_key: bytes) -> str:
    """`<name>+<hex key ID>+base64(algorithm || public key)`."""
    key_id = compute_key_id(name, algorithm, public_key)
    return f"{name}+{format_key_id(key_id)}+{encode_base64(bytes([algorithm]) + public_key)}"


def parse_vkey(text: str, algorithm: int, key_size: int) -> tuple[str, bytes]:
    """The name and public key of a vkey of type `algorithm` whose key is `key_size` bytes.

    Raises `MalformedKey` unless `text` has the three parts, a valid name, an algorithm byte
    of `algorithm`, a key of `key_size` bytes, and the key ID those three hash to.
    """
    name, key_id, key = _split_key(text, "verifier key")
    return name, _check_key(name, key_id, key, algorithm, key_size, key_id_of=key)


def _split_key(text: str, what: str) -> tuple[str, str, bytes]:
    # The name and key ID hold no '+'; the base64 key may.
    name, plus, rest = text.partition("+")
    key_id, plus_again, encoded = rest.partition("+")
    if not (plus and plus_again):
        raise MalformedKey(f"a {what} is a name, a key ID and a key, joined by '+'")
    if not is_valid_key_name(name):
        raise MalformedKey(f"the {what}'s name is empty or holds a space or control character")
    decoded = decode_base64(encoded)
    if decoded is None:
        raise MalformedKey(f"the {what}'s key is not canonical base64")
    return name, key_id, decoded


def _check_key(
    name: str, key_id: str, key: bytes, algorithm: int, key_size: int, *, key_id_of: bytes
) -> bytes:
    """`key` less its algorithm byte, once that byte, the length and the key ID are right.

    `key_id_of` is the algorithm byte and public key the ID is hashed from (for a signer key
    it differs from `key`, which holds the seed).
    """
    if not key or key[0] != algorithm:
        raise MalformedKey(f"the key is not of signature type {algorithm:#04x}")
    if len(key) != 1 + key_size:
        raise MalformedKey(f"the key is not {key_size} bytes long")
    if not _KEY_ID.match(key_id):
        raise MalformedKey("the key ID is not eight lowercase hex digits")
    if int(key_id, 16) != compute_key_id(name, algorithm, key_id_of[1:]):
        raise MalformedKey("the key ID does not match the key's name and public key")
    return key[1:]


def named_public_key(name: str, public_key: bytes) -> Ed25519PublicKey:
    """The Ed25519 key of a verifier key named `name`, once name and key are well formed
    (note keys and cosignature keys alike)."""
    if not is_valid_key_name(name):
        raise MalformedKey("a key name is non-empty, without spaces, '+' or control characters")
    if len(public_key) != ED25519_KEY_SIZE:
        raise MalformedKey(f"an Ed25519 public key is {ED25519_KEY_SIZE} bytes")
    try:
        return Ed25519PublicKey.from_public_bytes(public_key)
    except ValueError as exc:
        raise MalformedKey("not an Ed25519 public key") from exc


def _public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True)
class NamedEd25519Key:
    """A verifier key text's parts: a name and a 32-byte Ed25519 public key, under the
    signature type byte `ALGORITHM` of its subclass (a note key, a cosignature key)."""

    ALGORITHM: ClassVar[int]

    name: str
    public_key: bytes
    _key: Ed25519PublicKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_key", named_public_key(self.name, self.public_key))

    @classmethod
    def parse(cls, text: str) -> Self:
        """The key `text` spells as `<name>+<hex key ID>+base64(<type> || public key)`."""
        name, public_key = parse_vkey(text, cls.ALGORITHM, ED25519_KEY_SIZE)
        return cls(name, public_key)

    @property
    def key_id(self) -> int:
        return compute_key_id(self.name, self.ALGORITHM, self.public_key)

    def format(self) -> str:
        """The vkey text `parse` reads."""
        return format_vkey(self.name, self.ALGORITHM, self.public_key)

    def __str__(self) -> str:
        return self.format()


@dataclass(frozen=True)
class VerifierKey(NamedEd25519Key):
    """An Ed25519 note verifier key: a name and a 32-byte public key (RFC 8032 encoding)."""

    ALGORITHM: ClassVar[int] = ED25519

    def verify(self, message: bytes, signature: bytes) -> bool:
        if len(signature) != ED25519_SIGNATURE_SIZE:
            return False
        try:
            self._key.verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class SignerKey:
    """An Ed25519 note signer: a key name and the private key whose signatures carry it."""

    name: str
    private_key: Ed25519PrivateKey = field(repr=False, compare=False)
    public_key: bytes = field(init=False)

    def __post_init__(self) -> None:
        if not is_valid_key_name(self.name):
            raise MalformedKey("a key name is non-empty, without spaces, '+' or control characters")
        object.__setattr__(self, "public_key", _public_bytes(self.private_key.public_key()))

    @classmethod
    def generate(cls, name: str) -> SignerKey:
        """A signer with a new random key."""
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def parse(cls, text: str) -> SignerKey:
        """The key `text` spells as `PRIVATE+KEY+<name>+<hex key ID>+base64(0x01 || seed)`."""
        if not text.startswith(_PRIVATE_PREFIX):
            raise MalformedKey("a signer key starts with 'PRIVATE+KEY+'")
        name, key_id, key = _split_key(text[len(_PRIVATE_PREFIX) :], "signer key")
        if len(key) != 1 + ED25519_KEY_SIZE or key[0] != ED25519:
            raise MalformedKey("a signer key is the type byte 0x01 and a 32-byte Ed25519 seed")
        private_key = Ed25519PrivateKey.from_private_bytes(key[1:])
        public = bytes([ED25519]) + _public_bytes(private_key.public_key())
        _check_key(name, key_id, key, ED25519, ED25519_KEY_SIZE, key_id_of=public)
        return cls(name, private_key)

    @property
    def key_id(self) -> int:
        return compute_key_id(self.name, ED25519, self.public_key)

    def format(self) -> str:
        """The signer key text `parse` reads. It holds the secret seed."""
        seed = self.private_key.private_bytes_raw()
        key = encode_base64(bytes([ED25519]) + seed)
        return f"{_PRIVATE_PREFIX}{self.name}+{format_key_id(self.key_id)}+{key}"

    def verifier(self) -> VerifierKey:
        """The verifier key for this signer's signatures."""
        return VerifierKey(self.name, self.public_key)

    def sign(self, message: bytes) -> bytes:
        return self.private_key.sign(message)
