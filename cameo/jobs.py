"""RQ entry points for cameos. Each takes IDs only and calls a service."""

from __future__ import annotations

from cameo.services import verification


def verify_cameo(attempt_id: int) -> str:
    return verification.cameo_verification_run(attempt_id=attempt_id).state
