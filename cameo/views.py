from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from accounts.selectors.people import profile_get_for_viewer
from cameo import liveness, selectors
from cameo.forms import DecideForm, RecordForm, SettingsForm
from cameo.models import CameoVerification
from cameo.services import consent, verification
from cameo.uploads import ClipSizeLimit
from safety.limits import limit_wait, too_many
from safety.models import Report
from sora_site import refusals
from sora_site.text import checks_own_text

_CHALLENGE_KEY = "cameo_challenge"


def _challenge(request: HttpRequest, *, fresh: bool = False) -> tuple[str, ...]:
    """The steps this person must follow, kept in their session until a clip is sent."""
    stored = request.session.get(_CHALLENGE_KEY)
    if fresh or not stored:
        stored = list(liveness.new_challenge())
        request.session[_CHALLENGE_KEY] = stored
    return tuple(stored)


def _home_context(request: HttpRequest, **extra: object) -> dict[str, object]:
    user = request.user
    cameo = selectors.cameo_of(user=user)
    steps = _challenge(request)
    attempt = selectors.verification_latest(user=user)
    if cameo is None and attempt is not None and attempt.state == CameoVerification.State.PASSED:
        attempt = None  # the recording that verified a cameo since deleted
    context: dict[str, object] = {
        "cameo": cameo,
        "attempt": attempt,
        "deleted_at": selectors.cameo_deleted_at(owner=user) if cameo is None else None,
        "steps": steps,
        "step_phrases": liveness.challenge_text(steps),
        "record_form": RecordForm(initial={"display_name": cameo.display_name if cameo else ""}),
        "min_s": liveness.MIN_DURATION_S,
        "max_s": liveness.MAX_DURATION_S,
        "now": timezone.now(),
    }
    if cameo is not None:
        context |= {
            "settings_form": SettingsForm(instance=cameo),
            "requests": selectors.grant_requests_for_owner(owner=user),
            "grants": selectors.grants_for_owner(owner=user),
            "use_count": len(selectors.uses_of_cameo(owner=user)),
            "delete_at_stake": sum(selectors.videos_at_stake_by_creator(owner=user).values()),
        }
    return context | extra


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "cameo/home.html", _home_context(request))


@checks_own_text  # the body is read only after the clip's size limit is in place
@csrf_exempt
@login_required
@require_POST
def record(request: HttpRequest) -> HttpResponse:
    # The size limit goes in before anything reads the body, CSRF's check included.
    request.upload_handlers.insert(0, ClipSizeLimit(request, liveness.MAX_CLIP_BYTES))
    if (wait := limit_wait(request, "cameo-record")) is not None:
        messages.error(request, too_many(wait, "recordings"))
        return redirect("cameo:home")
    return _record(request)


