"""The visitor's address behind a trusted reverse proxy (``SORA_TRUSTED_PROXY``).

Behind nginx every request reaches gunicorn from the proxy's own address, so limits counted per
address (sign-ups, sign-ins) would count everyone together and lock them all out at once. The
proxy appends the address it saw to X-Forwarded-For; anything before that entry came from the
client and could be made up, so only the last entry counts. A request without a usable entry
(one that reached gunicorn around the proxy) counts under the address it came from.
"""

from __future__ import annotations

import ipaddress

from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    last = forwarded.rsplit(",", 1)[-1].strip()
    try:
        return str(ipaddress.ip_address(last))
    except ValueError:
        return request.META["REMOTE_ADDR"]
