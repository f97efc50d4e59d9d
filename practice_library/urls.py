from django.urls import path

from . import views

app_name = "practice_library"

urlpatterns = [
    path("submit/", views.submit, name="submit"),
    path("<int:practice_id>/adopt/", views.adopt, name="adopt"),
]
