from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Events"

    def ready(self):
        from . import change_notices, log_actions

        change_notices.connect_signals()
        log_actions.connect_signals()
