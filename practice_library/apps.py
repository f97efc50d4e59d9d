from django.apps import AppConfig


class PracticeLibraryConfig(AppConfig):
    name = "practice_library"
    verbose_name = "Practice library"

    def ready(self):
        from . import home, search_documents, signals  # noqa: F401 (home registers its section)

        signals.connect()
        # The library's search document, facets and finder (before search's own ready).
        search_documents.register()
