"""The forums in the Wagtail admin: categories (snippets), the moderation tools and their menu."""

from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import admin_views, audit
from .models import ForumCategory


class ForumCategoryViewSet(SnippetViewSet):
    model = ForumCategory
    icon = "group"
    menu_label = "Forum categories"
    menu_order = 830
    add_to_admin_menu = True
    list_display = ["name", "audience", "marking", "sort_order"]
    search_fields = ["name", "description"]


register_snippet(ForumCategoryViewSet)


hooks.register("register_log_actions", audit.MODERATION_LOG.register)


@hooks.register("register_admin_viewset")
def register_moderation_viewset():
    return [admin_views.ModerationViewSet(), admin_views.SessionDiscussionViewSet()]
