"""libchromaprint's own fingerprint encoder, bound with ``ctypes``: the reference that
:mod:`soundseal.audio.compressed` is held to, byte for byte.

It lives with the tests because the server never loads libchromaprint: fingerprints come from
``fpcalc`` or FFmpeg in limited child processes, and compressed strings from outside are decoded
by the bounds-checked pure decoder (libchromaprint 1.5's decoder reads past its buffers on
crafted strings, so it is not bound here either). The encoder only ever sees arrays of uint32.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

import numpy as np
import numpy.typing as npt

__all__ = ["ALGORITHM_DEFAULT", "chromaprint_encode"]

# CHROMAPRINT_ALGORITHM_DEFAULT (TEST2): the algorithm fpcalc and AcoustID use.
ALGORITHM_DEFAULT = 1

_c_uint32_p = ctypes.POINTER(ctypes.c_uint32)


@functools.cache
def _library() -> ctypes.CDLL:
    name = ctypes.util.find_library("chromaprint") or "libchromaprint.so.1"
    lib = ctypes.CDLL(name)
    lib.chromaprint_encode_fingerprint.argtypes = [
        _c_uint32_p,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.POINTER(ctypes.c_char_p),
        ctypes.POINTER(ctypes.c_int),
        ctypes.c_int,
    ]
    lib.chromaprint_encode_fingerprint.restype = ctypes.c_int
    lib.chromaprint_dealloc.argtypes = [ctypes.c_void_p]
    lib.chromaprint_dealloc.restype = None
    return lib


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
        raise RuntimeError("chromaprint_encode_fingerprint failed")
    try:
        return ctypes.string_at(out, out_size.value).decode("ascii")
    finally:
        lib.chromaprint_dealloc(ctypes.cast(out, ctypes.c_void_p))
