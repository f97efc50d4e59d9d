from django.apps import AppConfig


class PracticeLibraryConfig(AppConfig):
    name = "practice_library"
    verbose_name = "Practice library"

    def ready(self):
        from . import signals

        signals.connect()
