from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User


class Command(BaseCommand):
    help = "Let an existing user into Django admin as a member of the moderators group."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--remove", action="store_true", help="Take moderator access away.")

    def handle(self, *args: Any, username: str, remove: bool, **options: Any) -> None:
        try:
            user = User.objects.get(username__iexact=username)
        except User.DoesNotExist:
            raise CommandError(f"No user called {username!r}.") from None
        group = Group.objects.get(name="moderators")
        if remove:
            user.groups.remove(group)
            user.is_staff = user.is_superuser
        else:
            user.groups.add(group)
            user.is_staff = True
        user.save(update_fields=["is_staff"])
        state = "no longer a moderator" if remove else "a moderator (admin at /admin/)"
        self.stdout.write(f"@{user.username} is now {state}.")
