from django.apps import AppConfig


class PracticeLibraryConfig(AppConfig):
    name = "practice_library"
    verbose_name = "Practice library"

    def ready(self):
        from . import home, signals  # noqa: F401 (home registers its home page section)

        signals.connect()
