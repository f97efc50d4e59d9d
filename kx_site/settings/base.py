"""Settings shared by every environment.

Environment variables are read here and nowhere else. ``dev``, ``test`` and ``production``
only change what differs between them.
"""

import os
from datetime import timedelta
from email.utils import getaddresses
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("KX_VAR_DIR", BASE_DIR / "var"))

SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h]

INSTALLED_APPS = [
    "accounts",
    "kx_site",
    "events",
    "practice_library",
    "briefings",
    "forums",
    "search",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    # Observe and operate: the request log first, so that it times and names everything below;
    # then the health probes, answered before the host check, HTTPS redirect and sign-in.
    "kx_site.request_logging.RequestLogMiddleware",
    "kx_site.health.ProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kx_site.page_cache.AnonymousPageCacheMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # After the host check: emails, calendar files and certificates link to the request's host.
    "kx_site.links.CurrentRequestMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.StaffMFARequiredMiddleware",
    "accounts.middleware.LapsedVerificationReadOnlyMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "kx_site.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "kx_site.context_processors.site_shell",
            ],
        },
    },
]

WSGI_APPLICATION = "kx_site.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
        # A kept connection that died while idle is replaced before use.
        conn_health_checks=True,
    )
}
# Whether the operator chose the connection lifetime; production keeps connections otherwise.
KX_DATABASE_CONN_MAX_AGE_SET = "DATABASE_CONN_MAX_AGE" in os.environ
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Take SQLite's write lock when a transaction starts, so that the row locks the services
    # ask for (select_for_update, a no-op on SQLite) still serialise concurrent writers.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: a search whose estimate crossed JIT's cost threshold spent 1.5 s
    # compiling a plan that runs in milliseconds. A web site's short queries never gain from it.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Three caches, chosen for what each holds:
# - "default" is shared by every process and survives restarts: rate limits (allauth's and the
#   forums'), used TOTP codes, the scheduler's runs and the page cache's generation live there.
#   Redis or Valkey when KX_CACHE_URL names one (fast; an outage degrades to misses, see
#   kx_site/cache.py), else the database (no extra service).
# - "renditions" (Wagtail's image renditions, looked up on every render) is process-local unless
#   Redis is configured: on the database cache each photo cost five queries per page.
# - "pages" holds whole public pages for anonymous readers (kx_site.page_cache); process-local,
#   each entry keyed by the shared generation, so a publish anywhere invalidates it everywhere.
KX_CACHE_URL = os.environ.get("KX_CACHE_URL", "")
if KX_CACHE_URL:
    _shared_cache = {
        "BACKEND": "kx_site.cache.ResilientRedisCache",
        "LOCATION": KX_CACHE_URL,
        "KEY_PREFIX": "kx",
    }
    CACHES = {"default": _shared_cache, "renditions": {**_shared_cache, "KEY_PREFIX": "kx-r"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "kx_cache",
        },
        "renditions": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "kx-renditions",
            # Another process deleting a rendition cannot reach this copy: keep it briefly.
            "TIMEOUT": 600,
            "OPTIONS": {"MAX_ENTRIES": 5000},
        },
    }
CACHES["pages"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "kx-pages",
    "OPTIONS": {"MAX_ENTRIES": 1000},
}
# How long a public page is kept for anonymous readers (0: never cached). Publishing, editing,
# registering or anything else that writes content invalidates every kept page at once; the
# lifetime bounds only what changes with the clock (an event that has started, "N days left").
KX_PAGE_CACHE_SECONDS = int(os.environ.get("KX_PAGE_CACHE_SECONDS", "300"))
# How old the places left on an event page may be for signed-out readers (its max-age).
KX_EVENT_PLACES_MAX_AGE = int(os.environ.get("KX_EVENT_PLACES_MAX_AGE", "30"))
# A do-nothing view at /_bench/bare/, the limit bench/load.py measures pages against.
KX_BENCH_VIEWS = os.environ.get("KX_BENCH_VIEWS", "") == "true"

AUTH_USER_MODEL = "accounts.User"
# Django's and allauth's, loading the signed-in user with what each request asks of it.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.ModelBackend",
    "accounts.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
# Signing in lands on the home page: what is next and new for the reader (allauth's `next`
# still wins). A new member who has just confirmed their address lands on Your account, with
# the next steps (verification status, how to be verified).
LOGIN_REDIRECT_URL = "/"
ACCOUNT_SIGNUP_REDIRECT_URL = "accounts:profile"
ACCOUNT_EMAIL_CONFIRMATION_AUTHENTICATED_REDIRECT_URL = "/accounts/profile/"

