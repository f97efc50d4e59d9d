"""Reads: who may use the forums, which categories each member may see, and the listings.

``visible_categories`` is the one place that decides which categories a member may see; every
view, count, notification and digest goes through it.
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, IntegerField, Max, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.permissions import has_staff_perm, is_superuser
from kx_site.audience import quoting_refusal, visibility_q

from .models import ForumCategory, ForumMember, Post, Thread, ThreadReadState, UsefulVote

THREADS_PER_PAGE = 30
POSTS_PER_PAGE = 20
MENTION_SUGGESTIONS = 8
MEMBER_PAGE_POSTS = 10


def is_moderator(user) -> bool:
    return is_superuser(user) or has_staff_perm(user, "forums.moderate_forums")


def forum_access(user) -> str:
    """``"sign_in"``, ``"unverified"`` (signed in, not a verified practitioner) or ``"member"``."""
    if not user.is_authenticated:
        return "sign_in"
    if user.is_practitioner or is_moderator(user):
        return "member"
    return "unverified"


def visible_categories(user):
    """The categories ``user`` may read: none unless they are a verified practitioner (or a
    moderator), then those the category's audience rule lets them see."""
    if user is None or forum_access(user) != "member":
        return ForumCategory.objects.none()
    if is_moderator(user):
        # Moderators review what is posted anywhere.
        return ForumCategory.objects.all()
    # A subquery rather than distinct(), so that callers may annotate counts.
    allowed = ForumCategory.objects.filter(visibility_q(user)).values("pk")
    return ForumCategory.objects.filter(pk__in=allowed)


def can_see_category(user, category) -> bool:
    return visible_categories(user).filter(pk=category.pk).exists()


def member_standing(user):
    """The member's ForumMember row, or None if they have never needed one."""
    if not user.is_authenticated:
        return None
    try:
        return user.forum_member
    except ForumMember.DoesNotExist:
        return None


def is_suspended(user) -> bool:
    # Asked afresh: a suspension must bite at once, whatever a cached row says.
    return (
        user.is_authenticated
        and ForumMember.objects.filter(user=user, suspended_until__gt=timezone.now()).exists()
    )


def can_post(user) -> bool:
    """Verified, not lapsed and not suspended: suspended and lapsed members read only."""
    return (
        forum_access(user) == "member"
        and (user.can_contribute or is_moderator(user))
        and not is_suspended(user)
    )


def mentionable_members():
    """Members others may @mention: active, verified practitioners who have a forum handle.

    A handle is made the first time a member takes part, so practitioners who have never used
    the forums cannot be mentioned (and so cannot be looked up) until they do.
    """
    return ForumMember.objects.filter(
        user__is_active=True,
        user__organisation__isnull=False,
        user__verified_at__isnull=False,
    )


def mentionable_handles(handles) -> set[str]:
    """Which of ``handles`` (lower-cased) belong to mentionable members: one query for any
    number of mentions, none for none."""
    handles = {handle.lower() for handle in handles}
    if not handles:
        return set()
    return set(mentionable_members().filter(handle__in=handles).values_list("handle", flat=True))


def unknown_mentions(text, *, already=()) -> list[str]:
    """The @mentions in ``text`` (as typed, in order, once each) that name no mentionable
    member, leaving out handles in ``already`` (those the writer was already warned about, or
    that an edited post already held)."""
    from .rendering import MENTION

    typed = {}
    for handle in MENTION.findall(text or ""):
        typed.setdefault(handle.lower(), handle)
    skip = {handle.lower() for handle in already}
    candidates = {handle for handle in typed if handle not in skip}
    known = mentionable_handles(candidates)
    return [typed[handle] for handle in typed if handle in candidates - known]


def mention_suggestions(user, text: str):
    """Up to ``MENTION_SUGGESTIONS`` mentionable members whose handle, first name or last name
    starts with ``text``: never the writer themselves, and never an email address."""
    text = text.strip().lstrip("@")
    if len(text) < 2:
        return []
    matches = (
        mentionable_members()
        .filter(
            Q(handle__istartswith=text)
            | Q(user__first_name__istartswith=text)
            | Q(user__last_name__istartswith=text)
        )
        .exclude(user=user)
        .select_related("user__organisation")
        .only(
            "handle",
            "user__first_name",
            "user__last_name",
            "user__organisation__name",
        )
        .order_by("handle")[:MENTION_SUGGESTIONS]
    )
    return [
        {
            "handle": member.handle,
            "name": member.user.get_full_name(),
            "organisation": member.user.organisation.name,
        }
        for member in matches
    ]


def member_posts(viewer, member_user):
    """The member's latest visible posts in threads ``viewer`` may see, newest first."""
    return (
        Post.objects.filter(
            author=member_user,
            status=Post.Status.VISIBLE,
            thread__in=visible_threads(viewer).filter(is_visible=True),
        )
        .select_related("thread")
        .order_by("-created_at", "-pk")[:MEMBER_PAGE_POSTS]
    )


def visible_threads(user):
    """Threads in visible categories; a thread waiting for approval only for its author."""
    threads = Thread.objects.filter(category__in=visible_categories(user))
    if is_moderator(user):
        return threads
    return threads.filter(Q(is_visible=True) | Q(author=user))


def category_list(user):
    """The visible categories with their thread and post counts and last activity."""
    shown = Q(threads__is_visible=True)
    return visible_categories(user).annotate(
        thread_count=Count("threads", filter=shown),
        post_total=Coalesce(Sum("threads__post_count", filter=shown), Value(0)),
        last_activity=Max("threads__last_post_at", filter=shown),
    )


def thread_list(user, category):
    """The category's threads, pinned first then by latest post, with the member's read state."""
    last_read = ThreadReadState.objects.filter(user=user, thread=OuterRef("pk")).values(
        "last_read_post_number"
    )[:1]
    return (
        visible_threads(user)
        .filter(category=category)
        .select_related("author", "author__organisation")
        .annotate(last_read=Coalesce(Subquery(last_read), Value(-1), output_field=IntegerField()))
        .order_by("-is_pinned", "-last_post_at", "-pk")
    )


def thread_posts(thread):
    return (
        Post.objects.filter(thread=thread)
        .select_related("author", "author__organisation", "author__forum_member")
        .order_by("number")
    )


def useful_post_ids(user, posts) -> set[int]:
    if isinstance(user, AnonymousUser):
        return set()
    return set(
        UsefulVote.objects.filter(user=user, post__in=[p.pk for p in posts]).values_list(
            "post_id", flat=True
        )
    )


def session_thread_quoting_conflicts(item) -> list[str]:
    """Refusals for session discussion threads that quote ``item`` (an event being edited) or
    that ``item`` holds (a category being edited) and that would reach readers of the category
    who may not see the event. Registered with ``kx_site.audience.register_quoting_check``."""
    from events.models import EventPage

    if not item.pk:
        return []
    if isinstance(item, EventPage):
        threads = Thread.objects.filter(session__event_id=item.pk).select_related(
            "category", "session"
        )
        pairs = [(thread.category, item, thread) for thread in threads]
    elif isinstance(item, ForumCategory):
        threads = Thread.objects.filter(category_id=item.pk, session__isnull=False).select_related(
            "session__event"
        )
        pairs = [(item, thread.session.event, thread) for thread in threads]
    else:
        return []
    conflicts = []
    for category, event, thread in pairs:
        refusal = quoting_refusal(category, event)
        if refusal:
            conflicts.append(
                f"The forum thread “{thread.title}” in “{category}” discusses a session of "
                f"“{event}”. {refusal}"
            )
    return conflicts
