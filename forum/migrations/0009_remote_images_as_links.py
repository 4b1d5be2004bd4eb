"""Posts written before images from other sites became links still hold an <img> of such a site
in their stored HTML, which the Content Security Policy now blocks (a broken image, and a
violation logged in every reader's browser): they are rendered again from their source, as
today's renderer renders them. Mentions keep their links to the members who are still active.
"""

from django.db import migrations
from django.db.models.functions import Lower

from forum.rendering import mention_candidates, render_markdown


def render_remote_images_as_links(apps, schema_editor):
    Post = apps.get_model("forum", "Post")
    Member = apps.get_model("members", "Member")
    posts = list(Post.objects.filter(html__contains="<img").only("pk", "source", "html"))
    candidates = set().union(*(mention_candidates(post.source) for post in posts))
    members = dict(
        Member.objects.annotate(lower=Lower("username"))
        .filter(lower__in=candidates, is_active=True)
        .values_list("lower", "username")
    )
    changed = []
    for post in posts:
        html = render_markdown(post.source, members=members).html
        if html != post.html:
            post.html = html
            changed.append(post)
    Post.objects.bulk_update(changed, ["html"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("forum", "0008_post_and_thread_language"),
        ("members", "0006_member_trustee_volunteer"),
    ]

    operations = [
        migrations.RunPython(render_remote_images_as_links, migrations.RunPython.noop),
    ]
