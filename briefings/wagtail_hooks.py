from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from accounts.permissions import in_staff_group

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
        return in_staff_group(request.user, "Editors", "Senior editors")


@hooks.register("register_admin_menu_item")
def register_recommendations_menu_item():
    return EditorsMenuItem(
        "Recommendations",
        reverse("briefings_admin_recommendations"),
        icon_name="tasks",
        order=830,
    )
