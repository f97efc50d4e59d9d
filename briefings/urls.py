from django.urls import path

from . import views
from .feeds import PublicBriefingsFeed

app_name = "briefings"

urlpatterns = [
    path("feed/", PublicBriefingsFeed(), name="feed"),
    path("recommendations/", views.recommendations, name="recommendations"),
    path("subscriptions/", views.subscriptions, name="subscriptions"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
