"""Wagtail hooks for the organisers' tools: their URLs and the "Event organising" menu item."""

from django.urls import reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .. import admin_urls
from ..permissions import can_organise


@hooks.register("register_admin_urls")
def register_organiser_urls():
    return admin_urls.urlpatterns


class OrganiserMenuItem(MenuItem):
    def is_shown(self, request):
        return can_organise(request.user)


@hooks.register("register_admin_menu_item")
def register_organiser_menu_item():
    return OrganiserMenuItem(
        "Event organising",
        reverse("events_organiser_index"),
        icon_name="date",
        order=820,
    )


@hooks.register("register_admin_menu_item")
def register_feedback_menu_item():
    # The organising index lists upcoming events; feedback comes after an event has ended.
    return OrganiserMenuItem(
        "Event feedback",
        reverse("events_organiser_feedback_index"),
        icon_name="doc-full",
        order=821,
    )
