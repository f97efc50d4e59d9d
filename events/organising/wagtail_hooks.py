"""Wagtail hooks for the organisers' tools: their viewsets (URLs and menu items)."""

from wagtail import hooks

from .viewsets import FeedbackViewSet, OrganisingViewSet


@hooks.register("register_admin_viewset")
def register_organiser_viewsets():
    return [OrganisingViewSet(), FeedbackViewSet()]
