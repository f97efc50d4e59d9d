from django.urls import path

from . import views

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
]
