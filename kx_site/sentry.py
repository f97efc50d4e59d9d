"""Error reports to Sentry. Production settings call ``init_sentry`` only when SENTRY_DSN is set.

KX holds personal data and OFFICIAL-SENSITIVE content, so an event carries the exception, its
stack (code lines, no variable values) and the route, and none of what the request held: no
body, cookies, headers, query string or URL (the URL can hold an unsubscribe or reset token; the
transaction name is the route pattern instead), no user but the account id, and email addresses
in messages are masked.
"""

import re

import sentry_sdk

EMAIL_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
REQUEST_FIELDS_KEPT = ("method",)
BREADCRUMB_DATA_DROPPED = ("http.query", "http.fragment")


def init_sentry(*, dsn, environment, release, traces_sample_rate):
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=traces_sample_rate,
        before_send=scrub_event,
        before_send_transaction=scrub_event,
    )


def _mask(text):
    return EMAIL_ADDRESS.sub("[email]", text) if isinstance(text, str) else text


def _frames(event):
    for container in ("exception", "threads"):
        for value in (event.get(container) or {}).get("values") or ():
            yield from (value.get("stacktrace") or {}).get("frames") or ()


def scrub_event(event, hint):
    request = event.get("request")
    if request is not None:
        event["request"] = {key: request[key] for key in REQUEST_FIELDS_KEPT if key in request}
    user = event.get("user")
    if user is not None:
        event["user"] = {"id": user["id"]} if user.get("id") is not None else {}
    for frame in _frames(event):
        frame.pop("vars", None)
    for value in (event.get("exception") or {}).get("values") or ():
        value["value"] = _mask(value.get("value"))
    logentry = event.get("logentry") or event.get("message")
    if isinstance(logentry, dict):
        for key in ("message", "formatted"):
            if key in logentry:
                logentry[key] = _mask(logentry[key])
        if isinstance(logentry.get("params"), list | tuple):
            logentry["params"] = [_mask(param) for param in logentry["params"]]
    elif isinstance(logentry, str):
        event["message"] = _mask(logentry)
    for breadcrumb in (event.get("breadcrumbs") or {}).get("values") or ():
        if "message" in breadcrumb:
            breadcrumb["message"] = _mask(breadcrumb["message"])
        data = breadcrumb.get("data") or {}
        for key in BREADCRUMB_DATA_DROPPED:
            data.pop(key, None)
    return event
