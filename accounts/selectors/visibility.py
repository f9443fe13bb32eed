"""Who may see a teen's videos: the one rule, as a queryset filter every list and fetch of posts
goes through (``feed.selectors.posts._posts``, the For-you mask, the share page and video files).

Following Instagram's teen accounts, a teen's videos reach the people the teen follows (mutuals
are among them; following a teen is not enough) and nobody else, with these exceptions:

- the teen themselves, and their linked parent while the link lasts;
- other teens, who already find each other in search (``accounts.selectors.teens.findable_by``): the
  product's teen-to-teen rule, followed here rather than made stricter in one place only;
- everyone, when a linked parent chose "Everyone" (``TeenSettings.videos_seen_by``).

Visitors who aren't signed in are strangers. The rule rides on the stored setting rather than
on the age, so the videos don't open on the 18th birthday: the person chooses then
(``accounts.services.teens.videos_audience_choose``), and keeps the teen default until they do.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Exists, Model, OuterRef, Q, QuerySet

from accounts.models import Follow, ParentLink, TeenSettings, User
from accounts.selectors.teens import is_teen_now

M = TypeVar("M", bound=Model)
Audience = TeenSettings.Audience


def kept_to_followed() -> QuerySet[User]:
    """People whose videos only the people they follow see: teens (and former teens who
    haven't chosen yet) whose setting says so; a teen without a settings row has the default."""
    return User.objects.filter(
        Q(teen_settings__videos_seen_by=Audience.FOLLOWING)
        | Q(is_teen=True, teen_settings__isnull=True)
    )


def authors_hidden_from_id(*, viewer_id: int) -> QuerySet[User]:
    """The people whose videos the signed-in adult ``viewer_id`` may not see. Takes an id, so
    the For-you page can compile it once (``feed.prepared``)."""
    follows_viewer = Follow.objects.filter(follower=OuterRef("pk"), followee_id=viewer_id)
    parent_of = ParentLink.objects.filter(
        teen=OuterRef("pk"), parent_id=viewer_id, ended_at__isnull=True
    )
    return (
        kept_to_followed()
        .exclude(pk=viewer_id)
        .exclude(Exists(follows_viewer))
        .exclude(Exists(parent_of))
    )


def sees_every_video(viewer: Any) -> bool:
    """Teens see other teens' videos, as they find each other in search."""
    return is_teen_now(viewer)


def authors_hidden_from(viewer: Any) -> QuerySet[User] | None:
    """The people whose videos ``viewer`` may not see, or None when they may see everyone's."""
    if not getattr(viewer, "is_authenticated", False):
        return kept_to_followed()
    if sees_every_video(viewer):
        return None
    return authors_hidden_from_id(viewer_id=viewer.pk)


def filter_visible_to(viewer: Any, posts: QuerySet[M], *, author: str = "author") -> QuerySet[M]:
    """``posts`` less those whose author (the field named ``author``) keeps them from
    ``viewer``. A correlated check, so a page of the newest posts looks at its candidates only,
    never at every teen there is."""
    hidden = authors_hidden_from(viewer)
    if hidden is None:
        return posts
    return posts.exclude(Exists(hidden.filter(pk=OuterRef(author))))
