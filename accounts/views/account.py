from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts import age_gate
from accounts.forms import LoginForm, ProfileForm, SignupForm
from accounts.selectors import people
from accounts.selectors.teens import profile_open_to
from accounts.services import blocks, users
from accounts.services.teens import teen_birthday_check
from cameo.selectors import cameo_on_profile
from feed.selectors.posts import posts_by_author
from safety.limits import limit_wait, limited_view, too_many
from sora_site import refusals
from sora_site.proxy import client_ip


def _signup_limited(request: HttpRequest, sentence: str) -> HttpResponse:
    form = SignupForm(request.POST)
    form.add_error(None, sentence)
    return render(request, "accounts/signup.html", {"form": form}, status=429)


class LoginView(auth_views.LoginView):
    """Django's login, with limits per address and per account so passwords can't be guessed."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        waits = [limit_wait(request, name) for name in ("login-ip", "login-account")]
        wait = max((w for w in waits if w is not None), default=None)
        if wait is None:
            return super().post(request, *args, **kwargs)
        context = self.get_context_data(form=self.get_form(), limited=too_many(wait))
        return self.render_to_response(context, status=429)

    def form_valid(self, form: LoginForm) -> HttpResponse:
        # Birthdays are caught here as well as by the daily command, so nobody waits for cron.
        teen_birthday_check(user=form.get_user())
        return super().form_valid(form)


def _address(request: HttpRequest) -> str:
    """The visitor's address, as the sign-up rate limit counts it (behind a trusted proxy, the
    one the proxy saw)."""
    if getattr(settings, "RATELIMIT_IP_META_KEY", None):
        return client_ip(request)
    return request.META.get("REMOTE_ADDR", "")


def _age_gate_closed(request: HttpRequest) -> bool:
    cookie = request.get_signed_cookie(
        age_gate.AGE_GATE_COOKIE, default=None, salt=age_gate.AGE_GATE_SALT,
        max_age=age_gate.AGE_GATE_HOURS * 3600,
    )  # fmt: skip
    return age_gate.age_gate_closed(address=_address(request), browser_refused=cookie is not None)


def _age_gate_refusal(request: HttpRequest, *, retry: bool) -> HttpResponse:
    """Record the refusal and answer with its sentence in place of the form; the first one
    marks the browser for the day."""
    age_gate.age_gate_refusal_record(address=_address(request), retry=retry)
    context = {"age_gate_message": users.UNDER_AGE_MESSAGE}
    response = render(request, "accounts/signup.html", context, status=403 if retry else 200)
    if not retry:
        response.set_signed_cookie(
            age_gate.AGE_GATE_COOKIE, "1", salt=age_gate.AGE_GATE_SALT,
            max_age=age_gate.AGE_GATE_HOURS * 3600, httponly=True, samesite="Lax",
            secure=request.is_secure(),
        )  # fmt: skip
    return response


@require_http_methods(["GET", "POST"])
@limited_view("signup-ip", "sign-ups from this address", _signup_limited)
def signup(request: HttpRequest) -> HttpResponse:
    """Sign up. Once this browser or address gave a birthdate under 13, the page shows the
    refusal instead of the form for a day, and a sign-up posted anyway is refused again."""
    if request.user.is_authenticated:
        return redirect("feed:index")
    if _age_gate_closed(request):
        if request.method == "POST":
            return _age_gate_refusal(request, retry=True)
        context = {"age_gate_message": users.UNDER_AGE_MESSAGE}
        return render(request, "accounts/signup.html", context)
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = users.user_signup(
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                birthdate=form.cleaned_data["birthdate"],
                time_zone=form.cleaned_data["timezone"],
            )
        except users.UnderAgeRefusal:
            return _age_gate_refusal(request, retry=False)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("generation:create")
    return render(request, "accounts/signup.html", {"form": form})


def profile(request: HttpRequest, username: str) -> HttpResponse:
    person = people.profile_get_for_viewer(viewer=request.user, username=username)
    relation = people.relation_between(viewer=request.user, person=person)
    posts = [] if relation.blocked else posts_by_author(author=person, viewer=request.user)
    cameo = cameo_on_profile(viewer=request.user, owner=person)
    context = {"person": person, "posts": posts, "cameo": cameo, "relation": relation}
    return render(request, "accounts/profile.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    """Edit your own profile's text; there is no way to name someone else's."""
    user = request.user
    form = ProfileForm(request.POST if request.method == "POST" else {"bio": user.bio})
    if request.method == "POST" and form.is_valid():
        try:
            users.profile_update(user=user, bio=form.cleaned_data["bio"])
        except ValidationError as exc:
            form.add_error("bio", exc)
        else:
            messages.success(request, "Your profile is updated.")
            return redirect("profile", username=user.username)
    status = 400 if form.errors else 200
    return render(request, "accounts/profile_edit.html", {"form": form}, status=status)


_RELATION_ACTIONS = {
    "follow": (lambda me, them: users.follow_create(follower=me, followee=them), "You follow"),
    "unfollow": (
        lambda me, them: users.follow_delete(follower=me, followee=them),
        "You no longer follow",
    ),
    "block": (
        lambda me, them: blocks.block_create(blocker=me, blocked=them),
        "You blocked",
    ),
    "unblock": (
        lambda me, them: users.block_delete(blocker=me, blocked=them),
        "You unblocked",
    ),
    "mute": (lambda me, them: users.mute_create(muter=me, muted=them), "You muted"),
    "unmute": (lambda me, them: users.mute_delete(muter=me, muted=them), "You unmuted"),
}
_UNDO = frozenset({"unfollow", "unblock", "unmute"})


@login_required
@require_POST
def relation(request: HttpRequest, username: str, action: str) -> HttpResponse:
    """Follow, block or mute someone, or undo it, from their profile."""
    if action not in _RELATION_ACTIONS:
        raise Http404("No such action.")
    # Undoing (unfollow, unmute, unblock) must keep working after a teen's profile has closed
    # to you; the rest are buttons on the profile, so they need a profile you may open.
    get = people.person_get_unless_blocked if action in _UNDO else people.profile_get_for_viewer
    person = get(viewer=request.user, username=username)
    change, done = _RELATION_ACTIONS[action]
    try:
        change(request.user, person)
    except ValidationError as exc:
        refusals.flash(request, exc)
    else:
        messages.success(request, f"{done} @{person.username}.")
    if not profile_open_to(request.user, person):
        return redirect("feed:index")
    return redirect("profile", username=person.username)


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        users.notifications_mark_read(user=request.user)
        return redirect("accounts:notifications")
    group = request.GET.get("show") or None
    items = people.notifications_in_group(user=request.user, group=group)
    context = {"items": items, "groups": people.NOTIFICATION_GROUPS, "show": group}
    return render(request, "accounts/notifications.html", context)


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    item = users.notification_mark_read(user=request.user, notification_id=notification_id)
    if request.htmx:
        item.label = people.notification_label(item.kind)
        return render(request, "accounts/notifications.html#notification", {"n": item})
    return redirect("accounts:notifications")


# The settings page (every account link in one list, two taps from any page) and ``/me/``, the
# Profile tab's address for someone not signed in yet.


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/settings.html")


@login_required
def me(request: HttpRequest) -> HttpResponse:
    return redirect("profile", username=request.user.username)
