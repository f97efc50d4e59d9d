from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views


@hooks.register("register_admin_urls")
def register_briefings_admin_urls():
    return [
        path(
            "briefings/recommendations/",
            admin_views.recommendations_index,
            name="briefings_admin_recommendations",
        ),
        path(
            "briefings/recommendations/<int:recommendation_id>/status/",
            admin_views.recommendation_status,
            name="briefings_admin_recommendation_status",
        ),
    ]


class EditorsMenuItem(MenuItem):
    def is_shown(self, request):
        user = request.user
        return (
            user.is_superuser
            or user.groups.filter(name__in=["Editors", "Senior editors"]).exists()
        )


@hooks.register("register_admin_menu_item")
def register_recommendations_menu_item():
    return EditorsMenuItem(
        "Recommendations",
        reverse("briefings_admin_recommendations"),
        icon_name="tasks",
        order=830,
    )
