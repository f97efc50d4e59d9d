"""One JSON line per request under a request id; task lines linked to the request that enqueued
them; error emails without the request's data."""

import io
import json
import logging
import re
import sys

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from django.utils.functional import SimpleLazyObject
from django.utils.log import AdminEmailHandler
from django_tasks import task

from kx_site.logging import JsonFormatter, RequestContextFilter, current_request_id
from kx_site.request_logging import RedactedExceptionReporter, RequestLogMiddleware, user_label
from tests.production_process import run_production

GENERATED_ID = re.compile(r"[0-9a-f]{32}")
LOGGERS = ("kx", "django_tasks", "tests")


@pytest.fixture
def log_lines():
    """What production's stdout handler would write: the same filter and formatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in LOGGERS}
    root.addHandler(handler)
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)

    def lines(logger=None):
        entries = [json.loads(line) for line in stream.getvalue().splitlines()]
        return [entry for entry in entries if logger is None or entry["logger"] == logger]

    lines.raw = stream.getvalue
    yield lines
    root.removeHandler(handler)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


@task()
def note_progress():
    logging.getLogger("tests.ops").warning("task at work")


def test_a_request_logs_one_json_line_without_query_string_or_email(user_client, user, log_lines):
    response = user_client.get(f"/robots.txt?email={user.email}&q=private+words")

    (line,) = log_lines("kx.request")
    assert line["message"] == "request"
    assert line["method"] == "GET"
    assert line["path"] == "/robots.txt"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["user_id"] == str(user.pk)
    assert line["request_id"] == response["X-Request-ID"]
    raw = log_lines.raw()
    assert "?" not in raw and "private" not in raw
    assert user.email not in raw and user.email.replace("@", "\\u0040") not in raw


@pytest.mark.django_db
def test_an_anonymous_request_is_logged_as_anonymous(client, log_lines):
    client.get("/robots.txt")

    assert log_lines("kx.request")[0]["user_id"] == "anonymous"


@pytest.mark.django_db
def test_secret_url_arguments_are_logged_by_name(client, log_lines):
    client.get("/forums/unsubscribe/Zx9secret-token-value/")

    (line,) = log_lines("kx.request")
    assert line["path"] == "/forums/unsubscribe/<token>/"
    assert "Zx9secret" not in json.dumps(line)


@pytest.mark.django_db
def test_a_well_formed_request_id_is_used_and_returned(client, log_lines):
    supplied = "3f2a9c1e-5b7d-4e8f-a1b2-c3d4e5f60718"

    response = client.get("/robots.txt", HTTP_X_REQUEST_ID=supplied)

    assert response["X-Request-ID"] == supplied
    assert log_lines("kx.request")[0]["request_id"] == supplied


@pytest.mark.django_db
@pytest.mark.parametrize(
    "supplied",
    [
        "short",
        "x" * 129,
        "has spaces in it",
        "line\nbreak-12345",
        "<script>alert(1)</script>",
        '"},"status":200,"x":"',
    ],
)
def test_a_malformed_request_id_is_replaced(client, supplied, log_lines):
    response = client.get("/robots.txt", HTTP_X_REQUEST_ID=supplied)

    assert GENERATED_ID.fullmatch(response["X-Request-ID"])
    assert log_lines("kx.request")[0]["request_id"] == response["X-Request-ID"]


@pytest.mark.django_db
def test_a_request_id_is_made_up_when_the_header_is_not_trusted(client, settings):
    settings.KX_TRUST_REQUEST_ID = False

    response = client.get("/robots.txt", HTTP_X_REQUEST_ID="3f2a9c1e-5b7d-4e8f-a1b2-c3d4e5f60718")

    assert GENERATED_ID.fullmatch(response["X-Request-ID"])


def test_code_running_in_the_request_logs_under_its_id(log_lines):
    seen = []

    def view(request):
        seen.append(current_request_id())
        logging.getLogger("tests.ops").warning("inside the view")
        return HttpResponse()

    response = RequestLogMiddleware(view)(RequestFactory().get("/somewhere"))

    (inside,) = log_lines("tests.ops")
    assert inside["request_id"] == seen[0] == response["X-Request-ID"]
    assert current_request_id() is None


def test_an_unloaded_user_is_not_loaded():
    request = RequestFactory().get("/")
    request.user = SimpleLazyObject(lambda: pytest.fail("the user was loaded"))

    assert user_label(request) == "anonymous"


def test_the_request_log_adds_no_query(practitioner_client, settings):
    practitioner_client.get("/my-events/")  # warm whatever a first request caches

    without = [
        m for m in settings.MIDDLEWARE if m != "kx_site.request_logging.RequestLogMiddleware"
    ]
    counts = {}
    for name, middleware in (("with", settings.MIDDLEWARE), ("without", without)):
        settings.MIDDLEWARE = middleware
        with CaptureQueriesContext(connection) as queries:
            assert practitioner_client.get("/my-events/").status_code == 200
        counts[name] = len(queries)

    assert counts["with"] == counts["without"]


def enqueue_in_a_request():
    def view(request):
        return HttpResponse(note_progress.enqueue().id)

    response = RequestLogMiddleware(view)(RequestFactory().get("/somewhere"))
    return response["X-Request-ID"], response.content.decode()


@pytest.mark.django_db
def test_an_inline_task_logs_under_the_request_and_its_own_id(log_lines):
    request_id, task_id = enqueue_in_a_request()

    (enqueued,) = log_lines("kx.tasks")
    assert enqueued["message"] == "task enqueued"
    assert enqueued["request_id"] == request_id
    assert enqueued["enqueued_task_id"] == task_id
    assert enqueued["task"] == "tests.ops.test_request_logging.note_progress"
    (work,) = log_lines("tests.ops")
    assert work["request_id"] == request_id
    assert work["task_id"] == task_id


# Every transactional test rolls back by serialisation: a plain flush would re-create the content
# types, and the next test that restores the migrations' data would then collide with them.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_logs_the_task_id_that_the_enqueue_line_links_to_the_request(settings, log_lines):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    request_id, task_id = enqueue_in_a_request()
    assert log_lines("tests.ops") == []  # queued, not run
    call_command("db_worker", batch=True, startup_delay=False, stdout=io.StringIO())

    (enqueued,) = log_lines("kx.tasks")
    assert (enqueued["request_id"], enqueued["enqueued_task_id"]) == (request_id, task_id)
    (work,) = log_lines("tests.ops")
    assert work["task_id"] == task_id
    assert "request_id" not in work  # another process in production: joined through the id
    # django_tasks' "started" line comes before the id is set (it names the id itself); its
    # "finished" line carries it.
    (finished_line,) = [
        line for line in log_lines("django_tasks") if "state=SUCCESSFUL" in line["message"]
    ]
    assert finished_line["task_id"] == task_id


def test_the_formatter_writes_one_line_and_leaves_objects_out():
    logger = logging.getLogger("tests.ops")
    request = RequestFactory().get("/x?token=secret")
    try:
        raise ValueError("broken")
    except ValueError:
        record = logger.makeRecord(
            "tests.ops",
            logging.ERROR,
            __file__,
            1,
            "two\nlines",
            (),
            sys.exc_info(),
            extra={"request": request, "status_code": 500, "labels": ["a", "b"]},
        )

    line = JsonFormatter().format(record)

    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "two\nlines"
    assert entry["level"] == "ERROR"
    assert entry["status_code"] == 500
    assert entry["labels"] == ["a", "b"]
    assert "request" not in entry and "secret" not in line
    assert "ValueError: broken" in entry["exc_info"]
    assert entry["time"].endswith("+00:00")


class Account:
    pk = 7
    is_authenticated = True
    email = "jo.smith@police.example.gov.uk"

    def __str__(self):
        return self.email


def test_an_error_email_carries_the_traceback_but_not_the_request(settings):
    settings.ADMINS = [("Ops", "ops@example.gov.uk")]
    request = RequestFactory().post(
        "/forums/unsubscribe/Zx9secret-token-value/?q=case+file",
        {"body": "OFFICIAL-SENSITIVE words"},
        HTTP_COOKIE="sessionid=SESSION-SECRET-VALUE",
        HTTP_AUTHORIZATION="Basic c2VjcmV0",
    )
    request.user = Account()
    request.resolver_match = resolve("/forums/unsubscribe/Zx9secret-token-value/")
    try:
        raise RuntimeError("the view failed")
    except RuntimeError:
        exc_info = sys.exc_info()
    record = logging.getLogger("django.request").makeRecord(
        "django.request",
        logging.ERROR,
        __file__,
        1,
        "Internal Server Error: %s",
        ("/forums/unsubscribe/<token>/",),
        exc_info,
        extra={"request": request, "status_code": 500},
    )

    AdminEmailHandler(reporter_class="kx_site.request_logging.RedactedExceptionReporter").handle(
        record
    )
    # Django's own report, for contrast: it mails the user and what they posted.
    default_report = (
        AdminEmailHandler().reporter_class(request, *exc_info, is_email=True).get_traceback_text()
    )
    assert Account.email in default_report
    assert "OFFICIAL-SENSITIVE words" in default_report

    (email,) = mail.outbox
    assert "RuntimeError: the view failed" in email.body
    assert "Request: POST /forums/unsubscribe/<token>/" in email.body
    for secret in (
        "SESSION-SECRET-VALUE",
        "OFFICIAL-SENSITIVE",
        "jo.smith",
        "case+file",
        "case file",
        "Zx9secret",
        "c2VjcmV0",
        "SECRET_KEY",
    ):
        assert secret not in email.body, secret
    assert RedactedExceptionReporter(request, *exc_info).get_traceback_html() is None


PRODUCTION_REQUESTS = """
import django
django.setup()
from django.core import mail
from django.http import HttpResponse
from django.test import Client

