from django.apps import AppConfig


class ForumsConfig(AppConfig):
    name = "forums"
    verbose_name = "Forums"

    def ready(self):
        from kx_site.audience import register_quoting_check

        from . import home, search_documents  # noqa: F401 (home registers its home page section)
        from .selectors import session_thread_quoting_conflicts

        register_quoting_check(session_thread_quoting_conflicts)
        # The forums' search documents (before search's own ready).
        search_documents.register()
