from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import admin_views
from .models import Organisation
from .permissions import has_staff_perm


class OrganisationViewSet(SnippetViewSet):
    model = Organisation
    icon = "group"
    menu_label = "Organisations"
    list_display = ["name", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    add_to_admin_menu = True
    menu_order = 800


register_snippet(OrganisationViewSet)


@hooks.register("register_admin_urls")
def register_verification_urls():
    return [
        path("verification/", admin_views.queue, name="accounts_verification_queue"),
        path(
            "verification/<int:pk>/",
            admin_views.decide,
            name="accounts_verification_decide",
        ),
    ]


class VerificationMenuItem(MenuItem):
    def is_shown(self, request):
        return has_staff_perm(request.user, admin_views.DECIDE_PERMISSION)


@hooks.register("register_admin_menu_item")
def register_verification_menu_item():
    return VerificationMenuItem(
        "Verification requests",
        reverse("accounts_verification_queue"),
        icon_name="user",
        order=810,
    )
