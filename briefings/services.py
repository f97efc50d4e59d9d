"""Every change to recommendations and subscriptions, and the emails that publishing sends."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from kx_site import notifications
from kx_site.audience import can_view
from kx_site.links import absolute_url
from kx_site.notifications import queue_email

from .models import (
    BriefingAnnouncement,
    BriefingPage,
    BriefingSubscription,
    Recommendation,
    RecommendationStatus,
    RecommendationStatusChange,
)

UNSUBSCRIBE_SALT = "briefings.unsubscribe"


@transaction.atomic
def recommendation_status_change(
    *,
    recommendation: Recommendation,
    status: str,
    note: str = "",
    actor=None,
    date: datetime.date | None = None,
) -> RecommendationStatusChange:
    """Record that ``recommendation`` moved to ``status`` on ``date`` (today by default)."""
    if status not in RecommendationStatus.values:
        raise ValidationError({"status": "Select a status from the list."})
    date = date or timezone.localdate()
    if date > timezone.localdate():
        raise ValidationError({"date": "The date of the change must be today or in the past."})
    return RecommendationStatusChange.objects.create(
        recommendation=recommendation, status=status, note=note.strip(), actor=actor, date=date
    )


@transaction.atomic
def subscription_save(*, user, all_briefings: bool, topics=()) -> BriefingSubscription | None:
    """Subscribe ``user`` to every briefing or to ``topics``; neither means no emails at all."""
    topics = list(topics)
    if not all_briefings and not topics:
        subscription_cancel(user=user)
        return None
    subscription, _ = BriefingSubscription.objects.update_or_create(
        user=user, defaults={"all_briefings": all_briefings}
    )
    subscription.topics.set([] if all_briefings else topics)
    return subscription


@transaction.atomic
def subscription_cancel(*, user) -> bool:
    deleted, _ = BriefingSubscription.objects.filter(user=user).delete()
    return bool(deleted)


def unsubscribe_token(user) -> str:
    return notifications.unsubscribe_token(user, salt=UNSUBSCRIBE_SALT)


def user_pk_from_unsubscribe_token(token: str) -> int | None:
    return notifications.user_pk_from_unsubscribe_token(token, salt=UNSUBSCRIBE_SALT)


def subscribers_for(briefing: BriefingPage):
    """Subscriptions that ask for ``briefing`` or for a briefing it supersedes, whoever they are.

    Who may actually be told is decided per person by ``can_view``.
    """
    superseded = list(briefing.supersedes.all())
    topic_ids = set(briefing.topics.values_list("pk", flat=True))
    for earlier in superseded:
        topic_ids |= set(earlier.topics.values_list("pk", flat=True))
    wanted = Q(all_briefings=True)
    if topic_ids:
        wanted |= Q(topics__in=topic_ids)
    return (
        BriefingSubscription.objects.filter(wanted, user__is_active=True)
        .select_related("user", "user__organisation")
        .distinct()
        .order_by("pk")
    )


@transaction.atomic
def briefing_announce(*, briefing: BriefingPage) -> int:
    """Email subscribers about ``briefing`` the first time it is published; later edits are quiet.

    Returns how many people were emailed (0 if they had been told already).
    """
    briefing = BriefingPage.objects.get(pk=briefing.pk)
    # Wagtail sends page_published for a publication scheduled for later too.
    if not briefing.live:
        return 0
    if BriefingAnnouncement.objects.filter(briefing=briefing).exists():
        return 0
    try:
        with transaction.atomic():
            announcement = BriefingAnnouncement.objects.create(briefing=briefing)
    except IntegrityError:  # Announced by a concurrent publication.
        return 0
    superseded = [earlier for earlier in briefing.supersedes.all() if earlier.live]
    sent = 0
    for subscription in subscribers_for(briefing):
        user = subscription.user
        if not can_view(user, briefing):
            continue
        _queue_announcement(briefing, user, [b for b in superseded if can_view(user, b)])
        sent += 1
    announcement.recipients = sent
    announcement.save(update_fields=["recipients"])
    return sent


def _queue_announcement(briefing, user, superseded):
    token = unsubscribe_token(user)
    unsubscribe_url = absolute_url(reverse("briefings:unsubscribe", args=[token]))
    queue_email(
        template_name="briefings/published",
        to=user.email,
        context={
            "briefing": briefing,
            "briefing_url": absolute_url(briefing.url),
            "superseded": superseded,
            "recipient": user,
            "unsubscribe_url": unsubscribe_url,
        },
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def workflow_outcome_notify(*, workflow_state, actor, approved: bool) -> bool:
    """Tell the person who submitted an item for moderation what the reviewer decided.

    Used for every page and snippet that passes a Wagtail workflow; it replaces Wagtail's own
    approval and rejection emails (see ``briefings.signals``), so nobody is told twice.
    """
    item = workflow_state.content_object
    specific = getattr(item, "specific", item)
    author = workflow_state.requested_by or getattr(specific, "owner", None)
    if author is None or not author.email or not author.is_active or author == actor:
        return False
    if approved:
        decided = (
            workflow_state.task_states.filter(status="approved")
            .order_by("-finished_at", "-pk")
            .first()
        )
    else:
        decided = workflow_state.current_task_state
    comment = decided.specific.get_comment() if decided else ""
    url = ""
    if getattr(specific, "live", False) and getattr(specific, "url", None):
        url = absolute_url(specific.url)
    queue_email(
        template_name=f"briefings/workflow_{'approved' if approved else 'rejected'}",
        to=author.email,
        context={
            "item_title": str(getattr(specific, "title", specific)),
            "item_url": url,
            "comment": comment,
            "recipient": author,
            "workflow_name": workflow_state.workflow.name,
        },
    )
    return True
