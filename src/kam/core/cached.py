"""Work kept in Django's cache under a fingerprint of what it read.

A caller names what its result depends on (fingerprints of the rows it reads, the day, the
language, options); any change to one of them gives a new key, so a stale entry is never
read, only left to expire. One home for the key and the get-or-compute, used by the
relationships page, the map and my week.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

T = TypeVar("T")


def fingerprint_key(prefix: str, parts: tuple) -> str:
    """A cache key for ``parts`` (any values with a stable ``repr``)."""
    return f"kam:{prefix}:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def fingerprint_cached(prefix: str, parts: tuple, compute: Callable[[], T], *, seconds: int) -> T:
    """``compute()``'s result for ``parts``, from the cache while it is there."""
    return cache.get_or_set(fingerprint_key(prefix, parts), compute, timeout=seconds)
