from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .import_views import PracticeImportViewSet
from .models import ImportAlias, Topic


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    menu_label = "Topics"
    menu_order = 310
    add_to_admin_menu = True
    list_display = ["name", "slug", "description"]
    search_fields = ["name", "description"]


register_snippet(TopicViewSet)


class ImportAliasViewSet(SnippetViewSet):
    """Other names import files use for topics and organisations: see ``importing``."""

    model = ImportAlias
    icon = "tag"
    menu_label = "Import aliases"
    menu_order = 330
    add_to_admin_menu = True
    list_display = ["name", "topic", "organisation"]
    list_filter = ["topic", "organisation"]
    search_fields = ["name"]


register_snippet(ImportAliasViewSet)


@hooks.register("register_admin_viewset")
def register_practice_import_viewset():
    return PracticeImportViewSet()
