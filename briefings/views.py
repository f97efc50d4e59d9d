"""The recommendations tracker, subscriptions and one-click unsubscribe."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.models import User
from kx_site.audience import user_has_verified_email
from kx_site.pagination import paginate
from practice_library.models import Topic

from . import selectors, services
from .forms import RecommendationFilterForm, SubscriptionForm
from .models import BriefingIndexPage, BriefingSubscription

RECOMMENDATIONS_PER_PAGE = 50


def recommendations(request):
    visible = selectors.visible_recommendations(request.user)
    briefings = selectors.visible_briefings(request.user).order_by("-publication_date", "pk")
    filter_form = RecommendationFilterForm(
        request.GET,
        briefings=briefings.only("pk", "title"),
        topics=Topic.objects.only("slug", "name"),
    )
    filtered = filter_form.filter(visible)
    counts = selectors.recommendation_counts(filtered)
    recommendations_page = paginate(
        request,
        filtered.order_by("-briefing__publication_date", "briefing_id", "number", "pk"),
        RECOMMENDATIONS_PER_PAGE,
    )
    items = list(recommendations_page.object_list)
    history = selectors.history_by_recommendation(items)
    for recommendation in items:
        recommendation.changes = history.get(recommendation.pk, [])
    return render(
        request,
        "briefings/recommendations.html",
        {
            "filter_form": filter_form,
            "counts": counts,
            "recommendations_page": recommendations_page,
            "recommendations": items,
            "index": BriefingIndexPage.objects.live().first(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def subscriptions(request):
    if not user_has_verified_email(request.user):
        return render(request, "briefings/subscriptions_unverified.html", status=403)
    subscription = BriefingSubscription.objects.filter(user=request.user).first()
    if request.method == "POST":
        form = SubscriptionForm(request.POST)
        if form.is_valid():
            all_briefings = form.cleaned_data["scope"] == SubscriptionForm.ALL
            services.subscription_save(
                user=request.user,
                all_briefings=all_briefings,
                topics=form.cleaned_data["topics"],
            )
            messages.success(
                request,
                "We will email you about every new briefing."
                if all_briefings
                else "We will email you about new briefings on the topics you chose.",
            )
            return redirect("briefings:subscriptions")
    else:
        initial = {}
        if subscription:
            initial = {
                "scope": SubscriptionForm.ALL
                if subscription.all_briefings
                else SubscriptionForm.TOPICS,
                "topics": list(subscription.topics.all()),
            }
        form = SubscriptionForm(initial=initial)
    return render(
        request,
        "briefings/subscriptions.html",
        {
            "form": form,
            "subscription": subscription,
            "unsubscribe_token": services.unsubscribe_token(request.user),
        },
    )


# Mail programs send the one-click unsubscribe POST (RFC 8058) without a CSRF token; the signed
# token in the address is what proves the request is the subscriber's.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    user_pk = services.user_pk_from_unsubscribe_token(token)
    user = User.objects.filter(pk=user_pk).first() if user_pk else None
    if user is None:
        return render(request, "briefings/unsubscribe_invalid.html", status=404)
    if request.method == "POST":
        services.subscription_cancel(user=user)
        return render(request, "briefings/unsubscribed.html")
    return render(request, "briefings/unsubscribe.html", {"token": token})
