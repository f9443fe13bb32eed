from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Now


class Goal(models.TextChoices):
    """Long-term goals a person may pick; each adds a ranking term (``feed.services.goals``)."""

    FRIENDS = "friends", "Be more connected to friends"
    FITNESS = "fitness", "Get fit"
    SKILL = "skill", "Learn a skill"
    BUSINESS = "business", "Start a business"
    REST = "rest", "Relax and sleep better"
    CREATIVE = "creative", "Get creative"


class CommentPolicy(models.TextChoices):
    EVERYONE = "everyone", "Everyone"
    FOLLOWING = "following", "People I follow"
    NOBODY = "nobody", "Nobody"


class Post(models.Model):
    """A published video. It exists only through ``post_publish`` from a finished job."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts"
    )
    job = models.OneToOneField(
        "generation.GenerationJob", on_delete=models.PROTECT, related_name="post"
    )
    caption = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    like_count = models.PositiveIntegerField(default=0)
    # Perceptual hashes of about one frame a second, so Verify recognises a re-encoded copy.
    keyframe_hashes = models.JSONField(default=list, blank=True)
    # Who may comment: the poster chooses.
    comment_policy = models.CharField(
        max_length=10, choices=CommentPolicy.choices, default=CommentPolicy.EVERYONE
    )
    comment_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["author", "-created_at"])]

    def __str__(self) -> str:
        return f"Post {self.pk} by {self.author_id}"

    @property
    def prompt(self) -> str:
        return self.job.prompt


class Like(models.Model):
    """One person liking one post."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="one_like_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id} likes {self.post_id}"


class PostFeatures(models.Model):
    """What the feed knows about a post, computed once by a job after publishing so that no feed
    request embeds or decodes anything. ``embedding`` is a float32 MiniLM vector (384 values) of
    the prompt and caption; ``energy`` runs from 0 (calm) to 1 (energetic). ``parts`` holds a
    float16 vector for each part of that text (``feed.post_parts``): empty when it has one part,
    null when the features were computed before parts were stored (``requeue_stuck`` queues
    them again)."""

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="features")
    embedding = models.BinaryField()
    parts = models.BinaryField(null=True, blank=True)
    topics = models.JSONField(default=list, blank=True)
    motion = models.FloatField(default=0.0)
    energy = models.FloatField(default=0.5)
    # Indexed: the feed's candidate pool asks for the newest value on every request.
    computed_at = models.DateTimeField(auto_now=True, db_index=True)

    def __str__(self) -> str:
        return f"Features of post {self.post_id}"


class Comment(models.Model):
    """A comment on a post, or a reply to one (one level deep: a reply's parent has no parent).

    ``hidden_at`` is set when a watched word or a moderation hold keeps it from others until a
    moderator looks; its author still sees it. ``removed_at`` is set by its author, the post's
    author or a moderator."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=300, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["post", "created_at"])]

    def __str__(self) -> str:
        return f"Comment {self.pk} on {self.post_id}"


class Conversation(models.Model):
    """A 1:1 direct-message thread. The pair is stored lowest id first, so there is one per pair."""

    user_low = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    user_high = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_message_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user_low", "user_high"], name="one_conversation_per_pair"
            ),
            models.CheckConstraint(
                condition=models.Q(user_low__lt=models.F("user_high")),
                name="conversation_pair_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"Conversation {self.user_low_id}–{self.user_high_id}"


class DirectMessage(models.Model):
    """One message in a conversation. Hidden like a comment when moderation holds it."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["conversation", "created_at"])]

    def __str__(self) -> str:
        return f"Message {self.pk} in {self.conversation_id}"


