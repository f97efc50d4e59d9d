"""Whole public pages kept for anonymous readers.

Signed-out readers all see the same public pages, and most requests are theirs, so a rendered
page is kept (in the process-local "pages" cache) and served again without touching the view.
What makes this safe:

- Only what every signed-out reader would be shown is kept: GET and HEAD requests carrying no
  session cookie and no pending messages, answered 200 to an anonymous user, with no cookie set,
  no CSRF token rendered (a form's token belongs to its reader) and no ``Cache-Control`` that
  says private, no-cache or no-store. Restricted pages answer anonymous readers with a redirect
  to sign in and per-user listings mark themselves private, so neither is ever kept.
- Every kept page is keyed by a generation held in the shared "default" cache. Any write to
  content (a model saved or deleted, a page published, moved or unpublished, a place taken)
  replaces the generation once its transaction commits, which retires every kept page in every
  process at once. Writes that no public page shows (sessions, logs, tasks, the search index)
  are listed in ``UNSHOWN_MODELS`` and leave the pages be.
- ``KX_PAGE_CACHE_SECONDS`` bounds what changes with the clock alone (an event that started); a
  page that sets a shorter ``max-age`` is kept no longer than that (an event's places left).

A hit costs one read of the generation (a query on the database cache, a round trip on Redis).
A request reads it once: the middleware opens a scope in which the page and every answer
``remembered`` keeps share that one read (signed-in requests too, for the answers).
"""

import contextvars
import hashlib
import logging
import uuid

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

logger = logging.getLogger(__name__)

GENERATION_KEY = "kx:page-cache:generation"
# Larger answers (documents, big images) are not worth a place in each process's memory.
MAX_KEPT_BYTES = 512 * 1024
CACHEABLE_METHODS = ("GET", "HEAD")
# django.contrib.messages' cookie storage: a reader with pending messages gets a fresh page.
MESSAGES_COOKIE_NAME = "messages"
REFUSING_CACHE_CONTROL = ("private", "no-cache", "no-store")
# Models whose writes change nothing a signed-out reader is shown, as "app_label.ModelName".
UNSHOWN_MODELS = frozenset(
    {
        "sessions.Session",
        "admin.LogEntry",
        "contenttypes.ContentType",
        "auth.Permission",
        "wagtailcore.PageLogEntry",
        "wagtailcore.ModelLogEntry",
        "wagtailcore.Revision",
        "wagtailcore.PageSubscription",
        "wagtailcore.UploadedFile",
        "wagtailimages.Rendition",
        "wagtailsearch.IndexEntry",
        "django_tasks_database.DBTaskResult",
        "django_tasks_db.DBTaskResult",
        "account.EmailAddress",
        "account.EmailConfirmation",
        "mfa.Authenticator",
        "accounts.User",
        "kx_site.SentEmail",
        "search.SearchEntry",
        # A burst of registrations would retire every kept page hundreds of times a minute and
        # queue on the one shared row. The places left on an event page are kept only for the
        # short max-age the event page sets (events.models.EventPage.serve).
        "events.Registration",
        "events.Registration_sessions",
    }
)


class _RequestGeneration:
    value = None


# The generation read for the request being served, once (see AnonymousPageCacheMiddleware).
_request_generation = contextvars.ContextVar("kx_request_generation", default=None)


def generation():
    """The current generation (a new one when the shared cache has none); None when the shared
    cache cannot say, and then nothing is kept or served. Read once per request."""
    scope = _request_generation.get()
    if scope is not None and scope.value is not None:
        return scope.value
    current = _read_generation()
    if scope is not None:
        scope.value = current
    return current


def _read_generation():
    shared = caches["default"]
    try:
        current = shared.get(GENERATION_KEY)
        if current is None:
            current = uuid.uuid4().hex
            # add(): two processes starting at once agree on one generation.
            if not shared.add(GENERATION_KEY, current, timeout=None):
                # Another process's, or None from a shared cache that is down (kx_site.cache).
                current = shared.get(GENERATION_KEY)
    except DatabaseError as error:
        _table_missing("read the page cache's generation", error)
        return None
    except Exception:
        logger.exception("Could not read the page cache's generation")
        return None
    return current


def _table_missing(what, error):
    # A database cache whose table is not made yet (createcachetable) fails this way on every
    # write during `migrate`: one line per process, not a traceback per saved row. Nothing is
    # kept while the generation cannot be read, so nothing goes stale either.
    global _warned
    if not _warned:
        _warned = True
        logger.warning("Could not %s: %s", what, str(error).splitlines()[0])


_warned = False


def remembered(name, compute):
    """``compute()``, kept with the pages until the next write to content: for an answer drawn
    from content alone, the same for every reader (whether an image is public) or for every
    reader whose ``name`` says what decides it (the library's facet counts name the reader's
    grant)."""
    if not settings.KX_PAGE_CACHE_SECONDS:
        return compute()
    current_generation = generation()
    if current_generation is None:
        return compute()
    # Any name, as a key every cache backend takes.
    key = f"answer:{current_generation}:{hashlib.sha256(name.encode()).hexdigest()}"
    pages = caches["pages"]
    value = pages.get(key)
    if value is None:
        value = compute()
        pages.set(key, value, timeout=settings.KX_PAGE_CACHE_SECONDS)
    return value


