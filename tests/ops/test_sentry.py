"""Sentry: set up by production settings only when SENTRY_DSN is set, and what it sends holds
no personal data or request content."""

import copy
import json

from kx_site.sentry import scrub_event
from tests.production_process import run_production

REPORT_SETUP = """
import json
import django
django.setup()
import sentry_sdk

client = sentry_sdk.get_client()
options = client.options if client.is_active() else {}
print(json.dumps({
    "active": client.is_active(),
    "send_default_pii": options.get("send_default_pii"),
    "include_local_variables": options.get("include_local_variables"),
    "max_request_body_size": options.get("max_request_body_size"),
    "environment": options.get("environment"),
    "release": options.get("release"),
    "before_send": getattr(options.get("before_send"), "__qualname__", None),
}))
"""

# A view fails with personal data in a local variable, the exception text, the query string, a
# posted field, a cookie and a header; everything Sentry would send is captured and printed. The
# request goes through the WSGI application, where Sentry's Django integration reads it.
CAPTURE_A_FAILURE = """
import json
from io import BytesIO
from wsgiref.util import setup_testing_defaults

import django
django.setup()
import sentry_sdk
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse

from kx_site import views

events = []
sentry_sdk.get_client().transport.capture_envelope = lambda envelope: events.extend(
    item.get_event() for item in envelope.items if item.get_event() is not None
)

def broken(request):
    case_notes = "LOCAL-VARIABLE-CONTENT"
    raise RuntimeError(f"no account for jo.smith@police.example.gov.uk ({len(case_notes)})")

broken.csrf_exempt = True
views.robots_txt = broken
views.server_error = lambda request: HttpResponse("Sorry", status=500)
body = b"note=POSTED-CONTENT"
environ = {
    "REQUEST_METHOD": "POST",
    "PATH_INFO": "/robots.txt",
    "QUERY_STRING": "q=QUERY-CONTENT",
    "CONTENT_TYPE": "application/x-www-form-urlencoded",
    "CONTENT_LENGTH": str(len(body)),
    "wsgi.input": BytesIO(body),
    "HTTP_HOST": "kx.example.gov.uk",
    "HTTP_X_FORWARDED_PROTO": "https",
    "HTTP_COOKIE": "kx_pref=COOKIE-CONTENT",
    "HTTP_USER_AGENT": "HEADER-CONTENT",
    "REMOTE_ADDR": "203.0.113.9",
}
setup_testing_defaults(environ)
statuses = []
b"".join(get_wsgi_application()(environ, lambda status, headers: statuses.append(status)))
sentry_sdk.flush()
print("STATUS", statuses[0])
print("EVENTS", json.dumps(events, default=str))
"""


def run_in_production(code, tmp_path, **env):
    done = run_production(
        "-c",
        code,
        DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        LOG_LEVEL="CRITICAL",
        **env,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_without_sentry_dsn_nothing_is_set_up(tmp_path):
    report = json.loads(run_in_production(REPORT_SETUP, tmp_path))

    assert report["active"] is False


def test_with_sentry_dsn_it_is_set_up_without_personal_data(tmp_path):
    report = json.loads(
        run_in_production(
            REPORT_SETUP,
            tmp_path,
            SENTRY_DSN="https://public@sentry.example.invalid/1",
            SENTRY_ENVIRONMENT="staging",
            SENTRY_RELEASE="kx@1.2.3",
        )
    )

    assert report == {
        "active": True,
        "send_default_pii": False,
        "include_local_variables": False,
        "max_request_body_size": "never",
        "environment": "staging",
        "release": "kx@1.2.3",
        "before_send": "scrub_event",
    }


def test_a_failing_request_reaches_sentry_without_what_the_request_held(tmp_path):
    output = run_in_production(
        CAPTURE_A_FAILURE, tmp_path, SENTRY_DSN="https://public@sentry.example.invalid/1"
    )

    assert "STATUS 500" in output
    events = json.loads(output.split("EVENTS ", 1)[1])
    assert events, "nothing was sent"
    sent = json.dumps(events)
    assert "RuntimeError" in sent
    assert "[email]" in sent
    for content in (
        "jo.smith",
        "LOCAL-VARIABLE-CONTENT",
        "QUERY-CONTENT",
        "POSTED-CONTENT",
        "COOKIE-CONTENT",
        "HEADER-CONTENT",
        "203.0.113.9",
    ):
        assert content not in sent, content


SAMPLE_EVENT = {
    "level": "error",
    "request": {
        "method": "POST",
        "url": "https://kx.example.gov.uk/forums/unsubscribe/SECRET-TOKEN/",
        "query_string": "email=jo.smith%40police.example.gov.uk",
        "data": {"body": "OFFICIAL-SENSITIVE notes"},
        "cookies": {"sessionid": "SESSION-VALUE"},
        "headers": {"Cookie": "sessionid=SESSION-VALUE", "User-Agent": "Firefox"},
        "env": {"REMOTE_ADDR": "203.0.113.9"},
    },
    "user": {"id": "42", "email": "jo.smith@police.example.gov.uk", "ip_address": "203.0.113.9"},
    "exception": {
        "values": [
            {
                "type": "IntegrityError",
                "value": "Key (email)=(jo.smith@police.example.gov.uk) already exists.",
                "stacktrace": {
                    "frames": [
                        {"function": "register", "vars": {"notes": "OFFICIAL-SENSITIVE notes"}}
                    ]
                },
            }
        ]
    },
    "threads": {"values": [{"stacktrace": {"frames": [{"vars": {"secret": "x"}}]}}]},
    "logentry": {"message": "failed for %s", "params": ["jo.smith@police.example.gov.uk"]},
    "breadcrumbs": {
        "values": [
            {"message": "sent to jo.smith@police.example.gov.uk"},
            {"type": "http", "data": {"url": "http://search:9200/kx", "http.query": "q=private"}},
        ]
    },
}


def test_before_send_removes_personal_data_and_request_content():
    event = scrub_event(copy.deepcopy(SAMPLE_EVENT), {})

    assert event["request"] == {"method": "POST"}
    assert event["user"] == {"id": "42"}
    frame = event["exception"]["values"][0]["stacktrace"]["frames"][0]
    assert frame == {"function": "register"}
    assert event["threads"]["values"][0]["stacktrace"]["frames"][0] == {}
    assert event["exception"]["values"][0]["value"] == "Key (email)=([email]) already exists."
    assert event["logentry"]["params"] == ["[email]"]
    assert event["breadcrumbs"]["values"][0]["message"] == "sent to [email]"
    assert event["breadcrumbs"]["values"][1]["data"] == {"url": "http://search:9200/kx"}
    text = json.dumps(event)
    for secret in ("jo.smith", "OFFICIAL-SENSITIVE", "SESSION-VALUE", "SECRET-TOKEN", "203.0.113"):
        assert secret not in text, secret


def test_before_send_keeps_an_event_without_request_or_user():
    event = {"level": "error", "message": "worker stopped"}

    assert scrub_event(copy.deepcopy(event), {}) == event
