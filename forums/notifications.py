"""Who hears about a new post, and the emails that tell them.

A member's level for a thread (watch, normal, mute) wins over their level for its category;
with neither they are at "normal": told only when mentioned. Muting silences mentions too.
Nobody is told about a post in a category ``visible_categories`` does not give them, checked
when the notification is made and again when a digest is sent. Emails about
OFFICIAL-SENSITIVE categories carry thread titles and links only, never post text.
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from kx_site import notifications
from kx_site.links import absolute_url
from kx_site.notifications import queue_email

from .models import ForumMember, ForumSubscription, Notification, Post, WatchLevel
from .rendering import mentioned_handles
from .selectors import mentionable_members, visible_categories

UNSUBSCRIBE_SALT = "forums.unsubscribe"
EXCERPT_WORDS = 60
Frequency = ForumMember.EmailFrequency


def unsubscribe_token(user) -> str:
    return notifications.unsubscribe_token(user, salt=UNSUBSCRIBE_SALT)


def user_pk_from_unsubscribe_token(token: str) -> int | None:
    return notifications.user_pk_from_unsubscribe_token(token, salt=UNSUBSCRIBE_SALT)


def _levels(post):
    """{user_id: level} for everyone with a level for the post's thread or category."""
    levels = {}
    subscriptions = ForumSubscription.objects.filter(
        thread=post.thread_id
    ) | ForumSubscription.objects.filter(category=post.thread.category_id)
    for subscription in subscriptions.order_by("thread"):  # Category rows (NULL thread) first
        if subscription.thread_id is None:
            levels.setdefault(subscription.user_id, subscription.level)
        else:
            levels[subscription.user_id] = subscription.level
    return levels


def recipients_for(post, only_handles=None) -> dict:
    """{user: reason} for a visible post: mentioned members and watchers who may see it.

    With ``only_handles`` (after an edit), only those of them the post mentions.
    """
    levels = _levels(post)
    reasons = {}
    handles = mentioned_handles(post.body)
    if only_handles is not None:
        handles &= set(only_handles)
        levels = {user_id: level for user_id, level in levels.items() if level == WatchLevel.MUTE}
    if handles:
        # The same members the post links: a handle that is not linked tells nobody.
        for member in mentionable_members().filter(handle__in=handles).only("user_id"):
            if levels.get(member.user_id, WatchLevel.NORMAL) != WatchLevel.MUTE:
                reasons[member.user_id] = Notification.Reason.MENTION
    for user_id, level in levels.items():
        if level == WatchLevel.WATCH:
            reasons.setdefault(user_id, Notification.Reason.WATCHING)
    reasons.pop(post.author_id, None)
    from accounts.models import User

    users = User.objects.filter(pk__in=reasons, is_active=True).select_related("organisation")
    return {
        user: reasons[user.pk]
        for user in users
        if visible_categories(user).filter(pk=post.thread.category_id).exists()
    }


@transaction.atomic
def notify_post(post_id: int, only_handles=None) -> int:
    """Make the notifications for a post and email those who want them at once.

    Nobody is told twice about one post; ``only_handles`` limits it to those mentioned.
    """
    post = (
        Post.objects.select_related("thread__category", "author__organisation")
        .filter(pk=post_id, status=Post.Status.VISIBLE)
        .first()
    )
    if post is None:
        return 0
    made = 0
    for user, reason in recipients_for(post, only_handles).items():
        notification, created = Notification.objects.get_or_create(
            user=user, post=post, defaults={"reason": reason}
        )
        if not created:
            continue
        made += 1
        frequency = _frequency(user)
        if frequency == Frequency.IMMEDIATE:
            _email_notification(notification)
        if frequency != Frequency.DAILY:
            # "Never" members are not sent these later in a digest either.
            notification.emailed_at = timezone.now()
            notification.save(update_fields=["emailed_at"])
    return made


def _frequency(user):
    member = ForumMember.objects.filter(user=user).only("email_frequency").first()
    return member.email_frequency if member else Frequency.IMMEDIATE


def _unsubscribe(user):
    url = absolute_url(reverse("forums:unsubscribe", args=[unsubscribe_token(user)]))
    headers = {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return url, headers


def _full_url(post):
    return absolute_url(post.get_absolute_url())


def _excerpt(post):
    if post.thread.category.is_sensitive:
        return ""
    return Truncator(" ".join(post.body.split())).words(EXCERPT_WORDS)


def _email_notification(notification):
    post = notification.post
    url, headers = _unsubscribe(notification.user)
    queue_email(
        template_name="forums/notification",
        to=notification.user.email,
        context={
            "recipient": notification.user,
            "post": post,
            "thread": post.thread,
            "author_name": post.author.get_full_name() or "A member",
            "reason": notification.get_reason_display(),
            "excerpt": _excerpt(post),
            "sensitive": post.thread.category.is_sensitive,
            "post_url": _full_url(post),
            "unsubscribe_url": url,
        },
        headers=headers,
    )


def send_daily_digests(*, now=None) -> int:
    """One email per "daily" member with what they have not been sent. Safe to run again."""
    from accounts.models import User

    now = now or timezone.now()
    due = Notification.objects.filter(emailed_at__isnull=True)
    user_ids = set(
        due.filter(user__forum_member__email_frequency=Frequency.DAILY).values_list(
            "user_id", flat=True
        )
    )
    sent = 0
    for user in User.objects.filter(pk__in=user_ids, is_active=True).select_related(
        "organisation"
    ):
        with transaction.atomic():
            notifications = list(
                due.filter(user=user)
                .select_for_update(of=("self",))
                .select_related("post__thread__category", "post__author")
            )
            visible = set(visible_categories(user).values_list("pk", flat=True))
            items = [
                n
                for n in notifications
                if n.post.status == Post.Status.VISIBLE and n.post.thread.category_id in visible
            ]
            Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(
                emailed_at=now
            )
            if not items:
                continue
            url, headers = _unsubscribe(user)
            queue_email(
                template_name="forums/digest",
                to=user.email,
                context={
                    "recipient": user,
                    "items": [
                        {
                            "thread": n.post.thread,
                            "reason": n.get_reason_display(),
                            "author_name": n.post.author.get_full_name() or "A member",
                            "excerpt": _excerpt(n.post),
                            "sensitive": n.post.thread.category.is_sensitive,
                            "url": _full_url(n.post),
                        }
                        for n in items
                    ],
                    "unsubscribe_url": url,
                },
                headers=headers,
            )
            sent += 1
    return sent
