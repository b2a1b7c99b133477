"""A small thread-safe least-recently-used cache, per process, for values derived from data
(charts, compliance counts, quarter models). Keys must change when the data does; values
must not be mutated by callers."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")
_MISSING = object()


class Lru(Generic[V]):
    """At most ``size`` entries, and with ``weigh`` (a value's cost, e.g. its bytes) at most
    ``max_weight`` in all; the least recently used goes first. A value heavier than
    ``max_weight`` on its own is returned but not kept."""

    def __init__(
        self,
        size: int,
        max_weight: int | None = None,
        weigh: Callable[[V], int] | None = None,
    ) -> None:
        self.size = size
        self.max_weight = max_weight
        self._weigh = weigh
        self._entries: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._weight = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable, default: V | None = None) -> V | None:
        """The value under ``key`` (now the most recently used), or ``default``."""
        with self._lock:
            entry = self._entries.get(key, _MISSING)
            if entry is _MISSING:
                return default
            self._entries.move_to_end(key)
            return entry[0]  # type: ignore[index]

    def put(self, key: Hashable, value: V) -> None:
        weight = self._weigh(value) if self._weigh is not None else 0
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._weight -= old[1]
            if self.max_weight is not None and weight > self.max_weight:
                return
            self._entries[key] = (value, weight)
            self._weight += weight
            while len(self._entries) > self.size or (
                self.max_weight is not None and self._weight > self.max_weight
            ):
                _key, (_value, dropped) = self._entries.popitem(last=False)
                self._weight -= dropped

    def get_or_make(self, key: Hashable, make: Callable[[], V]) -> V:
        """The value under ``key``; on a miss ``make()`` runs outside the lock (two threads
        may both make it; the last one stored wins) and its result, None included, is kept."""
        found = self.get(key, _MISSING)  # type: ignore[arg-type]
        if found is not _MISSING:
            return found  # type: ignore[return-value]
        value = make()
        self.put(key, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._weight = 0

    @property
    def weight(self) -> int:
        """The summed weight of the values kept (0 without ``weigh``)."""
        with self._lock:
            return self._weight

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


class IdentityMemo(Generic[V]):
    """Values derived from objects held in memory (costly to hash, or not hashable), found by
    the objects' identities and an ``extra`` key; at most ``size`` kept, least recently used
    first out. An entry keeps its objects alive, so their ids cannot be reused meanwhile."""

    def __init__(self, size: int) -> None:
        self._cache: Lru[tuple[tuple[object, ...], V]] = Lru(size)

    def get_or_make(self, objects: tuple[object, ...], extra: Hashable, make: Callable[[], V]) -> V:
        key = (tuple(id(o) for o in objects), extra)
        entry = self._cache.get(key)
        if entry is not None and all(a is b for a, b in zip(entry[0], objects, strict=True)):
            return entry[1]
        value = make()
        self._cache.put(key, (objects, value))
        return value

    def clear(self) -> None:
        self._cache.clear()
