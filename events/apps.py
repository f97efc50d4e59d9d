from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Events"

    def ready(self):
        from . import change_notices, home, log_actions, search_documents  # noqa: F401 (home registers the home page sections)

        change_notices.connect_signals()
        log_actions.connect_signals()
        # The events' search documents (before search's own ready).
        search_documents.register()
