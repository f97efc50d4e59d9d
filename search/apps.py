from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self):
        from kx_site.health import register_readiness_check

        from . import signals
        from .health import check_engine

        signals.connect()
        register_readiness_check("search", check_engine)
