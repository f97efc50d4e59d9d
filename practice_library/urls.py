from django.urls import path

from . import views

app_name = "practice_library"

urlpatterns = [
    path("submit/", views.submit, name="submit"),
    path("submit/check/", views.submit_check, name="submit_check"),
    path("submit/discard/", views.submit_discard, name="submit_discard"),
    path("submit/sent/<int:practice_id>/", views.submit_sent, name="submit_sent"),
    path("submit/<slug:step>/", views.submit_step, name="submit_step"),
    path("<int:practice_id>/adopt/", views.adopt, name="adopt"),
]
