"""The organisers' tools as Wagtail admin viewsets: their URLs, and their menu items shown only
to those the organiser permission policy lets in (``events.permissions.organiser_policy``)."""

from django.urls import path
from django.utils.functional import cached_property
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet

from ..feedback import views as feedback_views
from ..permissions import ORGANISE, organiser_policy
from . import views


class OrganiserMenuItem(MenuItem):
    def is_shown(self, request):
        return organiser_policy.user_has_permission(request.user, ORGANISE)


class OrganiserViewSet(ViewSet):
    add_to_admin_menu = True

    @cached_property
    def menu_item_class(self):
        return OrganiserMenuItem


class OrganisingViewSet(OrganiserViewSet):
    """Upcoming events, and for each: delegates (with exports), approval, check-in, messages,
    cancelling, the summary."""

    name = "events_organising"
    # The paths the tools had before they were a viewset: /admin/events/organising/ and
    # /admin/events/<id>/delegates/ and so on.
    url_prefix = "events"
    icon = "date"
    menu_label = "Event organising"
    menu_order = 820

    def get_urlpatterns(self):
        event = "<int:event_id>"
        return [
            path("organising/", views.EventListView.as_view(), name="index"),
            path(f"{event}/delegates/", views.DelegateReportView.as_view(), name="delegates"),
            path(
                f"{event}/registrations/<int:registration_id>/<str:decision>/",
                views.DecideView.as_view(),
                name="decide",
            ),
            path(f"{event}/check-in/", views.CheckInView.as_view(), name="check_in"),
            path(f"{event}/message/", views.MessageView.as_view(), name="message"),
            path(f"{event}/cancel/", views.CancelEventView.as_view(), name="cancel"),
            path(f"{event}/summary/", views.SummaryView.as_view(), name="summary"),
        ]


class FeedbackViewSet(OrganiserViewSet):
    """Events that have ended, and each one's feedback report. A menu item of its own: the
    organising index lists upcoming events; feedback comes after an event has ended."""

    name = "events_feedback"
    url_prefix = "events"
    icon = "doc-full"
    menu_label = "Event feedback"
    menu_order = 821

    def get_urlpatterns(self):
        return [
            path("feedback/", feedback_views.FeedbackIndexView.as_view(), name="index"),
            path(
                "<int:event_id>/feedback/",
                feedback_views.FeedbackReportView.as_view(),
                name="report",
            ),
        ]
