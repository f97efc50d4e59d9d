"""The verification queue in the Wagtail admin: a viewset of two views, guarded by the
permission policy of ``VerificationRequest`` (the ``change`` permission)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.permissions import policy_registry

from . import services
from .models import VerificationRequest

DECIDE_ACTION = "change"


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("refuse", "Refuse")], widget=forms.RadioSelect
    )
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Sent to the member. Required when refusing.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "refuse" and not cleaned.get("note"):
            self.add_error("note", "Say why the request is refused.")
        return cleaned


class VerificationView(PermissionCheckedMixin, WagtailAdminTemplateMixin):
    model = VerificationRequest
    permission_required = DECIDE_ACTION
    header_icon = "user"
    index_url_name = None

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": "Verification requests"},
        ]


class QueueView(VerificationView, TemplateView):
    """Requests waiting for a decision, oldest first, then the 20 latest decisions."""

    page_title = "Verification requests"
    template_name = "accounts/admin/verification_queue.html"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            pending=VerificationRequest.objects.filter(
                status=VerificationRequest.Status.PENDING
            ).select_related("user", "organisation"),
            decided=VerificationRequest.objects.exclude(status=VerificationRequest.Status.PENDING)
            .select_related("user", "organisation", "decided_by")
            .order_by("-decided_at")[:20],
            **kwargs,
        )


class DecideView(VerificationView, FormView):
    """Approve or refuse one request (``services.verification_request_decide``)."""

    page_title = "Decide on verification request"
    template_name = "accounts/admin/verification_decide.html"
    form_class = DecisionForm
    http_method_names = ["get", "post"]
    decide_url_name = None

    @cached_property
    def verification_request(self):
        return get_object_or_404(
            VerificationRequest.objects.select_related("user", "organisation"),
            pk=self.kwargs["pk"],
        )

    def get_page_subtitle(self):
        return str(self.verification_request.user)

    def get_breadcrumbs_items(self):
        return [*super().get_breadcrumbs_items(), {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            verification_request=self.verification_request,
            index_url=reverse(self.index_url_name),
            action_url=reverse(self.decide_url_name, args=[self.verification_request.pk]),
            **kwargs,
        )

    def form_valid(self, form):
        verification_request = self.verification_request
        try:
            services.verification_request_decide(
                verification_request=verification_request,
                approve=form.cleaned_data["decision"] == "approve",
                decided_by=self.request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            messages.error(self.request, error.messages[0])
        else:
            messages.success(self.request, f"Decision recorded for {verification_request.user}.")
        return redirect(self.index_url_name)


class VerificationViewSet(ViewSet):
    name = "verification"
    url_namespace = "accounts_verification"
    icon = "user"
    menu_label = "Verification requests"
    menu_order = 810
    add_to_admin_menu = True

    @property
    def permission_policy(self):
        return policy_registry.get_by_type(VerificationRequest)

    @cached_property
    def menu_item_class(self):
        viewset = self

        class VerificationMenuItem(MenuItem):
            def is_shown(self, request):
                return viewset.permission_policy.user_has_permission(request.user, DECIDE_ACTION)

        return VerificationMenuItem

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(index_url_name=self.get_url_name("index"), **kwargs)

    @property
    def index_view(self):
        return self.construct_view(QueueView)

    @property
    def decide_view(self):
        return self.construct_view(DecideView, decide_url_name=self.get_url_name("decide"))

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("<int:pk>/", self.decide_view, name="decide"),
        ]
