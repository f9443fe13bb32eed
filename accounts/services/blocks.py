"""Blocking someone: the block cascade.

A block ends any follow between the two and consent to use each other's cameo, so videos either made
with the other's cameo come down. That reaches cameo consent and takedown, so the cascade sits on
top (as account deletion in ``accounts.services.deletion`` does), not in
``accounts.services.users``, which every app's services import.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Block, Follow, User
from cameo.services.consent import cameo_uses_end_for_block


@transaction.atomic
def block_create(*, blocker: User, blocked: User) -> Block:
    """Block someone: any follow between the two ends, and so does consent to use each other's
    cameo, so videos either made with the other's cameo come down."""
    if blocker.pk == blocked.pk:
        raise ValidationError("You can't block yourself.")
    Follow.objects.filter(follower=blocker, followee=blocked).delete()
    Follow.objects.filter(follower=blocked, followee=blocker).delete()
    block, _ = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    cameo_uses_end_for_block(blocker=blocker, blocked=blocked)
    return block
