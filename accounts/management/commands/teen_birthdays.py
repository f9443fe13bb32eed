from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from accounts.services.teens import teen_birthdays_run


class Command(BaseCommand):
    help = (
        "Lift teen protections from everyone who has turned 18 (run it daily, e.g. from cron). "
        "Logins catch birthdays in between, so a missed run only delays the notification."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        lifted = teen_birthdays_run()
        for user in lifted:
            self.stdout.write(f"@{user.username} turned 18: teen protections lifted.")
        self.stdout.write(self.style.SUCCESS(f"{len(lifted)} account(s) turned 18."))