class FeedPreference(models.Model):
    """How a person steers their feed. ``mood`` runs from 0 (relaxed) to 1 (energized), null for
    no preference. ``instruction`` is their own words; ``instruction_more``,
    ``instruction_less`` and ``instruction_none`` are the phrases it was read as, which they can
    edit. Posts that match a "none" phrase never reach their feed (``feed.exclusions``)."""

    class Mode(models.TextChoices):
        FOR_YOU = "for_you", "For you"
        FOLLOWING = "following", "Following"
        LATEST = "latest", "Latest"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_preference"
    )
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.FOR_YOU)
    mood = models.FloatField(null=True, blank=True)
    interests = models.JSONField(default=list, blank=True)
    instruction = models.CharField(max_length=500, blank=True)
    instruction_more = models.JSONField(default=list, blank=True)
    instruction_less = models.JSONField(default=list, blank=True)
    instruction_none = models.JSONField(default=list, blank=True)
    # float32 MiniLM vectors of ``interests``, then ``instruction_more``, ``instruction_less`` and
    # ``instruction_none`` (384 values each, in that order), embedded when they are saved so a
    # feed request never runs the model.
    phrase_vectors = models.BinaryField(default=b"", blank=True)
    daily_budget_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    # ``Goal`` values, and float32 MiniLM vectors of each goal's exemplars
    # (``feed.services.goals``), embedded when the goals are saved so a feed request never runs the
    # model.
    goals = models.JSONField(default=list, blank=True)
    goal_vectors = models.BinaryField(default=b"", blank=True)
    # A break the person accepted (after a check-in): the feed rests until then.
    break_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Feed preference of {self.user_id}"


class SeenPost(models.Model):
    """A post the feed served this person, and whether they really watched it.

    The row is written when a feed page sends the post (``served_at``, moved forward each time
    a page sends it again). ``seen_at`` stays empty until the browser reports the post at least
    60% in view for a second (``feed.services.posts.posts_seen_record``): only seen posts leave For
    you for good, so a page that was sent but not watched comes back on the next visit. The
    goal page counts served posts: what the feed showed for each goal."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    served_at = models.DateTimeField(db_default=Now())
    seen_at = models.DateTimeField(null=True, blank=True)
    # The goal this post was shown for, when the goal term was one of its reasons; the goal
    # page counts these.
    goal = models.CharField(max_length=12, choices=Goal.choices, blank=True, db_default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="one_seen_per_post")]

    def __str__(self) -> str:
        return f"{self.user_id} {'saw' if self.seen_at else 'was sent'} {self.post_id}"


class SeeLess(models.Model):
    """'See less like this' on a post: posts similar to it rank lower for this person."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "post"], name="one_see_less_per_post")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} sees less like {self.post_id}"


class WatchDay(models.Model):
    """Watch time for one person on one day (in their timezone), counted by the player's
    heartbeat and capped at real elapsed time. ``extensions`` counts the 15-minute extensions."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    seconds = models.PositiveIntegerField(default=0)
    extensions = models.PositiveSmallIntegerField(default=0)
    last_beat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="one_watch_day")]

    def __str__(self) -> str:
        return f"{self.user_id} watched {self.seconds}s on {self.day}"


class CheckIn(models.Model):
    """One answer to a wellbeing check-in, private to the person and to aggregate reports.
    A dismissed card is a row with an empty ``answer``, so the card waits for the next period
    and the response rate can be counted. Weekly asks how the app has felt lately (better,
    about the same, worse); monthly asks whether life is better for using it (yes, no, not
    sure)."""

    class Kind(models.TextChoices):
        WEEKLY = "weekly", "Weekly"
        MONTHLY = "monthly", "Monthly"

    class Answer(models.TextChoices):
        BETTER = "better", "Better"
        SAME = "same", "About the same"
        WORSE = "worse", "Worse"
        YES = "yes", "Yes"
        NO = "no", "No"
        NOT_SURE = "not_sure", "Not sure"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="check_ins"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    answer = models.CharField(max_length=8, choices=Answer.choices, blank=True)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["user", "kind", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} check-in of {self.user_id}: {self.answer or 'dismissed'}"


class WellbeingChange(models.Model):
    """What a *worse* check-in changed in the person's feed, so they can see it and undo it:
    the feed settings ``before`` and ``after`` (mood, goals, mode), and what they did with the
    offers that came with it (a break, a daily budget)."""

    check_in = models.OneToOneField(CheckIn, on_delete=models.CASCADE, related_name="change")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    break_accepted_at = models.DateTimeField(null=True, blank=True)
    budget_set_at = models.DateTimeField(null=True, blank=True)
    budget_minutes = models.PositiveSmallIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Wellbeing change for {self.user_id} after check-in {self.check_in_id}"
