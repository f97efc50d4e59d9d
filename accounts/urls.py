from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("verification/request/", views.verification_request, name="verification_request"),
    path("verification/organisation/", views.choose_organisation, name="choose_organisation"),
    path("verification/confirm/", views.reconfirm, name="reconfirm"),
]
