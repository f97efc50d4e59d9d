from django.core.management.base import BaseCommand

from forums.models import Post
from forums.rendering import mentioned_handles, render_markdown
from forums.selectors import mentionable_handles

BATCH = 500


class Command(BaseCommand):
    help = (
        "Render every forum post's HTML again from its Markdown, e.g. so that posts written "
        "before @mentions became links get them. Safe to repeat."
    )

    def handle(self, *args, **options):
        changed = 0
        last_pk = 0
        while True:
            batch = list(
                Post.objects.filter(pk__gt=last_pk)
                .order_by("pk")
                .only("body", "body_html")[:BATCH]
            )
            if not batch:
                break
            last_pk = batch[-1].pk
            # One lookup for all the batch's mentions, not one per post.
            handles = set().union(*(mentioned_handles(post.body) for post in batch))
            known = mentionable_handles(handles)
            updated = []
            for post in batch:
                html = render_markdown(post.body, mentionable=known)
                if html != post.body_html:
                    post.body_html = html
                    updated.append(post)
            Post.objects.bulk_update(updated, ["body_html"])
            changed += len(updated)
        self.stdout.write(f"Rendered {changed} forum post(s) again.")
