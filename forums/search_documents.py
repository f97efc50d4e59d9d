"""Forum threads and their replies.

A thread is its title and opening post; each visible reply is a document of its own, seen by
exactly those who may read its thread. Pending, hidden and deleted posts are never indexed.
Registered from ``ForumsConfig.ready`` (``search.registry``), so that search imports nothing of
the forums.
"""

from html import unescape

from django.db.models import Prefetch
from django.utils.html import strip_tags

from kx_site.audience import Audience
from search.documents.base import EntryData, SearchDocument, audience_of
from search.registry import register_document

from .models import ForumCategory, Post, Thread

SUMMARY_LENGTH = 500
# Posts are written with a 20,000-character limit (``forums.forms``); older ones may be longer.
MAX_POST_TEXT = 20_000


def post_text(post):
    # The HTML is sanitised: once the tags are gone, entities are the only escapes left.
    return unescape(strip_tags(post.body_html)).strip()


def forum_audience(category):
    """The audience fields of everything in ``category``, as EntryData keywords."""
    audience = audience_of(category)
    if audience["audience"] in (Audience.PUBLIC, Audience.REGISTERED):
        # The forums are for verified practitioners, whatever a category says.
        audience["audience"] = Audience.PRACTITIONERS
    return audience


class ThreadDocument(SearchDocument):
    """A forum thread: its title, and its opening post while that post is visible."""

    model = Thread
    doc_type = "thread"
    label = "Forum thread"

    def queryset(self):
        opening_post = Post.objects.filter(number=1, status=Post.Status.VISIBLE)
        return (
            Thread.objects.filter(is_visible=True)
            .select_related("category")
            .prefetch_related(
                "category__restricted_to_organisations",
                Prefetch("posts", queryset=opening_post, to_attr="visible_opening_posts"),
            )
        )

    def triggers(self):
        return [
            (Thread, lambda thread: [thread]),
            # The opening post is the thread's text; replies are indexed on their own.
            (
                Post,
                lambda post: (
                    [Thread(pk=post.thread_id)] if post.number == 1 and post.thread_id else []
                ),
            ),
            (ForumCategory, lambda category: category.threads.all()),
            # Moderation updates rows in bulk, without signals: its services ask for the
            # re-indexing themselves (``forums.services.reindex_moderated``).
        ]

    def entry(self, thread):
        opening = thread.visible_opening_posts
        text = post_text(opening[0]) if opening else ""
        return EntryData(
            title=thread.title,
            url=thread.get_absolute_url(),
            summary=text[:SUMMARY_LENGTH],
            body=text[:MAX_POST_TEXT],
            date=thread.last_post_at,
            **forum_audience(thread.category),
        )

    def dependants(self, thread):
        # Replies take their title, audience and visibility from the thread: whatever changes
        # the thread (hidden, moved, retitled, its category's audience) rewrites them all here,
        # and those no longer searchable are removed.
        return [(POST, reply) for reply in POST.queryset().filter(thread=thread)]


class PostDocument(SearchDocument):
    """A visible reply (a post after the opening one) in a visible thread."""

    model = Post
    doc_type = "post"
    label = "Forum reply"
    in_suggestions = False

    def queryset(self):
        return (
            Post.objects.filter(status=Post.Status.VISIBLE, number__gt=1, thread__is_visible=True)
            .select_related("thread__category")
            .prefetch_related("thread__category__restricted_to_organisations")
        )

    def triggers(self):
        return [(Post, lambda post: [post] if post.number != 1 else [])]

    def entry(self, post):
        thread = post.thread
        text = post_text(post)
        return EntryData(
            # No title of its own: a word in the thread's title finds the thread, not each of
            # its replies. Results name the thread (``display_titles``).
            title="",
            url=post.get_absolute_url(),
            summary=text[:SUMMARY_LENGTH],
            body=text[:MAX_POST_TEXT],
            date=post.created_at,
            parent_key=THREAD.key(thread.pk),
            # Seen by exactly those who may see its thread.
            **forum_audience(thread.category),
        )

    def display_titles(self, pks):
        threads = Post.objects.filter(pk__in=pks).values_list("pk", "thread__title")
        return {pk: f"Reply in: {title}" for pk, title in threads}

    def dependants(self, post):
        # A new reply is its thread's latest activity, the thread's date in search: the
        # thread's own entry is rewritten with it, without rewriting every other reply.
        return [(THREAD, thread) for thread in THREAD.queryset().filter(pk=post.thread_id)]


THREAD = ThreadDocument()
POST = PostDocument()


def register():
    register_document(THREAD, order=60)
    register_document(POST, order=70)
