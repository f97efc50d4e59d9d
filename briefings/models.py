"""Interim-findings briefings, their recommendations and who is told when one is published.

A recommendation's current status is its latest dated status change, never a field of the
page: page revisions hold a copy of every field, so a status stored on the page would be
set back whenever an older draft was published.
"""

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    PageChooserPanel,
)
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page

from kx_site.audience import AudienceMixin, visible_to
from kx_site.blocks import BaseStreamBlock
from kx_site.models import AudienceIndexPage, AudiencePageMixin
from kx_site.more_available import more_available
from kx_site.pagination import paginate


class RecommendationStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted"
    IN_PROGRESS = "in_progress", "In progress"
    IMPLEMENTED = "implemented", "Implemented"
    NOT_TAKEN_FORWARD = "not_taken_forward", "Not taken forward"


class RecommendationOwner(models.TextChoices):
    POLICE = "police", "Police"
    PROBATION = "probation", "Probation"
    BOTH = "both", "Police and probation"
    NATIONAL_BODY = "national_body", "National body"


class BriefingIndexPage(AudienceIndexPage):
    """``/briefings/``: the briefings the reader may see, newest first."""

    subpage_types = ["briefings.BriefingPage"]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        briefings = visible_to(BriefingPage.objects.child_of(self).live(), request.user)
        briefings = briefings.order_by("-publication_date", "-pk").only(
            "title",
            "url_path",
            "series",
            "number",
            "status",
            "publication_date",
            "summary",
            "marking",
            "audience",
        )
        context["briefings_page"] = paginate(request, briefings, self.per_page)
        context["more_available"] = more_available(
            BriefingPage.objects.child_of(self).live(), request.user
        )
        return context


class BriefingPage(AudiencePageMixin, Page):
    class Status(models.TextChoices):
        INTERIM = "interim", "Interim findings"
        FINAL = "final", "Final report"

    series = models.CharField(max_length=120, help_text="For example “ARMS evaluation”.")
    number = models.PositiveIntegerField(help_text="The briefing's number in its series.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.INTERIM)
    publication_date = models.DateField(default=timezone.localdate)
    summary = models.CharField(max_length=400)
    topics = ParentalManyToManyField("practice_library.Topic", blank=True, related_name="+")
    key_findings = StreamField(BaseStreamBlock(), blank=True)
    methods_note = models.TextField(
        blank=True, help_text="How the evidence was gathered, and its limits."
    )
    pdf = models.ForeignKey(
        "wagtaildocs.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="PDF",
        help_text="Served only to people who may see this briefing.",
    )
    supersedes = ParentalManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="superseded_by",
        help_text="Earlier briefings this one replaces: they will point readers here.",
    )

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("series"), FieldPanel("number")]),
                FieldPanel("status"),
                FieldPanel("publication_date"),
                FieldPanel("supersedes"),
            ],
            heading="Series and status",
        ),
        FieldPanel("summary"),
        FieldPanel("topics"),
        FieldPanel("key_findings"),
        FieldPanel("methods_note"),
        FieldPanel("pdf"),
        InlinePanel(
            "recommendations",
            heading="Recommendations",
            label="Recommendation",
            help_text="Change a recommendation's status under Briefings › Recommendations, "
            "which keeps its dated history.",
        ),
        InlinePanel("related_events", heading="Related events", label="Event"),
        InlinePanel("related_practices", heading="Related practices", label="Practice"),
    ]
    settings_panels = [*AudienceMixin.audience_panels, *Page.settings_panels]

    parent_page_types = ["briefings.BriefingIndexPage"]
    subpage_types = []

    class Meta:
        indexes = [models.Index(fields=["publication_date"])]

    # The page type each related-pages panel offers (its PageChooserPanel's page_type).
    related_page_models = {
        "related_events": "events.EventPage",
        "related_practices": "practice_library.PracticePage",
    }

    def visible_related(self, relation, user, *, in_memory=False):
        """Related live pages of one kind that ``user`` may see, by title, in one query.

        The audience rules run in the database (``visible_to``), never page by page: a check
        per page costs a query for each page restricted to other organisations.
        """
        model = apps.get_model(self.related_page_models[relation])
        if in_memory:
            # A preview's links live in memory, not yet in the database.
            ids = [link.page_id for link in getattr(self, relation).all() if link.page_id]
        else:
            link_model = self._meta.get_field(relation).related_model
            ids = link_model.objects.filter(briefing=self).values("page_id")
        pages = model.objects.filter(pk__in=ids).live().only("title", "url_path")
        return list(visible_to(pages, user).order_by("title", "pk"))

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        user = request.user
        is_preview = getattr(request, "is_preview", False)
        if is_preview:
            # A preview's recommendations live in memory, without a history yet.
            recommendations = list(self.recommendations.all())
            for recommendation in recommendations:
                recommendation.changes = []
            context["successors"] = []
        else:
            from .selectors import history_by_recommendation

            recommendations = list(with_current_status(self.recommendations.all()))
            history = history_by_recommendation(recommendations)
            for recommendation in recommendations:
                recommendation.changes = history.get(recommendation.pk, [])
            context["successors"] = list(
                visible_to(self.superseded_by.live(), user)
                .order_by("publication_date", "pk")
                .only("title", "url_path")
            )
        context["recommendations"] = recommendations
        for relation in self.related_page_models:
            context[relation] = self.visible_related(relation, user, in_memory=is_preview)
        context["briefing_topics"] = list(self.topics.all())
        return context


