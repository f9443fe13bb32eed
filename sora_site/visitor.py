"""A visitor to a running site, for the benchmarks and the ./run test: cookies and CSRF tokens,
over plain HTTP with the standard library, as a browser's form posts would send them."""

from __future__ import annotations

import http.cookiejar
import urllib.parse
import urllib.request


class Visitor:
    """Just enough of a browser: it keeps the site's cookies and answers its CSRF check."""

    def __init__(self, base: str, *, timeout: float = 60) -> None:
        self.base = base
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get_bytes(self, path: str) -> bytes:
        with self.opener.open(self.base + path, timeout=self.timeout) as resp:
            return resp.read()

    def get(self, path: str) -> str:
        return self.get_bytes(path).decode()

    def post(self, path: str, data: dict[str, str]) -> str:
        """Post a form the way a page would; returns the URL the answer ended at."""
        token = next(c.value for c in self.jar if c.name == "csrftoken")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(
            self.base + path, data=body, headers={"Referer": self.base + path}
        )
        with self.opener.open(request, timeout=self.timeout) as resp:
            return resp.geturl()

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)
