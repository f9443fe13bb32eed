"""Enqueueing fails fast when Valkey is away: the RQ connection has a connect timeout."""

from __future__ import annotations

import contextlib
import socket
import time

import django_rq
import pytest
import redis
from django.conf import settings
from redis.exceptions import RedisError

from sora_site import settings as site_settings


def test_every_queue_connects_with_a_short_timeout() -> None:
    for name in settings.RQ_QUEUES:
        kwargs = django_rq.get_connection(name).connection_pool.connection_kwargs
        assert kwargs["socket_connect_timeout"] == 0.25, name


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("redis://valkey:6379/0", "redis://valkey:6379/0?socket_connect_timeout=0.25"),
        (
            "unix:///var/valkey.sock?db=0",
            "unix:///var/valkey.sock?db=0&socket_connect_timeout=0.25",
        ),
        ("redis://h/0?socket_connect_timeout=2", "redis://h/0?socket_connect_timeout=2"),
    ],
)
def test_the_timeout_joins_the_url_without_replacing_an_operators_own(
    url: str, expected: str
) -> None:
    assert site_settings._with_connect_timeout(url) == expected


def test_a_connection_to_a_valkey_that_never_answers_gives_up_within_a_second() -> None:
    # A listening socket whose accept queue is full stands in for a host that drops connections:
    # the kernel stops completing handshakes, so connect() waits until its timeout. django-rq
    # builds its connection from the URL in the same way.
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        port = server.getsockname()[1]
        fillers = []
        for _ in range(3):
            filler = socket.socket()
            filler.settimeout(0.3)
            with contextlib.suppress(OSError):
                filler.connect(("127.0.0.1", port))
            fillers.append(filler)
        url = site_settings._with_connect_timeout(f"redis://127.0.0.1:{port}/0")
        started = time.monotonic()
        with pytest.raises(RedisError, match="Timeout connecting"):
            redis.Redis.from_url(url, retry=None).ping()
        assert time.monotonic() - started < 1.5
        for filler in fillers:
            filler.close()
