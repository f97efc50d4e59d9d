from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Topic


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    menu_label = "Topics"
    menu_order = 310
    add_to_admin_menu = True
    list_display = ["name", "slug", "description"]
    search_fields = ["name", "description"]


register_snippet(TopicViewSet)