def with_current_status(recommendations):
    """Annotate ``current_status``: the latest dated change, or "proposed" if none."""
    latest = RecommendationStatusChange.objects.filter(recommendation=OuterRef("pk")).order_by(
        "-date", "-pk"
    )
    return recommendations.annotate(
        current_status=Coalesce(
            Subquery(latest.values("status")[:1]),
            Value(RecommendationStatus.PROPOSED),
            output_field=models.CharField(),
        )
    )


class Recommendation(Orderable):
    briefing = ParentalKey(BriefingPage, on_delete=models.CASCADE, related_name="recommendations")
    number = models.PositiveIntegerField()
    text = models.TextField()
    owner = models.CharField(max_length=16, choices=RecommendationOwner.choices)

    panels = [FieldPanel("number"), FieldPanel("text"), FieldPanel("owner")]

    class Meta(Orderable.Meta):
        ordering = ["number", "sort_order"]

    def __str__(self):
        return f"Recommendation {self.number}: {self.text[:60]}"

    @property
    def status_label(self):
        status = getattr(self, "current_status", RecommendationStatus.PROPOSED)
        return RecommendationStatus(status).label


class RecommendationStatusChange(models.Model):
    """One dated step in a recommendation's history (see ``recommendation_status_change``)."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="history"
    )
    status = models.CharField(max_length=20, choices=RecommendationStatus.choices)
    date = models.DateField()
    note = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "pk"]

    def __str__(self):
        return f"{self.get_status_display()} on {self.date:%d %B %Y}"


class BriefingRelatedEvent(Orderable):
    briefing = ParentalKey(BriefingPage, on_delete=models.CASCADE, related_name="related_events")
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")

    panels = [PageChooserPanel("page", page_type="events.EventPage")]


class BriefingRelatedPractice(Orderable):
    briefing = ParentalKey(
        BriefingPage, on_delete=models.CASCADE, related_name="related_practices"
    )
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")

    panels = [PageChooserPanel("page", page_type="practice_library.PracticePage")]


class BriefingSubscription(models.Model):
    """A member's wish to hear of new briefings: all of them, or those on chosen topics."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="briefing_subscription"
    )
    all_briefings = models.BooleanField(default=False)
    topics = models.ManyToManyField("practice_library.Topic", blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Briefing emails for {self.user}"


class BriefingAnnouncement(models.Model):
    """Kept once subscribers have been told of a briefing, so that they are told only once.

    A row of its own rather than a page field, because publishing a revision rewrites every
    page field from the revision's copy.
    """

    briefing = models.OneToOneField(
        BriefingPage, on_delete=models.CASCADE, related_name="announcement"
    )
    announced_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.briefing} announced {self.announced_at:%Y-%m-%d %H:%M}"