def remembered_for_reader(user, name, compute):
    """``remembered`` for an answer that depends on what ``user`` may see and on nothing else
    about them: kept for every reader with the same grant (``Grant.cache_key``)."""
    from .audience import reader_grant

    return remembered(f"{name}:for:{reader_grant(user).cache_key}", compute)


def retire_kept_pages():
    """Retire every page kept in any process (a new generation: old keys are never read)."""
    scope = _request_generation.get()
    if scope is not None:  # what this request reads from now on is the new generation's
        scope.value = None
    try:
        caches["default"].set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    except DatabaseError as error:
        _table_missing("retire the kept pages after a change", error)
    except Exception:
        # The kept pages now outlive the change by at most KX_PAGE_CACHE_SECONDS.
        logger.exception("Could not retire the kept pages after a change")


def retire_kept_pages_after_commit(using="default"):
    """For writes no model signal announces (bulk writes, queryset updates) that pages show:
    retire the kept pages once the current transaction commits (at once outside one)."""
    if settings.KX_PAGE_CACHE_SECONDS:
        _retire_on_commit(using)


def _retire_on_commit(using):
    connection = transaction.get_connection(using)
    # Once per transaction, however many rows it writes: a rollback drops the pending retirement
    # with the rest of the transaction's callbacks.
    if any(callback is retire_kept_pages for _, callback, _ in connection.run_on_commit):
        return
    transaction.on_commit(retire_kept_pages, using=using)


def content_changed(sender, using="default", **kwargs):
    """Signal receiver for every model: a write to shown content retires the kept pages."""
    if not settings.KX_PAGE_CACHE_SECONDS:
        return
    if sender.__module__ == "__fake__":  # a migration's historical model: nothing is served yet
        return
    if f"{sender._meta.app_label}.{sender.__name__}" in UNSHOWN_MODELS:
        return
    _retire_on_commit(using)


def connect_signals():
    """Called once from the app's ready(): every model's save, delete and many-to-many change,
    and Wagtail's moves (which rewrite pages' paths without a save signal per descendant)."""
    from wagtail.signals import page_unpublished, post_page_move

    post_save.connect(content_changed, dispatch_uid="kx-page-cache-save")
    post_delete.connect(content_changed, dispatch_uid="kx-page-cache-delete")
    m2m_changed.connect(content_changed, dispatch_uid="kx-page-cache-m2m")
    post_page_move.connect(content_changed, dispatch_uid="kx-page-cache-move")
    page_unpublished.connect(content_changed, dispatch_uid="kx-page-cache-unpublish")


def _may_serve_kept(request):
    return (
        request.method in CACHEABLE_METHODS
        # Files are streamed, never kept; images keep their own answer (kx_site.media).
        and not request.path.startswith(settings.MEDIA_URL)
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and MESSAGES_COOKIE_NAME not in request.COOKIES
    )


def _may_keep(request, response):
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if getattr(request, "user", None) is None or request.user.is_authenticated:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or request.META.get("CSRF_COOKIE_USED"):
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if any(word in cache_control for word in REFUSING_CACHE_CONTROL):
        return False
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    return len(response.content) <= MAX_KEPT_BYTES


def _lifetime(response):
    """KX_PAGE_CACHE_SECONDS, or less when the page asks for less (``max-age``)."""
    lifetime = settings.KX_PAGE_CACHE_SECONDS
    for directive in response.get("Cache-Control", "").split(","):
        name, _, value = directive.strip().partition("=")
        if name.lower() == "max-age" and value.isdigit():
            lifetime = min(lifetime, int(value))
    return lifetime


def _key(request, current_generation):
    # GET and HEAD share an entry: a HEAD answer is the GET answer without its body.
    url = request.build_absolute_uri()
    digest = hashlib.sha256(url.encode()).hexdigest()
    return f"page:{current_generation}:{digest}"


class AnonymousPageCacheMiddleware:
    """Serves kept public pages to signed-out readers and keeps the ones it may (see above).

    Sits below the security, host and HTTPS checks, so they apply to kept pages too, and above
    the content security policy, sessions, CSRF and authentication: a kept page keeps the CSP
    header whose nonce its scripts carry (a nonce an attacker could only learn once the page,
    and so anything injected into it, was already rendered)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        scope = _request_generation.set(_RequestGeneration())
        try:
            return self.serve(request)
        finally:
            _request_generation.reset(scope)

    def serve(self, request):
        if not settings.KX_PAGE_CACHE_SECONDS or not _may_serve_kept(request):
            return self.get_response(request)
        current_generation = generation()
        if current_generation is None:
            return self.get_response(request)
        pages = caches["pages"]
        key = _key(request, current_generation)
        kept = pages.get(key)
        if kept is not None:
            kept["X-KX-Page-Cache"] = "hit"
            return kept
        response = self.get_response(request)
        if _may_keep(request, response) and (lifetime := _lifetime(response)) > 0:
            pages.set(key, response, timeout=lifetime)
            response["X-KX-Page-Cache"] = "miss"
        return response
