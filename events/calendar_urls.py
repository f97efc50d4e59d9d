"""Calendar files anyone may ask for, next to the events pages at /events/ (kx_site.urls puts
these before Wagtail's pages; no page slug can end in ".ics")."""

from django.urls import path

from . import calendar_feeds

app_name = "event_calendar"

urlpatterns = [
    path("calendar.ics", calendar_feeds.public_feed, name="public_feed"),
    path("calendar/<int:event_id>.ics", calendar_feeds.event_file, name="event"),
]
