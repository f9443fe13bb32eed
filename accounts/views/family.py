"""Pages for teen accounts, their parents, and everyone's own data.

``/accounts/teen/`` is the teen's: their settings (stricter only), the parent link, requests for
more time (htmx, polling until the parent answers) and the changes their parent made.
``/accounts/family/`` is the parent's dashboard. ``/accounts/data/`` exports or deletes an account.
Each view parses a form, calls one service and renders; refusals come back as sentences.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.forms import (
    DeleteAccountForm,
    ExtensionForm,
    LinkCodeForm,
    TeenSettingsForm,
    VideoAudienceForm,
)
from accounts.models import LimitExtensionRequest, ParentLink, TeenSettings
from accounts.selectors import export
from accounts.selectors import teens as sel
from accounts.services import deletion, teens
from sora_site import refusals

_DECISIONS = {"approve": True, "decline": False}


def _settings_initial(row: TeenSettings) -> dict[str, Any]:
    return {field: getattr(row, field) for field in teens.SETTING_FIELDS}


# --- The teen's page ----------------------------------------------------------------------------


def _teen_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    user = request.user
    context: dict[str, Any] = {
        "zone": str(sel.zone_of(user)),
        "is_teen": sel.is_teen_now(user),
        "changes": sel.parent_changes_for(teen=user, limit=10),
    }
    if context["is_teen"]:
        row = sel.teen_settings_of(user)
        context |= {
            "settings": row,
            "shown": [
                (teens.FIELD_LABELS[f], teens.shown_value(f, getattr(row, f)))
                for f in teens.SETTING_FIELDS
            ],
            "settings_form": TeenSettingsForm(initial=_settings_initial(row)),
            "link_form": LinkCodeForm(),
        } | _more_time_context(request)
    elif (row := TeenSettings.objects.filter(user=user).first()) is not None:
        # Someone who had a teen account chooses who can see their videos from 18 on.
        initial = {"videos_seen_by": row.videos_seen_by}
        context |= {"videos_row": row, "audience_form": VideoAudienceForm(initial=initial)}
    return context | extra


def _more_time_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    user = request.user
    return {
        "rules": sel.teen_rules(user),
        "link": sel.active_link_of(user),
        "extension": sel.extension_today(teen=user),
        "extension_form": ExtensionForm(),
    } | extra


def _teen_page(request: HttpRequest, status: int = 200, **extra: Any) -> HttpResponse:
    return render(request, "accounts/teen.html", _teen_context(request, **extra), status=status)


@login_required
@require_GET
def teen(request: HttpRequest) -> HttpResponse:
    teens.teen_birthday_check(user=request.user)
    return _teen_page(request)


@login_required
@require_GET
def teen_changes(request: HttpRequest) -> HttpResponse:
    changes = sel.parent_changes_for(teen=request.user)
    context = {"changes": changes, "zone": str(sel.zone_of(request.user))}
    return render(request, "accounts/teen_changes.html", context)


@login_required
@require_POST
def teen_link(request: HttpRequest) -> HttpResponse:
    form = LinkCodeForm(request.POST)
    if form.is_valid():
        try:
            link = teens.parent_link_accept(teen=request.user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            messages.success(
                request,
                f"You're linked to @{link.parent.username}. They can now change your teen "
                "settings, and every change they make shows on this page.",
            )
            return redirect("accounts:teen")
    return _teen_page(request, status=400, link_form=form)


@login_required
@require_POST
def teen_settings(request: HttpRequest) -> HttpResponse:
    form = TeenSettingsForm(request.POST)
    if form.is_valid():
        try:
            teens.teen_settings_tighten(teen=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Your settings are saved.")
            return redirect("accounts:teen")
    return _teen_page(request, status=400, settings_form=form)


@login_required
@require_POST
def videos_audience(request: HttpRequest) -> HttpResponse:
    """Someone who had a teen account chooses, from 18, who can see their videos."""
    form = VideoAudienceForm(request.POST)
    if form.is_valid():
        try:
            row = teens.videos_audience_choose(
                user=request.user, audience=form.cleaned_data["videos_seen_by"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Saved. {_AUDIENCE_SAVED[row.videos_seen_by]}")
            return redirect(f"{reverse('accounts:teen')}#videos")
    return _teen_page(request, status=400, audience_form=form)


_AUDIENCE_SAVED = {
    TeenSettings.Audience.FOLLOWING: "Only people you follow, and teens, can see your videos.",
    TeenSettings.Audience.EVERYONE: "Everyone can see your videos.",
}


@login_required
@require_POST
def teen_unlink(request: HttpRequest) -> HttpResponse:
    try:
        link = teens.parent_link_unlink_request(teen=request.user)
    except ValidationError as exc:
        return _teen_page(request, status=400, unlink_error=refusals.sentence(exc))
    messages.success(
        request, f"You asked @{link.parent.username} to unlink. You'll be told their answer."
    )
    return redirect("accounts:teen")


@login_required
@require_http_methods(["GET", "POST"])
def teen_more_time(request: HttpRequest) -> HttpResponse:
    """GET: the "more time" box as it stands (htmx polls it while a request waits).
    POST: ask the linked parent for more time today."""
    partial = "accounts/teen.html#more-time"
    if request.method == "GET":
        if not request.htmx:
            return redirect("accounts:teen")
        return render(request, partial, _more_time_context(request))
    form = ExtensionForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            teens.teen_extension_request(teen=request.user, minutes=form.cleaned_data["minutes"])
        except ValidationError as exc:
            error = refusals.sentence(exc)
    else:
        error = " ".join(form.errors["minutes"])
    if not request.htmx:
        if error:
            return _teen_page(request, status=400, more_time_error=error)
        return redirect("accounts:teen")
    response = render(
        request,
        partial,
        _more_time_context(request, more_time_error=error),
        status=400 if error else 200,
    )
    if error:
        # static/js/accounts.js lets htmx swap a refusal that names its target.
        response["HX-Retarget"] = "#more-time"
        response["HX-Reswap"] = "outerHTML"
    return response


# --- The parent's dashboard ---------------------------------------------------------------------


def _family_context(
    request: HttpRequest, forms: dict[int, TeenSettingsForm] | None = None, **extra: Any
) -> dict[str, Any]:
    parent = request.user
    forms = forms or {}
    now = timezone.now()
    linked = []
    for link in sel.teen_links_of(parent=parent):
        row = sel.teen_settings_of(link.teen)
        linked.append(
            {
                "link": link,
                "form": forms.get(link.pk) or TeenSettingsForm(initial=_settings_initial(row)),
                "usage": sel.usage_summary(teen=link.teen, now=now),
                "waiting": sel.extensions_waiting(link=link, now=now),
                "extra_today": sel.teen_extra_minutes_today(link.teen, now),
            }
        )
    return {
        "zone": str(sel.zone_of(parent)),
        "is_teen": sel.is_teen_now(parent),
        "code": sel.open_code_of(parent=parent, now=now),
        "linked": linked,
    } | extra


def _family_page(request: HttpRequest, status: int = 200, **extra: Any) -> HttpResponse:
    context = _family_context(request, **extra)
    return render(request, "accounts/family.html", context, status=status)


@login_required
@require_GET
def family(request: HttpRequest) -> HttpResponse:
    return _family_page(request)


@login_required
@require_POST
def family_code(request: HttpRequest) -> HttpResponse:
    try:
        teens.parent_link_code_create(parent=request.user)
    except ValidationError as exc:
        return _family_page(request, status=400, code_error=refusals.sentence(exc))
    messages.success(
        request, "Your code is ready. Your teen enters it on their teen settings page."
    )
    return redirect("accounts:family")


@login_required
@require_POST
def family_settings(request: HttpRequest, link_id: int) -> HttpResponse:
    form = TeenSettingsForm(request.POST)
    if form.is_valid():
        try:
            changes = teens.teen_settings_update_by_parent(
                parent=request.user, link_id=link_id, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if changes:
                messages.success(
                    request,
                    f"Saved. @{changes[0].teen.username} was told about each change.",
                )
            else:
                messages.info(request, "Nothing changed.")
            return redirect(f"{reverse('accounts:family')}#teen-{link_id}")
    _own_link_or_404(request, link_id)
    return _family_page(request, status=400, forms={link_id: form})


def _own_link_or_404(request: HttpRequest, link_id: int) -> None:
    if not ParentLink.objects.filter(
        pk=link_id, parent=request.user, teen__isnull=False, ended_at__isnull=True
    ).exists():
        raise Http404("No such link.")


@login_required
@require_POST
def family_unlink(request: HttpRequest, link_id: int) -> HttpResponse:
    link = teens.parent_link_end(parent=request.user, link_id=link_id)
    messages.success(request, f"You unlinked from @{link.teen.username}. They were told.")
    return redirect("accounts:family")


@login_required
@require_POST
def family_unlink_decide(request: HttpRequest, link_id: int, decision: str) -> HttpResponse:
    if decision not in _DECISIONS:
        raise Http404("No such decision.")
    try:
        link = teens.parent_link_unlink_decide(
            parent=request.user, link_id=link_id, approve=_DECISIONS[decision]
        )
    except ValidationError as exc:
        return _family_page(request, status=400, page_error=refusals.sentence(exc))
    done = "are no longer linked to" if _DECISIONS[decision] else "are still linked to"
    messages.success(request, f"You {done} @{link.teen.username}. They were told.")
    return redirect("accounts:family")


@login_required
@require_POST
def family_time_decide(request: HttpRequest, request_id: int, decision: str) -> HttpResponse:
    """Approve or decline a teen's request for more time; htmx swaps the request's row."""
    if decision not in _DECISIONS:
        raise Http404("No such decision.")
    error = ""
    try:
        ask = teens.teen_extension_decide(
            parent=request.user, request_id=request_id, approve=_DECISIONS[decision]
        )
    except ValidationError as exc:
        error = refusals.sentence(exc)
        ask = _parents_request(request, request_id)
    if request.htmx:
        context = {"ask": ask, "decide_error": error}
        return render(request, "accounts/family.html#time-request", context)
    if error:
        return _family_page(request, status=400, page_error=error)
    return redirect("accounts:family")


def _parents_request(request: HttpRequest, request_id: int) -> Any:
    ask = LimitExtensionRequest.objects.filter(pk=request_id, link__parent=request.user).first()
    if ask is None:
        raise Http404("No such request.")
    return ask


# --- Your data ----------------------------------------------------------------------------------


@login_required
@require_GET
def data_page(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/data.html", {"form": DeleteAccountForm()})


@login_required
@require_GET
def data_export(request: HttpRequest) -> FileResponse:
    archive = export.data_export(user=request.user)
    name = f"{request.user.username}-data-{timezone.localdate():%Y-%m-%d}.zip"
    return FileResponse(archive, as_attachment=True, filename=name, content_type="application/zip")


@login_required
@require_POST
def account_delete(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST)
    if form.is_valid():
        try:
            deletion.account_delete(user=request.user, password=form.cleaned_data["password"])
        except ValidationError as exc:
            form.add_error("password", exc)
        else:
            logout(request)
            messages.success(
                request,
                "Your account is deleted: your videos, cameo, face data, messages and "
                "everything else you had here are gone.",
            )
            return redirect("feed:index")
    return render(request, "accounts/data.html", {"form": form}, status=400)


# --- Quiet hours (for the feed) -----------------------------------------------------------------
