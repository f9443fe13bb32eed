"""``manage.py age_gate ADDRESS``: is sign-up closed at an address by the under-13 gate, and
``--reopen --reason "..."`` opens it again before its day is out."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import age_gate


class Command(BaseCommand):
    help = (
        "Say whether sign-ups from an address are closed by the under-13 age gate; with "
        "--reopen and --reason, open them again (the reason goes into the moderation log)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("address", help="The IP address people sign up from.")
        parser.add_argument("--reopen", action="store_true", help="Open sign-ups again.")
        parser.add_argument("--reason", default="", help="Why (required with --reopen).")

    def handle(self, *args: Any, address: str, reopen: bool, reason: str, **options: Any) -> None:
        hours = age_gate.AGE_GATE_HOURS
        if not reopen:
            closed = age_gate.age_gate_address_closed(address=address)
            state = (
                f"closed: a birthdate under 13 was given from it in the last {hours} hours"
                if closed
                else "open"
            )
            self.stdout.write(f"Sign-ups from {address} are {state}.")
            return
        try:
            cleared = age_gate.age_gate_reopen(address=address, reason=reason)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        if not cleared:
            self.stdout.write(f"Sign-ups from {address} were not closed; nothing changed.")
            return
        self.stdout.write(
            f"Sign-ups from {address} are open again. A browser that was refused keeps its own "
            f"{hours}-hour block."
        )