# allauth: email is the login, verification is mandatory, nothing reveals whether an
# address is registered, and every sensitive endpoint is rate limited (allauth's defaults).
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
# Signs in only when the link is opened in the browser session that signed up (allauth keeps the
# new user in that session); a link opened elsewhere still asks for the password.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupDetailsForm"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[KX] "
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_SESSION_REMEMBER = False
MFA_ADAPTER = "accounts.adapters.MFAAdapter"
# Security keys (WebAuthn) are a second factor only: no passwordless sign-in or sign-up. Browsers
# allow WebAuthn on https and on http://localhost (not 127.0.0.1), so no insecure-origin setting.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_PASSKEY_SIGNUP_ENABLED = False
MFA_TOTP_ISSUER = "KX"
# Accept the code of the 30-second step before or after this one (RFC 6238's advice on drift),
# so that a code typed as it changes, or on a phone whose clock is a little out, still works.
MFA_TOTP_TOLERANCE = 1

# A verified practitioner must confirm their organisation and role again after this long.
KX_VERIFICATION_VALID_FOR = timedelta(
    days=int(os.environ.get("KX_VERIFICATION_VALID_DAYS", "365"))
)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "kx_site" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
KX_MEDIA_ACCEL_REDIRECT_PREFIX = os.environ.get("KX_MEDIA_ACCEL_REDIRECT_PREFIX", "")

# Media files on object storage: with KX_MEDIA_S3_BUCKET, documents, images and renditions live
# in that private S3-compatible bucket instead of MEDIA_ROOT. The app stays the only way in:
# kx_site.storage gives out /media/… URLs, never the bucket's, and documents go through the
# serve view (WAGTAILDOCS_SERVE_METHOD below; Wagtail's own default for a storage without local
# paths is a redirect to the bucket). Without keys, boto3 finds credentials its usual way (its
# AWS_* variables, an instance or pod role).
KX_MEDIA_S3_BUCKET = os.environ.get("KX_MEDIA_S3_BUCKET", "")
if KX_MEDIA_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "kx_site.storage.PrivateMediaStorage",
        "OPTIONS": {
            "bucket_name": KX_MEDIA_S3_BUCKET,
            "endpoint_url": os.environ.get("KX_MEDIA_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("KX_MEDIA_S3_REGION") or None,
            "access_key": os.environ.get("KX_MEDIA_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("KX_MEDIA_S3_SECRET_ACCESS_KEY") or None,
            # "path" (bucket in the path: most self-hosted servers) or "virtual" (bucket in the
            # host name); unset, boto3 chooses.
            "addressing_style": os.environ.get("KX_MEDIA_S3_ADDRESSING_STYLE") or None,
            # A folder inside the bucket, e.g. when one bucket holds several sites.
            "location": os.environ.get("KX_MEDIA_S3_PREFIX", ""),
        },
    }


# Email: development writes each message to a file that a person or a browser test can read;
# production refuses that and the other backends that deliver nothing (production.py), and sends
# through SMTP: EMAIL_USE_TLS is STARTTLS (port 587 by default), EMAIL_USE_SSL implicit TLS (port
# 465 by default), one or neither. EMAIL_URL is refused rather than read: its parsers take
# "smtps" to mean STARTTLS, and dj-email-url (no release since 2022) lets ssl= quietly override
# tls=.
def _email_setting_flag(name):
    value = os.environ.get(name, "").strip().lower()
    if value in {"", "false", "0", "no", "off"}:
        return False
    if value in {"true", "1", "yes", "on"}:
        return True
    raise ImproperlyConfigured(f"Set {name} to true or false, not {value!r}.")


def _email_setting_number(name, default, *, kind=int):
    value = os.environ.get(name, "").strip() or default
    try:
        number = kind(value)
    except ValueError:
        number = 0
    if not 0 < number < float("inf"):
        raise ImproperlyConfigured(f"Set {name} to a positive number, not {value!r}.")
    return number


def _email_setting_admins(value):
    """``ADMINS="Ops team <ops@example.gov.uk>, duty@example.gov.uk"`` as Django's pairs."""
    admins = []
    for name, address in getaddresses([value]):
        if not (name or address):
            continue
        if "@" not in address or " " in address:
            raise ImproperlyConfigured(
                f"ADMINS: {address or name!r} is not an address. Separate addresses with commas "
                'and quote names that hold one: "Smith, Jo" <jo.smith@example.gov.uk>.'
            )
        admins.append((name, address))
    return admins


if os.environ.get("EMAIL_URL"):
    raise ImproperlyConfigured(
        "EMAIL_URL is not read. Set EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, "
        "EMAIL_HOST_PASSWORD and EMAIL_USE_TLS or EMAIL_USE_SSL instead."
    )
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = Path(os.environ.get("EMAIL_FILE_PATH", VAR_DIR / "outbox"))
EMAIL_USE_TLS = _email_setting_flag("EMAIL_USE_TLS")
EMAIL_USE_SSL = _email_setting_flag("EMAIL_USE_SSL")
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "Set EMAIL_USE_TLS (STARTTLS, usually port 587) or EMAIL_USE_SSL (TLS from the start, "
        "usually port 465), not both."
    )
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email_setting_number(
    "EMAIL_PORT", 465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25
)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
# Seconds a worker waits on the mail server before the send fails and is retried later.
EMAIL_TIMEOUT = _email_setting_number("EMAIL_TIMEOUT", 10, kind=float)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "KX <no-reply@kx.localhost>")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# Who is emailed error reports (when logging sends them): "Name <address>, address, ...".
ADMINS = _email_setting_admins(os.environ.get("ADMINS", ""))
# Production starts with a backend that delivers nothing only when told to (a trial, a demo).
KX_ALLOW_NON_SMTP_EMAIL = _email_setting_flag("KX_ALLOW_NON_SMTP_EMAIL")
# A failed send is tried again after this many seconds times 2**attempt (2, 4, 8, 16 minutes).
KX_EMAIL_RETRY_BASE_SECONDS = _email_setting_number("KX_EMAIL_RETRY_BASE_SECONDS", 60, kind=float)

TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
        }[os.environ.get("TASK_BACKEND", "immediate")]
    }
}

# Processes (web, worker, scheduler: gunicorn.conf.py, Procfile, kx_site/scheduler.py). A task
# waiting or running longer than this shows as stuck in the admin's "Background tasks" report.
KX_TASK_STUCK_MINUTES = int(os.environ.get("KX_TASK_STUCK_MINUTES", "30"))
# `make serve` only: the production settings over plain HTTP on this machine (production.py
# refuses it unless every ALLOWED_HOSTS entry is a loopback name).
KX_INSECURE_LOCAL_HTTP = os.environ.get("KX_INSECURE_LOCAL_HTTP", "") == "true"

KX_EMAIL_MAX_ATTEMPTS = 5
# Dietary and access needs are erased this many days after an event ends.
KX_EVENT_RETENTION_DAYS = int(os.environ.get("KX_EVENT_RETENTION_DAYS", "90"))
# Delegates who attended may give feedback for this many days after the event ends.
KX_EVENT_FEEDBACK_DAYS = int(os.environ.get("KX_EVENT_FEEDBACK_DAYS", "28"))
# Days after its last change that an unsent practice submission (answers and files) is deleted.
KX_SUBMISSION_DRAFT_DAYS = int(os.environ.get("KX_SUBMISSION_DRAFT_DAYS", "30"))
# Practice attachments: the largest file, and the most pixels an image may claim (far more than
# any photograph or scanned page: a small file that claims more is a decompression bomb).
KX_UPLOAD_MAX_BYTES = int(os.environ.get("KX_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
KX_UPLOAD_MAX_IMAGE_PIXELS = 50_000_000
# The largest spreadsheet an editor may import practices from.
KX_IMPORT_MAX_BYTES = 5 * 1024 * 1024
# Certificates are set in DejaVu Sans (Debian's fonts-dejavu-core) so that every name prints;
# without it they fall back to a core PDF font and plain letters.
KX_CERTIFICATE_FONT_DIR = os.environ.get(
    "KX_CERTIFICATE_FONT_DIR", "/usr/share/fonts/truetype/dejavu"
)
# Forums: a member's first posts wait for a moderator; rate limits are (requests, seconds) per
# member and action ("lookup" is the @mention autocomplete, a request or two a keystroke).
KX_FORUM_FIRST_POSTS_HELD = 2
KX_FORUM_RATE_LIMITS = {"post": (10, 300), "flag": (10, 600), "lookup": (120, 60)}

WAGTAIL_SITE_NAME = "KX"
WAGTAILADMIN_BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:8000")
# Search: with SEARCH_URL, an OpenSearch 2.x/3.x or Elasticsearch 8.x cluster (SEARCH_ENGINE says
# which when the URL cannot: "opensearch", the default, or "elasticsearch"); without it, the
# database. SEARCH_INDEX names the alias; the versioned indexes behind it share it as prefix.
# SEARCH_URL may name several nodes, separated by commas; a node that refuses is skipped.
SEARCH_URL = os.environ.get("SEARCH_URL", "")
SEARCH_ENGINE = os.environ.get("SEARCH_ENGINE", "")
SEARCH_INDEX = os.environ.get("SEARCH_INDEX", "kx")
SEARCH_TIMEOUT = float(os.environ.get("SEARCH_TIMEOUT", "1"))
SEARCH_INDEX_MAX_ATTEMPTS = 5
if not SEARCH_ENGINE:
    SEARCH_ENGINE = "elasticsearch" if "elastic" in SEARCH_URL else "opensearch"
# Credentials: a username and password (here or in the URL, https://user:password@host:9200) or
# an API key. Certificates are verified, against SEARCH_CA_CERTS (a PEM bundle) when given, else
# the system's; SEARCH_VERIFY_CERTS=false turns that off, and the engine logs a warning.
SEARCH_USERNAME = os.environ.get("SEARCH_USERNAME", "")
SEARCH_PASSWORD = os.environ.get("SEARCH_PASSWORD", "")
SEARCH_API_KEY = os.environ.get("SEARCH_API_KEY", "")
SEARCH_CA_CERTS = os.environ.get("SEARCH_CA_CERTS", "")
_search_verify_certs = os.environ.get("SEARCH_VERIFY_CERTS", "true").strip().lower()
if _search_verify_certs not in ("true", "false"):
    raise ImproperlyConfigured("SEARCH_VERIFY_CERTS must be true or false")
SEARCH_VERIFY_CERTS = _search_verify_certs == "true"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
if SEARCH_URL:
    # The same function builds our clients' options from these settings (search/engine.py).
    from search.engine import client_config

    _search_client = client_config(
        SEARCH_URL,
        engine=SEARCH_ENGINE,
        username=SEARCH_USERNAME,
        password=SEARCH_PASSWORD,
        api_key=SEARCH_API_KEY,
        ca_certs=SEARCH_CA_CERTS,
        verify_certs=SEARCH_VERIFY_CERTS,
    )
    # Wagtail's admin search uses the same engine, in indexes of its own, through the same
    # nodes, credentials and TLS options. HOSTS, not URLS: from URLS Wagtail would set
    # credentials and certificate checks per node, over the OPTIONS.
    WAGTAILSEARCH_BACKENDS["default"] = {
        "BACKEND": {
            "opensearch": "wagtail.search.backends.opensearch2",
            "elasticsearch": "wagtail.search.backends.elasticsearch8",
        }[SEARCH_ENGINE],
        "HOSTS": list(_search_client.hosts),
        "OPTIONS": dict(_search_client.options),
        "INDEX_PREFIX": f"{SEARCH_INDEX}_wagtail_",
        "TIMEOUT": 5,
        # One replica as soon as the cluster has a second node; none on a single node.
        "INDEX_SETTINGS": {"settings": {"index": {"auto_expand_replicas": "0-1"}}},
    }
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAILUSERS_PASSWORD_ENABLED = False
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # no third-party requests, in the admin either

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# The site has no third-party assets: everything comes from our own origin. The one inline
# script (GOV.UK Frontend's js-enabled switch) carries the per-request nonce.
CONTENT_SECURITY_POLICY = {
    # Wagtail's admin still relies on inline scripts and styles; it is staff-only behind MFA.
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# Observe and operate (kx_site/logging.py, request_logging.py, health.py, sentry.py): a request
# id on every response and log line, a "kx.request" line per request, /healthz and /readyz.
# Production logs JSON to stdout and reports errors to ADMINS and Sentry (production.py).
KX_LOG_LEVEL = os.environ.get("LOG_LEVEL", "").strip().upper()
# Take the request id from the proxy's X-Request-ID header (when well formed). Set false if the
# proxy passes a client's header through instead of setting its own.
_trust_request_id = os.environ.get("KX_TRUST_REQUEST_ID", "true").strip().lower()
KX_TRUST_REQUEST_ID = _trust_request_id in {"true", "1", "yes", "on"}
# /readyz reports the task queue "degraded" once a due task has waited this many seconds.
KX_READY_MAX_TASK_AGE = int(os.environ.get("KX_READY_MAX_TASK_AGE", "900"))
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
SENTRY_ENVIRONMENT = os.environ.get("SENTRY_ENVIRONMENT", "production")
SENTRY_RELEASE = os.environ.get("SENTRY_RELEASE", "")
SENTRY_TRACES_SAMPLE_RATE = float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "kx_site.logging.RequestContextFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_context"]},
    },
    "root": {"handlers": ["console"], "level": KX_LOG_LEVEL or "WARNING"},
}

# Staff sign in through allauth like everyone else, so that the MFA step always applies.
WAGTAILADMIN_LOGIN_URL = "/accounts/login/"
WAGTAIL_FRONTEND_LOGIN_URL = "/accounts/login/"
WAGTAILDOCS_SERVE_METHOD = "serve_view"