from kx_site import views

def broken(request):
    raise RuntimeError("the view failed")

views.robots_txt = broken  # before the URLconf is first read
# The real error page needs collected static files; this process has none.
views.server_error = lambda request: HttpResponse("Sorry", status=500)
mail.outbox = []
client = Client(raise_request_exception=False)
https = {"HTTP_X_FORWARDED_PROTO": "https"}
client.get("/healthz", HTTP_HOST="kx.example.gov.uk", **https)
client.get("/readyz?x=1", HTTP_HOST="10.0.3.7:8000", HTTP_X_REQUEST_ID="probe-0000-1111")
client.get("/library/", HTTP_HOST="attacker.example", **https)
client.get("/robots.txt?email=jo@example.org", HTTP_HOST="kx.example.gov.uk", **https)
print("MAIL", len(mail.outbox), repr(mail.outbox[0].body) if mail.outbox else "")
"""


def test_production_logs_json_to_stdout_and_mails_server_errors_only(tmp_path):
    done = run_production(
        "-c",
        PRODUCTION_REQUESTS,
        DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        KX_ALLOW_NON_SMTP_EMAIL="true",
        ADMINS="Ops <ops@example.gov.uk>",
    )
    assert done.returncode == 0, done.stderr

    output = done.stdout.splitlines()
    mail_line = next(line for line in output if line.startswith("MAIL "))
    entries = [json.loads(line) for line in output if not line.startswith("MAIL ")]
    requests = [entry for entry in entries if entry["logger"] == "kx.request"]
    # The passing /healthz is below INFO; the failing /readyz (no cache table) is not.
    assert [(r["path"], r["status"]) for r in requests] == [
        ("/readyz", 503),
        ("/library/", 400),
        ("/robots.txt", 500),
    ]
    assert requests[0]["request_id"] == "probe-0000-1111"
    assert all(entry["level"] in {"INFO", "WARNING", "ERROR"} for entry in entries)
    assert any(
        entry["logger"] == "django.security.DisallowedHost" and entry["request_id"]
        for entry in entries
    )
    assert "jo@example.org" not in done.stdout
    # One email: the server error; not the forged Host header. No request data in it.
    assert mail_line.startswith("MAIL 1 ")
    assert "RuntimeError: the view failed" in mail_line
    assert "Request: GET /robots.txt" in mail_line
    assert "jo@example.org" not in mail_line