@csrf_protect
def _record(request: HttpRequest) -> HttpResponse:
    form = RecordForm(request.POST, request.FILES)
    too_big = getattr(request, "clip_too_big", None)
    if too_big:
        form = RecordForm(request.POST)
        form.is_valid()
        form.errors.pop("clip", None)
        form.add_error("clip", liveness.TOO_BIG.format(mb=too_big / (1024 * 1024)))
    elif form.is_valid():
        try:
            verification.cameo_verification_start(
                owner=request.user,
                challenge=_challenge(request),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            _challenge(request, fresh=True)
            return redirect("cameo:home")
    return render(request, "cameo/home.html", _home_context(request, record_form=form), status=400)


@login_required
@require_POST
def new_steps(request: HttpRequest) -> HttpResponse:
    _challenge(request, fresh=True)
    return redirect("cameo:home")


@login_required
def attempt_status(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = selectors.verification_get_for_user(user=request.user, attempt_id=attempt_id)
    return render(request, "cameo/home.html#attempt-status", {"attempt": attempt})


def _own_cameo(request: HttpRequest) -> object:
    cameo = selectors.cameo_of(user=request.user)
    if cameo is None:
        raise Http404("You have no cameo yet.")
    return cameo


@login_required
@require_POST
def settings_update(request: HttpRequest) -> HttpResponse:
    form = SettingsForm(request.POST, instance=_own_cameo(request))
    if form.is_valid():
        try:
            consent.cameo_settings_update(owner=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Your cameo settings are saved.")
            return redirect("cameo:home")
    context = _home_context(request, settings_form=form)
    return render(request, "cameo/home.html", context, status=400)


def _receipt_message(request: HttpRequest, receipt: consent.TakedownReceipt, what: str) -> None:
    count = receipt.videos
    videos = "1 video" if count == 1 else f"{count} videos"
    messages.success(
        request, f"{what} {videos} taken down at {receipt.at:%H:%M:%S} UTC on {receipt.at:%d %b}."
    )


@login_required
@require_POST
def delete(request: HttpRequest) -> HttpResponse:
    _own_cameo(request)
    if request.POST.get("confirm") != "delete":
        messages.error(request, "Tick the box to confirm you want to delete your cameo.")
        return redirect("cameo:home")
    receipt = consent.cameo_delete(owner=request.user)
    _receipt_message(request, receipt, "Your cameo and its face data are deleted.")
    return redirect("cameo:home")


@login_required
@require_POST
def grant_decide(request: HttpRequest, grant_id: int) -> HttpResponse:
    form = DecideForm(request.POST)
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, " ".join(error))
        return redirect("cameo:home")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        grant = consent.cameo_grant_decide(
            owner=request.user,
            grant_id=grant_id,
            approve=approve,
            expires_in_days=form.cleaned_data["days"] if approve else None,
        )
    except ValidationError as exc:
        refusals.flash(request, exc)
    else:
        verb = "can now use" if approve else "won't be able to use"
        messages.success(request, f"@{grant.grantee.username} {verb} your cameo.")
    return redirect("cameo:home")


@login_required
@require_POST
def grant_revoke(request: HttpRequest, grant_id: int) -> HttpResponse:
    selectors.grant_get_for_owner(owner=request.user, grant_id=grant_id)
    # The same tick-to-confirm as deleting the cameo: revoking takes videos down at once.
    if request.POST.get("confirm") != "revoke":
        messages.error(request, "Tick the box to confirm you want to revoke this permission.")
        return redirect("cameo:home")
    try:
        receipt = consent.cameo_grant_revoke(owner=request.user, grant_id=grant_id)
    except ValidationError as exc:
        refusals.flash(request, exc)
    else:
        _receipt_message(request, receipt, "Permission revoked.")
    return redirect("cameo:home")


@login_required
@require_POST
def grant_request(request: HttpRequest, username: str) -> HttpResponse:
    owner = profile_get_for_viewer(viewer=request.user, username=username)
    if (wait := limit_wait(request, "cameo-ask")) is not None:
        messages.error(request, too_many(wait, "requests"))
        return redirect("profile", username=owner.username)
    cameo = selectors.cameo_of(user=owner)
    try:
        if cameo is None:
            raise ValidationError(f"@{owner.username} has no cameo.")
        consent.cameo_grant_request(requester=request.user, cameo_id=cameo.pk)
    except ValidationError as exc:
        refusals.flash(request, exc)
    else:
        messages.success(request, f"Asked @{owner.username}. You'll be notified of the answer.")
    return redirect("profile", username=owner.username)


@login_required
def videos_with_me(request: HttpRequest) -> HttpResponse:
    uses = selectors.uses_of_cameo(owner=request.user)
    holds = selectors.likeness_holds_for(owner=request.user)
    context = {
        "uses": uses,
        "holds": holds,
        "receipts": selectors.takedown_receipts_for(owner=request.user),
        "report_reasons": Report.Reason.choices,
    }
    return render(request, "cameo/videos.html", context)


@login_required
def use_detail(request: HttpRequest, use_id: int) -> HttpResponse:
    use = selectors.use_get_for_owner(owner=request.user, use_id=use_id)
    context = {"use": use, "job": use.job, "report_reasons": Report.Reason.choices}
    return render(request, "cameo/use.html", context)


@login_required
@require_POST
def use_decide(request: HttpRequest, use_id: int) -> HttpResponse:
    decision = request.POST.get("decision")
    if decision not in ("approve", "decline"):
        messages.error(request, "Choose approve or decline.")
        return redirect(
            "cameo:use", use_id=selectors.use_get_for_owner(owner=request.user, use_id=use_id).pk
        )
    approve = decision == "approve"
    try:
        consent.cameo_use_decide(owner=request.user, use_id=use_id, approve=approve)
    except ValidationError as exc:
        refusals.flash(request, exc)
    else:
        messages.success(
            request, "Approved: it can be published." if approve else "Declined and taken down."
        )
    return redirect("cameo:use", use_id=use_id)


@login_required
@require_POST
def use_take_down(request: HttpRequest, use_id: int) -> HttpResponse:
    try:
        receipt = consent.cameo_use_take_down(owner=request.user, use_id=use_id)
    except ValidationError as exc:
        refusals.flash(request, exc)
    else:
        _receipt_message(request, receipt, "Removed:")
    return redirect("cameo:use", use_id=use_id)
