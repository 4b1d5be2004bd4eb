"""Page stamps for the cache (forum.page_cache); search through the posts' vectors alone, a
first post's holding its thread's title; the newest posts found by an index."""

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


def index_titles_with_first_posts(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "UPDATE forum_post SET search_vector = setweight(to_tsvector(%s::regconfig, t.title), 'A')"
        " || to_tsvector(%s::regconfig, forum_post.source) FROM forum_thread t"
        " WHERE forum_post.thread_id = t.id AND forum_post.number = 1"
        " AND forum_post.search_vector IS NOT NULL",
        [settings.SEARCH_CONFIG, settings.SEARCH_CONFIG],
    )


class Migration(migrations.Migration):

    dependencies = [
        ('forum', '0005_post_pending_review'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(index_titles_with_first_posts, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='thread',
            name='search_vector',
        ),
        migrations.AddField(
            model_name='category',
            name='stamp',
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
        migrations.AddField(
            model_name='thread',
            name='stamp',
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
        migrations.AlterField(
            model_name='post',
            name='thread',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='posts', to='forum.thread'),
        ),
        migrations.AddIndex(
            model_name='post',
            index=models.Index(fields=['-created_at'], name='post_recent'),
        ),
    ]
