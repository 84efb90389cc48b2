"""A 1:N in-memory index: which masters might a query come from, best first.

Design (see docs/matching.md for sizing):

* Every master value is posted under its top :data:`KEY_BITS` bits with (slot, position).
  Chromaprint values survive lossy coding largely intact (60-90 % of values keep their top 20
  bits through MP3 64k, Opus 48k or 20 dB of noise), so a 120 s query finds hundreds of exact
  key hits in its true master while a random master collects a handful.
* Votes are counted per (master, offset), so hits must agree on one alignment; the best few
  masters are then verified with the full comparison (exact BER at the voted offset).
* Postings live in immutable sorted segments (LSM style): ``add`` buffers, the next search
  seals the buffer into a small segment, and segments of similar size are merged, so adding
  one master never rebuilds the whole index and the number of segments stays logarithmic.
  ``remove`` is a tombstone, dropped at the next merge.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from soundseal.audio import SILENCE_VALUE, Fingerprint
from soundseal.matching.comparison import Comparison, verify_offsets

__all__ = ["KEY_BITS", "FingerprintIndex", "SearchHit"]

KEY_BITS = 20
_KEY_SHIFT = 32 - KEY_BITS
_MAX_POSITION = 2**16 - 1  # positions are stored as uint16: 2.25 h of audio per master
_TABLE_MIN_ENTRIES = 1 << 22  # above this, a dense key table is cheaper than sorted keys
_MIN_VOTES = 2
_VERIFY_EXTRA = 8  # verify this many candidates beyond ``limit``


@dataclass(frozen=True, slots=True)
class SearchHit:
    key: Hashable
    score: float
    offset_ms: int
    comparison: Comparison


@dataclass(frozen=True, slots=True)
class _Master:
    key: Hashable
    fingerprint: Fingerprint


class _Segment:
    """Immutable postings of some masters, grouped by key."""

    def __init__(self, slots: list[int], masters: dict[int, _Master]) -> None:
        self.slots = frozenset(slots)
        keys_parts, slot_parts, pos_parts = [], [], []
        for slot in slots:
            values = masters[slot].fingerprint.values[: _MAX_POSITION + 1]
            pos = np.flatnonzero(values != np.uint32(SILENCE_VALUE))
            keys_parts.append(values[pos] >> np.uint32(_KEY_SHIFT))
            slot_parts.append(np.full(pos.size, slot, dtype=np.uint32))
            pos_parts.append(pos.astype(np.uint16))
        keys = np.concatenate(keys_parts) if keys_parts else np.zeros(0, np.uint32)
        order = np.argsort(keys, kind="stable")
        self.entry_slots = np.concatenate(slot_parts)[order] if slot_parts else keys
        self.entry_pos = np.concatenate(pos_parts)[order] if pos_parts else keys
        self.size = int(keys.size)
        self._keys: npt.NDArray[np.uint32] | None = None
        self._table: npt.NDArray[np.int64] | None = None
        if self.size >= _TABLE_MIN_ENTRIES:
            counts = np.bincount(keys, minlength=1 << KEY_BITS)
            self._table = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        else:
            self._keys = keys[order]

    def ranges(self, qkeys: npt.NDArray[np.uint32]) -> tuple[npt.NDArray[np.int64], ...]:
        if self._table is not None:
            return self._table[qkeys], self._table[qkeys + 1]
        assert self._keys is not None
        lo = np.searchsorted(self._keys, qkeys, side="left")
        hi = np.searchsorted(self._keys, qkeys, side="right")
        return lo.astype(np.int64), hi.astype(np.int64)


class FingerprintIndex:
    """Masters by key; :meth:`search` a query for the masters it most likely comes from.

    Safe to share between threads: one lock serialises mutations and searches (a search seals
    pending additions, so it mutates too).
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._masters: dict[int, _Master] = {}
        self._slot_of: dict[Hashable, int] = {}
        self._next_slot = 0
        self._segments: list[_Segment] = []
        self._pending: list[int] = []
        self._removed: set[int] = set()

    def __len__(self) -> int:
        return len(self._slot_of)

    def __contains__(self, key: object) -> bool:
        return key in self._slot_of

    def keys(self) -> Iterator[Hashable]:
        return iter(self._slot_of)

    def add(self, key: Hashable, fingerprint: Fingerprint) -> None:
        """Index ``fingerprint`` under ``key`` (replacing what the key held)."""
        with self._lock:
            if key in self._slot_of:
                self.remove(key)
            slot = self._next_slot
            self._next_slot += 1
            self._masters[slot] = _Master(key, fingerprint)
            self._slot_of[key] = slot
            self._pending.append(slot)

    def remove(self, key: Hashable) -> None:
        """Forget ``key``; raises ``KeyError`` if it is not indexed."""
        with self._lock:
            slot = self._slot_of.pop(key)
            del self._masters[slot]
            if slot in self._pending:
                self._pending.remove(slot)
            else:
                self._removed.add(slot)

    def get(self, key: Hashable) -> Fingerprint | None:
        slot = self._slot_of.get(key)
        return None if slot is None else self._masters[slot].fingerprint

    def _seal(self) -> None:
        if self._pending:
            self._segments.append(_Segment(self._pending, self._masters))
            self._pending = []
        # Merge while the newest segment is at least half the size of the one before it.
        while len(self._segments) > 1 and 2 * self._segments[-1].size >= self._segments[-2].size:
            newer, older = self._segments.pop(), self._segments.pop()
            live = sorted((older.slots | newer.slots) - self._removed)
            self._removed -= older.slots | newer.slots
            self._segments.append(_Segment(live, self._masters))

    def optimize(self) -> None:
        """Merge everything into one segment (after a bulk load)."""
        with self._lock:
            self._seal()
            if len(self._segments) > 1 or self._removed:
                self._segments = [_Segment(sorted(self._masters), self._masters)]
                self._removed.clear()

    def _votes(self, q: npt.NDArray[np.uint32]) -> tuple[npt.NDArray[np.int64], ...]:
        """(slot, offset, votes) of the best offset per master, most votes first."""
        qpos = np.flatnonzero(q != np.uint32(SILENCE_VALUE))
        qkeys = q[qpos] >> np.uint32(_KEY_SHIFT)
        slot_parts, off_parts = [], []
        for seg in self._segments:
            lo, hi = seg.ranges(qkeys)
            counts = hi - lo
            total = int(counts.sum())
            if total == 0:
                continue
            starts = np.repeat(lo - (np.cumsum(counts) - counts), counts)
            idx = starts + np.arange(total)
            slot_parts.append(seg.entry_slots[idx].astype(np.int64))
            off_parts.append(seg.entry_pos[idx].astype(np.int64) - np.repeat(qpos, counts))
        empty = np.zeros(0, np.int64)
        if not slot_parts:
            return empty, empty, empty
        slots = np.concatenate(slot_parts)
        offsets = np.concatenate(off_parts)
        if self._removed:
            alive = ~np.isin(slots, np.fromiter(self._removed, np.int64))
            slots, offsets = slots[alive], offsets[alive]
            if slots.size == 0:
                return empty, empty, empty
        # One integer per (slot, offset) so a single unique() counts the votes.
        span = int(q.size) + _MAX_POSITION + 1
        combo = slots * span + (offsets + q.size)
        uniq, votes = np.unique(combo, return_counts=True)
        best_first = np.lexsort((-votes, uniq // span))  # by slot, then most votes first
        uniq, votes = uniq[best_first], votes[best_first]
        slot_of = uniq // span
        first = np.concatenate([[True], slot_of[1:] != slot_of[:-1]])
        slot_of, uniq, votes = slot_of[first], uniq[first], votes[first]
        ranked = np.argsort(-votes, kind="stable")
        return slot_of[ranked], (uniq % span - q.size)[ranked], votes[ranked]

    def search(self, query: Fingerprint, limit: int = 5) -> list[SearchHit]:
        """The ``limit`` best masters for ``query``, best score first.

        Only masters whose keys voted for a common alignment are verified, so unrelated masters
        are not returned at all; apply :func:`~soundseal.matching.decide` to each hit.
        """
        with self._lock:
            self._seal()
            q = query.values
            if q.size == 0 or not self._masters:
                return []
            slots, offsets, votes = self._votes(q)
            keep = votes >= _MIN_VOTES
            hits: list[SearchHit] = []
            for slot, offset in zip(
                slots[keep][: limit + _VERIFY_EXTRA].tolist(),
                offsets[keep][: limit + _VERIFY_EXTRA].tolist(),
                strict=True,
            ):
                master = self._masters[slot]
                comparison = verify_offsets(
                    q, master.fingerprint.values, np.array([offset], dtype=np.intp)
                )
                hits.append(
                    SearchHit(master.key, comparison.score, comparison.offset_ms, comparison)
                )
            hits.sort(key=lambda h: -h.score)
            return hits[:limit]
