from django.urls import path

from . import calendar_feeds, views
from .feedback import views as feedback_views

app_name = "events"

urlpatterns = [
    path("", views.my_events, name="my_events"),
    path("my-data.json", views.my_data, name="my_data"),
    path("register/<int:event_id>/", views.register, name="register"),
    path("<int:registration_id>/accept/", views.accept_offer, name="accept_offer"),
    path("<int:registration_id>/cancel/", views.cancel, name="cancel"),
    path("<int:registration_id>/sessions/", views.change_sessions, name="change_sessions"),
    path("<int:registration_id>/ticket/", views.ticket, name="ticket"),
    path("<int:registration_id>/calendar.ics", views.calendar_file, name="calendar"),
    path("calendar/<str:token>.ics", calendar_feeds.personal_feed, name="personal_calendar_feed"),
    path("calendar/reset/", calendar_feeds.personal_feed_reset, name="personal_calendar_reset"),
    path("messages/<int:message_id>/", views.message, name="message"),
    path("<int:registration_id>/feedback/", feedback_views.feedback, name="feedback"),
    path("<int:registration_id>/certificate.pdf", feedback_views.certificate, name="certificate"),
    path("certificates/", feedback_views.certificate_check, name="certificate_check_form"),
    path(
        "certificates/<str:reference>/",
        feedback_views.certificate_check,
        name="certificate_check",
    ),
]
