"""Editors change a recommendation's status here, so that each change is dated and kept.

A viewset of two views guarded by the permission policy of ``Recommendation`` (its ``change``
permission, which the "Editors" and "Senior editors" groups hold); beyond that, only people who
may edit the briefing page may see or change its recommendations.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views.generic import FormView
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.views.reports import ReportView
from wagtail.admin.viewsets.base import ViewSet
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.permissions import policy_registry

from . import services
from .forms import RecommendationStatusForm
from .models import Recommendation, RecommendationStatusChange, with_current_status

CHANGE_ACTION = "change"


def editable_recommendations(user):
    """Recommendations of the briefings ``user`` may edit."""
    briefing_pages = PagePermissionPolicy().instances_user_has_permission_for(user, "change")
    return Recommendation.objects.filter(briefing__in=briefing_pages.values("pk"))


class BriefingColumn(Column):
    def get_value(self, instance):
        briefing = instance.briefing
        return briefing.title if briefing.live else f"{briefing.title} (draft)"


class ChangeStatusColumn(Column):
    cell_template_name = "briefings/admin/change_status_cell.html"

    def __init__(self, name, url_name, **kwargs):
        self.url_name = url_name
        super().__init__(name, **kwargs)

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["url"] = reverse(self.url_name, args=[instance.pk])
        return context


class RecommendationReportView(ReportView):
    """Every recommendation of the briefings the user may edit, newest briefing first, with a
    link to change each one's status; downloadable as CSV or XLSX."""

    model = Recommendation
    permission_required = CHANGE_ACTION
    page_title = "Recommendations"
    header_icon = "tasks"
    status_url_name = None
    list_export = ["briefing.title", "number", "text", "get_owner_display", "status_label"]
    export_headings = {
        "briefing.title": "Briefing",
        "number": "Number",
        "text": "Recommendation",
        "get_owner_display": "Owner",
        "status_label": "Status",
    }
    export_filename = "recommendations"

    @property
    def no_results_message(self):
        return "There are no recommendations in briefings you may edit."

    @cached_property
    def columns(self):
        return [
            BriefingColumn("briefing", label="Briefing"),
            Column("number", label="Number"),
            Column("text", label="Recommendation", accessor=lambda r: _truncated(r.text)),
            Column("owner", label="Owner", accessor="get_owner_display"),
            Column("status", label="Status", accessor="status_label"),
            ChangeStatusColumn("change_status", url_name=self.status_url_name, label=""),
        ]

    def get_queryset(self):
        return with_current_status(
            editable_recommendations(self.request.user)
            .select_related("briefing")
            .order_by("-briefing__publication_date", "briefing_id", "number", "pk")
        )


def _truncated(text, words=20):
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


class RecommendationStatusView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    """Change one recommendation's status (``services.recommendation_status_change``)."""

    model = Recommendation
    permission_required = CHANGE_ACTION
    page_title = "Change recommendation status"
    header_icon = "tasks"
    template_name = "briefings/admin/recommendation_status.html"
    form_class = RecommendationStatusForm
    http_method_names = ["get", "post"]
    index_url_name = None
    status_url_name = None

    # PermissionCheckedMixin checks the model permission first; then the briefing's page.
    def get(self, request, *args, **kwargs):
        self.check_briefing_permission()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.check_briefing_permission()
        return super().post(request, *args, **kwargs)

    def check_briefing_permission(self):
        if (
            not editable_recommendations(self.request.user)
            .filter(pk=self.recommendation.pk)
            .exists()
        ):
            raise PermissionDenied

    @cached_property
    def recommendation(self):
        return get_object_or_404(
            with_current_status(Recommendation.objects.select_related("briefing")),
            pk=self.kwargs["recommendation_id"],
        )

    def get_page_subtitle(self):
        return self.recommendation.briefing.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": "Recommendations"},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        recommendation = self.recommendation
        return super().get_context_data(
            recommendation=recommendation,
            briefing=recommendation.briefing,
            history=RecommendationStatusChange.objects.filter(
                recommendation=recommendation
            ).select_related("actor"),
            index_url=reverse(self.index_url_name),
            action_url=reverse(self.status_url_name, args=[recommendation.pk]),
            **kwargs,
        )

    def form_valid(self, form):
        recommendation = self.recommendation
        briefing = recommendation.briefing
        try:
            services.recommendation_status_change(
                recommendation=recommendation, actor=self.request.user, **form.cleaned_data
            )
        except ValidationError as error:
            for field, field_errors in error.message_dict.items():
                for field_error in field_errors:
                    form.add_error(field if field in form.fields else None, field_error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Recommendation {recommendation.number} of “{briefing.title}” updated.",
        )
        return redirect(self.index_url_name)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class RecommendationViewSet(ViewSet):
    name = "briefings/recommendations"
    url_namespace = "briefings_recommendations"
    icon = "tasks"
    menu_label = "Recommendations"
    menu_order = 830
    add_to_admin_menu = True

    @property
    def permission_policy(self):
        return policy_registry.get_by_type(Recommendation)

    @cached_property
    def menu_item_class(self):
        viewset = self

        class RecommendationsMenuItem(MenuItem):
            def is_shown(self, request):
                return viewset.permission_policy.user_has_permission(request.user, CHANGE_ACTION)

        return RecommendationsMenuItem

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            index_url_name=self.get_url_name("index"),
            index_results_url_name=self.get_url_name("index_results"),
            status_url_name=self.get_url_name("status"),
            **kwargs,
        )

    def get_urlpatterns(self):
        return [
            path("", self.construct_view(RecommendationReportView), name="index"),
            path(
                "results/",
                self.construct_view(RecommendationReportView, results_only=True),
                name="index_results",
            ),
            path(
                "<int:recommendation_id>/status/",
                self.construct_view(RecommendationStatusView),
                name="status",
            ),
        ]
