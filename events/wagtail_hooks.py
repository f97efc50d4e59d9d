from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .log_actions import REGISTRATION_LOG
from .models import Speaker, Venue
from .organising import wagtail_hooks as organising_hooks  # noqa: F401 - registers the organisers' tools


class VenueViewSet(SnippetViewSet):
    model = Venue
    icon = "site"
    menu_label = "Venues"
    list_display = ["name", "address"]
    search_fields = ["name", "address"]


class SpeakerViewSet(SnippetViewSet):
    model = Speaker
    icon = "user"
    menu_label = "Speakers"
    list_display = ["name", "role", "organisation"]
    search_fields = ["name", "role", "organisation"]


class EventsSnippetGroup(SnippetViewSetGroup):
    items = (VenueViewSet, SpeakerViewSet)
    menu_icon = "date"
    menu_label = "Events"
    menu_name = "events"


register_snippet(EventsSnippetGroup)


hooks.register("register_log_actions", REGISTRATION_LOG.register)
