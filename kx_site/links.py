"""Absolute links for emails, calendar files and certificates: derived one way everywhere.

Inside a request, a link starts with the scheme and host that request came in on (as allauth's
sign-up email does), so the site answers it whatever host or port it runs on. Without a request
(a scheduled task, a database-queue worker, a management command) it starts with ``BASE_URL``
(``settings.WAGTAILADMIN_BASE_URL``), which ``make run`` sets from ``PORT`` and production sets
to the public address.

Most links are built in service functions that are not handed the request. ``CurrentRequest``
middleware keeps it in a context variable for the length of the request, so that work done
inline in it (services, the immediate task backend, on-commit hooks) links back to it. Work that
a worker does later is given ``base_url()`` when it is queued (see ``events.sending``).
"""

from contextvars import ContextVar
from urllib.parse import urlsplit

from django.conf import settings

_request_var = ContextVar("kx_links_request", default=None)


class CurrentRequestMiddleware:
    """Makes the request the one links are built from while it is being answered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_var.set(request)
        try:
            return self.get_response(request)
        finally:
            _request_var.reset(token)


def base_url(request=None) -> str:
    """Scheme and host (no trailing slash) that absolute links start with."""
    request = request or _request_var.get()
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def absolute_url(path, request=None, *, base=None) -> str:
    """``path`` as an absolute URL: on ``base`` if given (a ``base_url()`` taken earlier), else
    on the request's host, else on ``BASE_URL``.

    A URL that is absolute already is returned as it is: Wagtail's ``page.url`` is one when the
    project has more than one Site.
    """
    if urlsplit(path).scheme:
        return path
    if base is None:
        request = request or _request_var.get()
        if request is not None:
            return request.build_absolute_uri(path)
        base = settings.WAGTAILADMIN_BASE_URL
    return base.rstrip("/") + "/" + path.lstrip("/")
