from django.db.models import Prefetch
from django.utils.html import strip_tags

from forums.models import ForumCategory, ModerationAction, Post, Thread
from kx_site.audience import Audience

from .base import EntryData, SearchDocument, audience_of

# Enough of a long thread to find it by; the rest adds little but index size.
MAX_THREAD_TEXT = 20_000


class ThreadDocument(SearchDocument):
    """A forum thread with the text of its visible posts (pending, hidden and deleted posts are
    never indexed). Seen by those who may read its category."""

    model = Thread
    doc_type = "thread"
    label = "Forum thread"

    def queryset(self):
        visible_posts = Post.objects.filter(status=Post.Status.VISIBLE).order_by("number")
        return (
            Thread.objects.filter(is_visible=True)
            .select_related("category")
            .prefetch_related(
                "category__restricted_to_organisations",
                Prefetch("posts", queryset=visible_posts, to_attr="visible_posts"),
            )
        )

    def triggers(self):
        return [
            (Thread, lambda thread: [thread]),
            # A stub: during a cascade the thread row may already be gone.
            (Post, lambda post: [Thread(pk=post.thread_id)] if post.thread_id else []),
            (ForumCategory, lambda category: category.threads.all()),
            # Moderation (hiding, moving to another category...) updates rows in bulk, without
            # signals; every such action is audited, and the audit entry brings the update.
            (
                ModerationAction,
                lambda action: [Thread(pk=action.thread_id)] if action.thread_id else [],
            ),
        ]

    def entry(self, thread):
        texts = [strip_tags(post.body_html) for post in thread.visible_posts]
        audience = audience_of(thread.category)
        if audience["audience"] in (Audience.PUBLIC, Audience.REGISTERED):
            # The forums are for verified practitioners, whatever a category says.
            audience["audience"] = Audience.PRACTITIONERS
        return EntryData(
            title=thread.title,
            url=thread.get_absolute_url(),
            summary=texts[0][:500] if texts else "",
            body=" ".join(texts)[:MAX_THREAD_TEXT],
            date=thread.last_post_at,
            **audience,
        )


THREAD = ThreadDocument()
