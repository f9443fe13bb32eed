"""The age gate: once a sign-up gives a birthdate under 13, sign-ups from that browser and that
address are refused for a day, with the same sentence, so trying again with an older birthdate
doesn't open an account (as TikTok and Instagram do).

The browser is remembered by a signed cookie the sign-up page sets; the address by a keyed hash
in ``AgeGateRefusal``. Each refusal, the first and every retry, writes a row in the moderation
audit log with no personal data: not the birthdate, handle, email or address. An address can be
shared (a school, a household), so everyone behind it waits the day out too; that is the price of
a gate that a changed cookie alone can't reopen.

It sits above ``safety`` (it writes the audit row), beside the views that use it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import MIN_AGE, AgeGateRefusal
from safety.models import ModerationAction

AGE_GATE_HOURS = 24
AGE_GATE_COOKIE = "sora_age_gate"
AGE_GATE_SALT = "accounts.age_gate"
FIRST_REASON = f"A sign-up was refused: the birthdate given was under {MIN_AGE}."
RETRY_REASON = (
    f"A sign-up was refused: this browser or address gave a birthdate under {MIN_AGE} in the "
    f"last {AGE_GATE_HOURS} hours."
)


def address_digest(address: str) -> str:
    """The keyed hash kept instead of the address (it changes if SECRET_KEY does). An IPv6
    address counts by its /64, as the sign-up rate limit does: a device picks new addresses
    within its network at will."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        network = address.strip()
    else:
        network = str(ipaddress.ip_network(f"{ip}/{64 if ip.version == 6 else 32}", strict=False))
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"age-gate:{network}".encode(), hashlib.sha256).hexdigest()


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=AGE_GATE_HOURS)


def age_gate_closed(*, address: str, browser_refused: bool) -> bool:
    """Whether sign-ups are refused here: the browser carries the gate's cookie, or the address
    gave a birthdate under 13 within the day."""
    if browser_refused:
        return True
    return AgeGateRefusal.objects.filter(
        address_digest=address_digest(address), created_at__gt=_window_start()
    ).exists()


@transaction.atomic
def age_gate_refusal_record(*, address: str, retry: bool) -> ModerationAction:
    """Record a refused sign-up: the address is remembered for the day (a retry doesn't
    lengthen it), and the audit log gets its row, both in one transaction."""
    start = _window_start()
    AgeGateRefusal.objects.filter(created_at__lte=start).delete()
    digest = address_digest(address)
    if not AgeGateRefusal.objects.filter(address_digest=digest, created_at__gt=start).exists():
        AgeGateRefusal.objects.create(address_digest=digest)
    return ModerationAction.objects.create(
        moderator=None,
        kind=ModerationAction.Kind.AGE_GATE,
        reason=RETRY_REASON if retry else FIRST_REASON,
    )


def age_gate_address_closed(*, address: str) -> bool:
    """Whether sign-ups from ``address`` are refused now, for an operator's question."""
    return age_gate_closed(address=address, browser_refused=False)


@transaction.atomic
def age_gate_reopen(*, address: str, reason: str) -> int:
    """An operator reopens sign-ups from one address before its day is out: a school or a
    household whose adult was shut out by a child's attempt. The refused browser's own cookie
    is not touched. Writes an audit row with the operator's reason (never the address); returns
    how many records were cleared (0 when the address was not closed, and then nothing is
    written)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError("Say why sign-ups from this address are reopened.")
    cleared, _ = AgeGateRefusal.objects.filter(address_digest=address_digest(address)).delete()
    if cleared:
        ModerationAction.objects.create(
            moderator=None, kind=ModerationAction.Kind.AGE_GATE_REOPEN, reason=reason[:300]
        )
    return cleared
