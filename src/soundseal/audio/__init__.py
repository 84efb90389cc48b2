"""The audio core: decoding, file hashing, Chromaprint fingerprints and their wire formats.

Pure library code: no HTTP, no database. See :mod:`soundseal.audio.errors` for the exception
tree.
"""

from soundseal.audio.codec import (
    DEFAULT_ENCODING,
    FingerprintEncoding,
    decode_values,
    encode_values,
)
from soundseal.audio.decoding import DecodedAudio, PcmStream, decode_audio, open_pcm_stream
from soundseal.audio.diversity import DiversityReport, ensure_sufficient_audio, measure_diversity
from soundseal.audio.errors import (
    AudioError,
    AudioTooLong,
    DecodeError,
    FingerprintEncodingError,
    FingerprintError,
    InsufficientAudio,
    UnsupportedContainer,
    UnsupportedMedia,
)
from soundseal.audio.fingerprint import (
    ALGORITHM_NAME,
    DEFAULT_QUERY_LENGTH_S,
    ENGINES,
    ITEM_MS,
    SILENCE_VALUE,
    Fingerprint,
    fingerprint_file,
    fingerprint_pcm,
)
from soundseal.audio.hashing import sha256_file

__all__ = [
    "ALGORITHM_NAME",
    "DEFAULT_ENCODING",
    "DEFAULT_QUERY_LENGTH_S",
    "ENGINES",
    "ITEM_MS",
    "SILENCE_VALUE",
    "AudioError",
    "AudioTooLong",
    "DecodeError",
    "DecodedAudio",
    "DiversityReport",
    "Fingerprint",
    "FingerprintEncoding",
    "FingerprintEncodingError",
    "FingerprintError",
    "InsufficientAudio",
    "PcmStream",
    "UnsupportedContainer",
    "UnsupportedMedia",
    "decode_audio",
    "decode_values",
    "encode_values",
    "ensure_sufficient_audio",
    "fingerprint_file",
    "fingerprint_pcm",
    "measure_diversity",
    "open_pcm_stream",
    "sha256_file",
]
