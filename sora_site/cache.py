"""Django's Redis cache, keeping one client per connection pool, and answering while Valkey is away.

Django's ``RedisCacheClient`` builds a new ``redis.Redis`` for every cache call, and each one
fills a table of about 170 response callbacks: a quarter of a millisecond, two or three times
on every signed-in page (the session, the feed's ranking ahead). A client is thread-safe and
only wraps its pool, so one per pool serves every call.

Nothing the cache holds is the only copy: sessions are in the database, the feed ranks again,
and rate limits can count elsewhere. So when the server can't be reached (restarting, gone, or
too slow to answer within the socket timeouts in settings), a read answers as a miss and a write
is dropped instead of turning the page into a 500, and a WARNING goes to the log at most once a
minute. For a second after a failure the server isn't asked at all. With ``OPTIONS["FALLBACK"]``
naming another cache, calls go there instead of answering as misses. Keys whose write or delete
was lost are deleted as soon as the server answers again, so nobody reads a copy older than the
database (a session that has since signed out).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import BaseCache, caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

# Errors that mean "the server is not there right now". Anything else (a wrong command, a full
# server refusing writes) is a bug or a misconfiguration and still raises.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
WARN_EVERY_SECONDS = 60.0
# After a failure the server is left alone this long, so a frozen one costs a process one socket
# timeout a second rather than one per call.
RETRY_AFTER_SECONDS = 1.0
# Lost writes remembered per process; past this, the oldest copies may be read once back.
MAX_STALE_KEYS = 10_000


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS", {}))
        self._fallback_alias: str | None = options.pop("FALLBACK", None)
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = RedisCacheClient
        self._lock = threading.Lock()
        self._stale: set[str] = set()
        self._warned_at = -WARN_EVERY_SECONDS
        self._failures = 0
        self._retry_at = 0.0
        self._error: Exception | None = None

    # --- The cache API, each call answering without the server --------------------------------

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        return self._soft("add", False, key, value, timeout, version)

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._soft("get", default, key, default, version)

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        lost = [self.make_key(key, version)]
        return self._soft("set", None, key, value, timeout, version, lost=lost)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._soft("touch", False, key, timeout, version)

    def delete(self, key: Any, version: Any = None) -> bool:
        return self._soft("delete", False, key, version, lost=[self.make_key(key, version)])

    def get_many(self, keys: Iterable[Any], version: Any = None) -> dict[Any, Any]:
        keys = list(keys)
        return self._soft("get_many", {}, keys, version)

    def has_key(self, key: Any, version: Any = None) -> bool:
        return self._soft("has_key", False, key, version)

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        missing = object()
        lost = [self.make_key(key, version)]
        value = self._soft("incr", missing, key, delta, version, lost=lost)
        if value is missing:
            # What Django's caches say for a key that isn't there, which is how it looks now.
            raise ValueError(f"Key {key!r} not found: the cache can't be reached.")
        return value

    def set_many(
        self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> list[Any]:
        lost = [self.make_key(key, version) for key in data]
        return self._soft("set_many", list(data), data, timeout, version, lost=lost)

    def delete_many(self, keys: Iterable[Any], version: Any = None) -> None:
        keys = list(keys)
        lost = [self.make_key(key, version) for key in keys]
        return self._soft("delete_many", None, keys, version, lost=lost)

    def clear(self) -> bool:
        return self._soft("clear", False)

    # --- How a call degrades ------------------------------------------------------------------

    def _soft(self, name: str, default: Any, *args: Any, lost: Iterable[str] = ()) -> Any:
        """Call Django's ``name``; when the server is away, ask the fallback or answer
        ``default``, and remember the keys this call meant to change."""
        call: Callable[..., Any] = getattr(super(), name)
        if time.monotonic() >= self._retry_at:
            try:
                self._drop_stale()
                return call(*args)
            except UNREACHABLE as exc:
                self._error = exc
                self._retry_at = time.monotonic() + RETRY_AFTER_SECONDS
        self._note_failure(name, self._error, lost)
        if self._fallback_alias is None:
            return default
        fallback: BaseCache = caches[self._fallback_alias]
        return getattr(fallback, name)(*args)

    def _drop_stale(self) -> None:
        if not self._stale:
            return
        with self._lock:
            keys, self._stale = list(self._stale), set()
        try:
            self._cache.get_client(write=True).delete(*keys)
        except UNREACHABLE:
            with self._lock:
                self._stale.update(keys[: MAX_STALE_KEYS - len(self._stale)])
            raise
        log.warning("The cache answers again; dropped %d entries written while away", len(keys))

    def _note_failure(self, name: str, exc: Exception | None, lost: Iterable[str]) -> None:
        now = time.monotonic()
        with self._lock:
            room = MAX_STALE_KEYS - len(self._stale)
            self._stale.update(list(lost)[: max(room, 0)])
            self._failures += 1
            if now - self._warned_at < WARN_EVERY_SECONDS:
                return
            failures, self._failures, self._warned_at = self._failures, 0, now
        log.warning(
            "The cache at %s can't be reached (%s); %d call(s) since the last warning were %s, "
            "the last a %s.",
            ",".join(self._servers),
            exc,
            failures,
            f"answered by the {self._fallback_alias!r} cache"
            if self._fallback_alias
            else "answered as misses",
            name,
        )
