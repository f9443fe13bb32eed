from __future__ import annotations

from django.urls import path

from feed.views import feed, goals, shell, social, wellbeing

app_name = "feed"
urlpatterns = [
    path("", feed.index, name="index"),
    path("p/<int:post_id>/", feed.post_detail, name="post"),
    path("p/<int:post_id>/like/", feed.like, name="like"),
    path("publish/<int:job_id>/", feed.publish, name="publish"),
    path("p/<int:post_id>/see-less/", feed.see_less, name="see_less"),
    path("feed/controls/", feed.controls, name="controls"),
    path("feed/mode/", feed.steer_mode, name="mode"),
    path("feed/mood/", feed.steer_mood, name="mood"),
    path("feed/interests/", feed.steer_interests, name="interests"),
    path("feed/instruction/", feed.steer_instruction, name="instruction"),
    path("feed/phrases/", feed.steer_phrases, name="phrases"),
    path("feed/reset/", feed.steer_reset, name="reset"),
    path("feed/budget/", feed.budget_set, name="budget"),
    path("feed/goals/", goals.goals, name="goals"),
    path("feed/goals/set/", goals.goals_set, name="goals_set"),
    path("feed/budget/extend/", feed.budget_extend, name="budget_extend"),
    path("feed/heartbeat/", feed.heartbeat, name="heartbeat"),
    path("feed/seen/", feed.seen, name="seen"),
    path("feed/wellbeing/", wellbeing.page, name="wellbeing"),
    path("feed/wellbeing/answer/", wellbeing.answer, name="check_in_answer"),
    path("feed/wellbeing/dismiss/", wellbeing.dismiss, name="check_in_dismiss"),
    path("feed/wellbeing/break/end/", wellbeing.break_end, name="break_end"),
    path(
        "feed/wellbeing/changes/<int:change_id>/undo/",
        wellbeing.undo,
        name="wellbeing_undo",
    ),
    path(
        "feed/wellbeing/changes/<int:change_id>/break/",
        wellbeing.break_take,
        name="wellbeing_break",
    ),
    path(
        "feed/wellbeing/changes/<int:change_id>/budget/",
        wellbeing.budget,
        name="wellbeing_budget",
    ),
    path("p/<int:post_id>/comments/", social.comment_create, name="comment_create"),
    path("p/<int:post_id>/comments/policy/", social.comment_policy, name="comment_policy"),
    path("p/<int:post_id>/send/", social.post_send, name="post_send"),
    path("comments/<int:comment_id>/remove/", social.comment_remove, name="comment_remove"),
    path("comments/<int:comment_id>/report/", social.comment_report, name="comment_report"),
    path("inbox/", shell.inbox, name="inbox"),
    path("p/<int:post_id>/remix/", shell.remix, name="remix"),
    path("messages/", social.inbox, name="messages"),
    path("messages/report/<int:message_id>/", social.message_report, name="message_report"),
    path("messages/<str:username>/", social.thread, name="thread"),
    path("search/", social.search, name="search"),
]
