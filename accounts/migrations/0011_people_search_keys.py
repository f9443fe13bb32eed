"""People search reads an index of each person's lower-cased handle, first and last name."""

from __future__ import annotations

from django.db import migrations, models

import accounts.search_keys


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0010_teen_videos_seen_by"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="user",
            index=models.Index(
                accounts.search_keys.SearchKey("username"), name="user_username_search_key"
            ),
        ),
        migrations.AddIndex(
            model_name="user",
            index=models.Index(
                accounts.search_keys.SearchKey("first_name"), name="user_first_name_search_key"
            ),
        ),
        migrations.AddIndex(
            model_name="user",
            index=models.Index(
                accounts.search_keys.SearchKey("last_name"), name="user_last_name_search_key"
            ),
        ),
    ]
