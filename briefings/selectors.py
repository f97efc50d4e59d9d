"""Reads that decide which briefings and recommendations someone may see."""

from django.db.models import Count, Q

from kx_site.audience import visible_to

from .models import (
    BriefingPage,
    Recommendation,
    RecommendationStatus,
    RecommendationStatusChange,
    with_current_status,
)


def visible_briefings(user):
    """Live briefings ``user`` may see."""
    return visible_to(BriefingPage.objects.live(), user)


def visible_recommendations(user):
    """Recommendations of the live briefings ``user`` may see, with ``current_status``."""
    briefing_ids = visible_briefings(user).values("pk")
    return with_current_status(
        Recommendation.objects.filter(briefing_id__in=briefing_ids)
    ).select_related("briefing")


def recommendation_counts(recommendations):
    """``{"total": n, <status>: n, ...}`` for annotated recommendations, in one query."""
    aggregates = {"total": Count("pk")}
    for status in RecommendationStatus.values:
        aggregates[status] = Count("pk", filter=Q(current_status=status))
    return recommendations.order_by().aggregate(**aggregates)


def history_by_recommendation(recommendations):
    """Each recommendation's dated status changes, oldest first, in one query."""
    history = {}
    changes = RecommendationStatusChange.objects.filter(
        recommendation__in=[r.pk for r in recommendations]
    ).order_by("date", "pk")
    for change in changes:
        history.setdefault(change.recommendation_id, []).append(change)
    return history
