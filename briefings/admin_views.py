"""Editors change a recommendation's status here, so that each change is dated and kept.

Only people who may edit the briefing page may change its recommendations.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse

from accounts.permissions import has_staff_powers

from . import services
from .forms import RecommendationStatusForm
from .models import BriefingPage, Recommendation, RecommendationStatusChange, with_current_status


def _editable(user, briefing):
    return has_staff_powers(user) and briefing.permissions_for_user(user).can_edit()


def recommendations_index(request):
    briefings = [
        briefing
        for briefing in BriefingPage.objects.order_by("-publication_date", "pk").prefetch_related(
            Prefetch(
                "recommendations",
                queryset=with_current_status(Recommendation.objects.order_by("number", "pk")),
            )
        )
        if _editable(request.user, briefing)
    ]
    return TemplateResponse(
        request, "briefings/admin/recommendations_index.html", {"briefings": briefings}
    )


def recommendation_status(request, recommendation_id):
    recommendation = get_object_or_404(
        with_current_status(Recommendation.objects.select_related("briefing")),
        pk=recommendation_id,
    )
    briefing = recommendation.briefing
    if not _editable(request.user, briefing):
        raise PermissionDenied
    form = RecommendationStatusForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.recommendation_status_change(
                recommendation=recommendation, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            for field, field_errors in error.message_dict.items():
                for field_error in field_errors:
                    form.add_error(field if field in form.fields else None, field_error)
        else:
            messages.success(
                request, f"Recommendation {recommendation.number} of “{briefing.title}” updated."
            )
            return redirect("briefings_admin_recommendations")
    history = RecommendationStatusChange.objects.filter(
        recommendation=recommendation
    ).select_related("actor")
    return TemplateResponse(
        request,
        "briefings/admin/recommendation_status.html",
        {
            "recommendation": recommendation,
            "briefing": briefing,
            "form": form,
            "history": history,
        },
        status=400 if form.errors else 200,
    )
