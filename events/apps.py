from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Events"

    def ready(self):
        from . import change_notices, home, log_actions  # noqa: F401 (home registers the home page sections)

        change_notices.connect_signals()
        log_actions.connect_signals()
