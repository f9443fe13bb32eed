from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import ADULT_AGE, MIN_AGE, User, age_on


@transaction.atomic
def user_signup(*, username: str, email: str, password: str, birthdate: dt.date) -> User:
    """Create an account. Under 13 is refused; 13-17 makes a teen account."""
    age = age_on(birthdate, timezone.localdate())
    if age < MIN_AGE:
        raise ValidationError(
            {"birthdate": f"You must be at least {MIN_AGE} years old to use this app."}
        )
    user = User(username=username, email=email, birthdate=birthdate, is_teen=age < ADULT_AGE)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user
