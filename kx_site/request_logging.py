"""One log line per request, under a request id that the response returns.

``RequestLogMiddleware`` comes first in MIDDLEWARE, so it times and names everything the others
do. It runs no query: the user is read only if something in the request already loaded it.
"""

import logging
import re
import time
import traceback
import uuid

from django.conf import settings
from django.utils.functional import LazyObject, empty
from django.views.debug import ExceptionReporter

from kx_site.logging import current_request_id, request_id_var

logger = logging.getLogger("kx.request")

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy's id looks like (nginx's $request_id, a UUID, ...): nothing that could break a log
# line or smuggle markup into a log viewer.
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")
# URL arguments that are secrets (email confirmation keys, password reset and unsubscribe
# tokens): the log shows the argument's name instead of its value.
SECRET_URL_ARGUMENTS = frozenset({"key", "token", "uidb36", "uidb64"})
# Probe answers that say "fine" are logged at DEBUG, so that a probe every few seconds does not
# bury the traffic; a failing probe is logged like any other request.
PROBE_PATHS = frozenset({"/healthz", "/readyz"})


def request_id_for(request):
    """The proxy's id when there is a well-formed one and it is trusted, else a new one."""
    if settings.KX_TRUST_REQUEST_ID:
        supplied = request.headers.get(REQUEST_ID_HEADER, "")
        if VALID_REQUEST_ID.fullmatch(supplied):
            return supplied
    return uuid.uuid4().hex


def loggable_path(request):
    """The path without its query string, with secret URL arguments replaced by their names."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is not None:
        for name, value in match.kwargs.items():
            if name in SECRET_URL_ARGUMENTS and str(value):
                path = path.replace(str(value), f"<{name}>")
    return path


def user_label(request):
    """The account's id as text, or "anonymous"; never the email address or the name.

    An unloaded user stays unloaded (reading it would query the database): the request was
    answered without knowing who asked, so it is logged as anonymous.
    """
    user = request.__dict__.get("user")
    if isinstance(user, LazyObject):
        user = None if user._wrapped is empty else user._wrapped
    if user is None or not getattr(user, "is_authenticated", False):
        return "anonymous"
    return str(user.pk)


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_for(request)
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            response[REQUEST_ID_HEADER] = request_id
            level = (
                logging.DEBUG
                if request.path_info in PROBE_PATHS and response.status_code < 500
                else logging.INFO
            )
            logger.log(
                level,
                "request",
                extra={
                    "method": request.method,
                    "path": loggable_path(request),
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                    "user_id": user_label(request),
                },
            )
            return response
        finally:
            request_id_var.reset(token)


class RedactedExceptionReporter(ExceptionReporter):
    """The text of an error email: method, path, request id and the traceback.

    Django's own report adds the user (by name: the email address here), the query string,
    posted values, headers (addresses, referrer) and every setting (host names); in an email
    those would put personal data and OFFICIAL-SENSITIVE content into mailboxes, so they are
    left out.
    """

    def get_traceback_text(self):
        lines = []
        if self.request is not None:
            lines.append(f"Request: {self.request.method} {loggable_path(self.request)}")
        request_id = current_request_id()
        if request_id:
            lines.append(f"Request id: {request_id}")
        if self.exc_type is None:
            lines.append(str(self.exc_value or "No exception"))
        else:
            lines.append(
                "".join(traceback.format_exception(self.exc_type, self.exc_value, self.tb))
            )
        return "\n".join(lines)

    def get_traceback_html(self):
        return None
