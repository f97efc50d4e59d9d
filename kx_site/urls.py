from django.conf import settings
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from . import health, media, views

# Image files go through the access check in every setting; their URLs stay Wagtail's own.
media_path = settings.MEDIA_URL.lstrip("/")

urlpatterns = [
    # Staff sign in through allauth so that the MFA step always applies.
    path("admin/login/", RedirectView.as_view(url="/accounts/login/?next=/admin/")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("my-events/", include("events.urls")),
    path("events/", include("events.calendar_urls")),
    path("library/", include("practice_library.urls")),
    path("briefings/", include("briefings.urls")),
    path("forums/", include("forums.urls")),
    path("", include("search.urls")),
    path("sitemap.xml", sitemap),
    path("robots.txt", views.robots_txt),
    # Probes: kx_site.health.ProbeMiddleware answers these paths first; the routes name them.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path(
        f"{media_path}{media.RENDITIONS_FOLDER}/<path:path>",
        media.serve_image_file,
        {"folder": media.RENDITIONS_FOLDER},
        name="image_rendition_file",
    ),
    path(
        f"{media_path}{media.ORIGINALS_FOLDER}/<path:path>",
        media.serve_image_file,
        {"folder": media.ORIGINALS_FOLDER},
        name="image_original_file",
    ),
]

if settings.DEBUG:
    urlpatterns += [path("500/", views.server_error_preview)]
if settings.KX_BENCH_VIEWS:
    urlpatterns += [path("_bench/bare/", views.bare)]

urlpatterns += [path("", include(wagtail_urls))]

handler403 = "kx_site.views.permission_denied"
handler404 = "kx_site.views.page_not_found"
handler500 = "kx_site.views.server_error"
