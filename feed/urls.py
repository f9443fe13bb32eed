from __future__ import annotations

from django.urls import path

from feed import views, views_goals, views_shell, views_social, views_wellbeing

app_name = "feed"
urlpatterns = [
    path("", views.index, name="index"),
    path("p/<int:post_id>/", views.post_detail, name="post"),
    path("p/<int:post_id>/like/", views.like, name="like"),
    path("publish/<int:job_id>/", views.publish, name="publish"),
    path("p/<int:post_id>/see-less/", views.see_less, name="see_less"),
    path("feed/controls/", views.controls, name="controls"),
    path("feed/mode/", views.steer_mode, name="mode"),
    path("feed/mood/", views.steer_mood, name="mood"),
    path("feed/interests/", views.steer_interests, name="interests"),
    path("feed/instruction/", views.steer_instruction, name="instruction"),
    path("feed/phrases/", views.steer_phrases, name="phrases"),
    path("feed/reset/", views.steer_reset, name="reset"),
    path("feed/budget/", views.budget_set, name="budget"),
    path("feed/goals/", views_goals.goals, name="goals"),
    path("feed/goals/set/", views_goals.goals_set, name="goals_set"),
    path("feed/budget/extend/", views.budget_extend, name="budget_extend"),
    path("feed/heartbeat/", views.heartbeat, name="heartbeat"),
    path("feed/seen/", views.seen, name="seen"),
    path("feed/wellbeing/", views_wellbeing.page, name="wellbeing"),
    path("feed/wellbeing/answer/", views_wellbeing.answer, name="check_in_answer"),
    path("feed/wellbeing/dismiss/", views_wellbeing.dismiss, name="check_in_dismiss"),
    path("feed/wellbeing/break/end/", views_wellbeing.break_end, name="break_end"),
    path(
        "feed/wellbeing/changes/<int:change_id>/undo/",
        views_wellbeing.undo,
        name="wellbeing_undo",
    ),
    path(
        "feed/wellbeing/changes/<int:change_id>/break/",
        views_wellbeing.break_take,
        name="wellbeing_break",
    ),
    path(
        "feed/wellbeing/changes/<int:change_id>/budget/",
        views_wellbeing.budget,
        name="wellbeing_budget",
    ),
    path("p/<int:post_id>/comments/", views_social.comment_create, name="comment_create"),
    path("p/<int:post_id>/comments/policy/", views_social.comment_policy, name="comment_policy"),
    path("p/<int:post_id>/send/", views_social.post_send, name="post_send"),
    path("comments/<int:comment_id>/remove/", views_social.comment_remove, name="comment_remove"),
    path("comments/<int:comment_id>/report/", views_social.comment_report, name="comment_report"),
    path("inbox/", views_shell.inbox, name="inbox"),
    path("p/<int:post_id>/remix/", views_shell.remix, name="remix"),
    path("messages/", views_social.inbox, name="messages"),
    path("messages/report/<int:message_id>/", views_social.message_report, name="message_report"),
    path("messages/<str:username>/", views_social.thread, name="thread"),
    path("search/", views_social.search, name="search"),
]
