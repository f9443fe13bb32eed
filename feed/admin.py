from __future__ import annotations

from django.contrib import admin

from feed.models import Like, Post


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("id", "author", "created_at", "like_count")
    search_fields = ("author__username", "job__prompt", "caption")
    raw_id_fields = ("author", "job")
    date_hierarchy = "created_at"


@admin.register(Like)
class LikeAdmin(admin.ModelAdmin):
    list_display = ("user", "post", "created_at")
    raw_id_fields = ("user", "post")
