from django.apps import AppConfig


class KxSiteConfig(AppConfig):
    name = "kx_site"
    verbose_name = "KX site"

    def ready(self):
        from . import page_cache

        page_cache.connect_signals()
