from django.apps import AppConfig


class BriefingsConfig(AppConfig):
    name = "briefings"
    verbose_name = "Briefings"

    def ready(self):
        from . import home, search_documents, signals  # noqa: F401 (home registers its home page section)

        signals.connect()
        # The briefings' search documents (before search's own ready).
        search_documents.register()
