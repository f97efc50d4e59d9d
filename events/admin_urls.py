"""Admin URLs for the organisers' tools, mounted under /admin/ by a register_admin_urls hook."""

from django.urls import path

from .feedback import views as feedback_views
from .organising import views as organiser_views

urlpatterns = [
    path("events/organising/", organiser_views.index, name="events_organiser_index"),
    path(
        "events/<int:event_id>/delegates/",
        organiser_views.delegates,
        name="events_organiser_delegates",
    ),
    path(
        "events/<int:event_id>/delegates.csv",
        organiser_views.export_csv,
        name="events_organiser_export_csv",
    ),
    path(
        "events/<int:event_id>/delegates.xlsx",
        organiser_views.export_xlsx,
        name="events_organiser_export_xlsx",
    ),
    path(
        "events/<int:event_id>/registrations/<int:registration_id>/<str:decision>/",
        organiser_views.decide,
        name="events_organiser_decide",
    ),
    path(
        "events/<int:event_id>/check-in/",
        organiser_views.check_in,
        name="events_organiser_check_in",
    ),
    path(
        "events/<int:event_id>/message/",
        organiser_views.message,
        name="events_organiser_message",
    ),
    path(
        "events/<int:event_id>/cancel/",
        organiser_views.cancel_event,
        name="events_organiser_cancel",
    ),
    path(
        "events/<int:event_id>/summary/",
        organiser_views.summary,
        name="events_organiser_summary",
    ),
    path("events/feedback/", feedback_views.report_index, name="events_organiser_feedback_index"),
    path(
        "events/<int:event_id>/feedback/",
        feedback_views.report,
        name="events_organiser_feedback",
    ),
]
