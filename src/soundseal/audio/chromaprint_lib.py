"""A thin ``ctypes`` binding to the system's libchromaprint.

Fingerprints must be bit-identical to what ``fpcalc`` and AcoustID compute, so we call the real
library rather than re-implementing the algorithm. Only the handful of functions the audio core
needs are bound; each call's status is checked and turned into :class:`FingerprintError`.

The library's fingerprint *decoder* is deliberately not bound: it reads past its buffers on
crafted strings, so compressed strings from outside are decoded by
:mod:`soundseal.audio.compressed` instead. ``chromaprint_encode`` only ever sees arrays of
uint32 values; the wire codec uses the pure encoder, and tests hold the two to the same bytes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import numpy.typing as npt

from soundseal.audio.errors import FingerprintError

__all__ = [
    "ALGORITHM_DEFAULT",
    "ChromaprintSession",
    "chromaprint_encode",
    "chromaprint_session",
]

# CHROMAPRINT_ALGORITHM_DEFAULT (TEST2): the algorithm fpcalc and AcoustID use.
ALGORITHM_DEFAULT = 1

_LIBRARY_NAMES = ("chromaprint", "libchromaprint.so.1", "libchromaprint.1.dylib")

_c_uint32_p = ctypes.POINTER(ctypes.c_uint32)


@functools.cache
def _library() -> ctypes.CDLL:
    candidates = [ctypes.util.find_library("chromaprint"), *_LIBRARY_NAMES[1:]]
    last_error: OSError | None = None
    for name in candidates:
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
        except OSError as exc:
            last_error = exc
            continue
        _declare(lib)
        return lib
    raise FingerprintError("libchromaprint is not installed (libchromaprint.so.1)") from last_error


def _declare(lib: ctypes.CDLL) -> None:
    lib.chromaprint_new.argtypes = [ctypes.c_int]
    lib.chromaprint_new.restype = ctypes.c_void_p
    lib.chromaprint_free.argtypes = [ctypes.c_void_p]
    lib.chromaprint_free.restype = None
    lib.chromaprint_start.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
    lib.chromaprint_start.restype = ctypes.c_int
    lib.chromaprint_feed.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
    lib.chromaprint_feed.restype = ctypes.c_int
    lib.chromaprint_finish.argtypes = [ctypes.c_void_p]
    lib.chromaprint_finish.restype = ctypes.c_int
    lib.chromaprint_get_raw_fingerprint.argtypes = [
        ctypes.c_void_p,
        ctypes.POINTER(_c_uint32_p),
        ctypes.POINTER(ctypes.c_int),
    ]
    lib.chromaprint_get_raw_fingerprint.restype = ctypes.c_int
    lib.chromaprint_dealloc.argtypes = [ctypes.c_void_p]
    lib.chromaprint_dealloc.restype = None
    lib.chromaprint_encode_fingerprint.argtypes = [
        _c_uint32_p,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.POINTER(ctypes.c_char_p),
        ctypes.POINTER(ctypes.c_int),
        ctypes.c_int,
    ]
    lib.chromaprint_encode_fingerprint.restype = ctypes.c_int


class ChromaprintSession:
    """One started chromaprint context: feed interleaved int16 PCM, then :meth:`finish`."""

    def __init__(self, lib: ctypes.CDLL, ctx: int) -> None:
        self._lib = lib
        self._ctx = ctx

    def feed(self, pcm: npt.NDArray[np.int16]) -> None:
        """Feed interleaved samples (all channels); the array must be C-contiguous int16."""
        if pcm.size == 0:
            return
        if pcm.dtype != np.int16 or not pcm.flags.c_contiguous:
            raise FingerprintError("chromaprint needs C-contiguous int16 PCM")
        if not self._lib.chromaprint_feed(self._ctx, pcm.ctypes.data, int(pcm.size)):
            raise FingerprintError("chromaprint_feed failed")

    def finish(self) -> npt.NDArray[np.uint32]:
        """Flush the context and return the raw fingerprint as a fresh uint32 array."""
        if not self._lib.chromaprint_finish(self._ctx):
            raise FingerprintError("chromaprint_finish failed")
        data = _c_uint32_p()
        size = ctypes.c_int(0)
        if not self._lib.chromaprint_get_raw_fingerprint(
            self._ctx, ctypes.byref(data), ctypes.byref(size)
        ):
            raise FingerprintError("chromaprint_get_raw_fingerprint failed")
        try:
            if size.value <= 0:
                return np.zeros(0, dtype=np.uint32)
            return np.ctypeslib.as_array(data, shape=(size.value,)).astype(np.uint32, copy=True)
        finally:
            self._lib.chromaprint_dealloc(data)


@contextmanager
def chromaprint_session(
    sample_rate: int, channels: int, algorithm: int = ALGORITHM_DEFAULT
) -> Iterator[ChromaprintSession]:
    """A started context, freed on exit however the block ends."""
    lib = _library()
    ctx = lib.chromaprint_new(algorithm)
    if not ctx:
        raise FingerprintError(f"chromaprint_new({algorithm}) failed")
    try:
        if not lib.chromaprint_start(ctx, sample_rate, channels):
            raise FingerprintError(
                f"chromaprint_start refused {sample_rate} Hz with {channels} channel(s)"
            )
        yield ChromaprintSession(lib, ctx)
    finally:
        lib.chromaprint_free(ctx)


def chromaprint_encode(values: npt.NDArray[np.uint32], algorithm: int = ALGORITHM_DEFAULT) -> str:
    """Chromaprint's compressed, URL-safe base64 string for raw ``values``."""
    lib = _library()
    arr = np.ascontiguousarray(values, dtype=np.uint32)
    out = ctypes.c_char_p()
    out_size = ctypes.c_int(0)
    ok = lib.chromaprint_encode_fingerprint(
        arr.ctypes.data_as(_c_uint32_p),
        int(arr.size),
        algorithm,
        ctypes.byref(out),
        ctypes.byref(out_size),
        1,
    )
    if not ok or not out.value:
        raise FingerprintError("chromaprint_encode_fingerprint failed")
    try:
        return ctypes.string_at(out, out_size.value).decode("ascii")
    finally:
        lib.chromaprint_dealloc(ctypes.cast(out, ctypes.c_void_p))
