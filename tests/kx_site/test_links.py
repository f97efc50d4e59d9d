"""Absolute links in emails, calendar files and certificates start with the request's host when
there is a request, and with BASE_URL when there is none; ``make run`` sets BASE_URL from PORT.

BASE_URL is set here to a port the test client never uses, so a link built from the wrong one
shows.
"""

import io
import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import icalendar
import pytest
from django.core import mail
from django.http import HttpResponse
from django.test import RequestFactory
from pypdf import PdfReader

from events.calendar import registration_calendar
from events.models import Certificate
from events.reminders import send_reminders
from events.services import registration_create
from kx_site.links import CurrentRequestMiddleware, absolute_url, base_url
from kx_site.notifications import queue_email
from tests.events.factories import EventPageFactory
from tests.events.test_feedback import past_event, registration_for
from tests.events.test_reminders import _event_in, _registration
from tests.factories import PractitionerFactory, UserFactory

REPO = Path(__file__).resolve().parents[2]
# Where KX is configured to be (BASE_URL), and the different host and port the request came in on.
CONFIGURED = "http://127.0.0.1:8101"
REQUEST_HOST = "localhost:8102"
REQUESTED = f"http://{REQUEST_HOST}"


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.WAGTAILADMIN_BASE_URL = CONFIGURED


def in_a_request(work, host=REQUEST_HOST):
    """Run ``work()`` as a view behind the middleware, as a request to ``host`` would."""
    result = {}

    def view(request):
        result["value"] = work()
        return HttpResponse()

    CurrentRequestMiddleware(view)(RequestFactory().get("/", HTTP_HOST=host))
    return result["value"]


def calendar_url(ics):
    [entry] = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    return str(entry["url"])


# --- The function -----------------------------------------------------------------------------


def test_without_a_request_links_start_with_base_url():
    assert absolute_url("/my-events/") == f"{CONFIGURED}/my-events/"
    assert base_url() == CONFIGURED


def test_an_explicit_request_gives_its_host_and_scheme():
    request = RequestFactory().get("/", HTTP_HOST=REQUEST_HOST, secure=True)

    assert absolute_url("/my-events/", request) == f"https://{REQUEST_HOST}/my-events/"
    assert base_url(request) == f"https://{REQUEST_HOST}"


def test_the_middleware_gives_the_current_request_and_forgets_it_afterwards():
    assert in_a_request(lambda: absolute_url("/events/")) == f"{REQUESTED}/events/"
    # A leftover request would send a later task's links to whoever made the last request.
    assert absolute_url("/events/") == f"{CONFIGURED}/events/"


def test_a_base_taken_earlier_wins_over_the_request():
    assert (
        in_a_request(lambda: absolute_url("/events/", base="https://kx.example/"))
        == "https://kx.example/events/"
    )


def test_an_absolute_url_is_left_alone():
    # Wagtail's page.url is absolute when there is more than one Site.
    assert absolute_url("https://other.example/events/x/") == "https://other.example/events/x/"


def test_base_url_may_end_with_a_slash(settings):
    settings.WAGTAILADMIN_BASE_URL = CONFIGURED + "/"

    assert absolute_url("/events/") == f"{CONFIGURED}/events/"


# --- Emails, calendar files and certificates made in a request --------------------------------


@pytest.mark.django_db
def test_a_confirmation_made_in_a_request_links_to_that_host(
    client, django_capture_on_commit_callbacks
):
    event = EventPageFactory()
    person = PractitionerFactory()
    client.force_login(person)

    # The task runs after the request has finished, as in a worker: the host travels with it.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/my-events/register/{event.pk}/", {}, HTTP_HOST=REQUEST_HOST)
    assert response.status_code == 302

    [message] = mail.outbox
    assert f"{REQUESTED}/my-events/" in message.body
    assert f"{REQUESTED}{event.url}" in message.body
    assert CONFIGURED not in message.body
    [(_name, ics, _type)] = message.attachments
    assert calendar_url(ics) == f"{REQUESTED}{event.url}"


@pytest.mark.django_db
def test_an_email_queued_in_a_request_links_to_that_host(django_capture_on_commit_callbacks):
    user = UserFactory()

    def refuse():
        queue_email(
            template_name="verification_refused",
            to=user.email,
            context={"user": user, "verification_request": {"organisation": "Kent Police"}},
        )

    with django_capture_on_commit_callbacks(execute=True):
        in_a_request(refuse)

    [message] = mail.outbox
    assert f"{REQUESTED}/contact/" in message.body


@pytest.mark.django_db
def test_a_downloaded_calendar_file_links_to_the_requests_host(client):
    event = EventPageFactory()
    registration = registration_create(event=event, user=PractitionerFactory())
    client.force_login(registration.user)

    response = client.get(f"/my-events/{registration.pk}/calendar.ics", HTTP_HOST=REQUEST_HOST)

    assert response.status_code == 200
    assert calendar_url(response.content) == f"{REQUESTED}{event.url}"


@pytest.mark.django_db
def test_a_downloaded_certificate_names_the_requests_host(client):
    registration = registration_for(past_event(), PractitionerFactory())
    client.force_login(registration.user)

    response = client.get(f"/my-events/{registration.pk}/certificate.pdf", HTTP_HOST=REQUEST_HOST)

    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join("".join(page.extract_text() for page in reader.pages).split())
    reference = Certificate.objects.get(registration=registration).reference
    assert f"{REQUESTED}/my-events/certificates/{reference}/" in text


# --- ... and outside any request --------------------------------------------------------------


@pytest.mark.django_db
def test_a_confirmation_made_outside_a_request_links_to_base_url(
    django_capture_on_commit_callbacks,
):
    event = EventPageFactory()

    with django_capture_on_commit_callbacks(execute=True):
        registration = registration_create(event=event, user=PractitionerFactory())

    [message] = mail.outbox
    assert f"{CONFIGURED}/my-events/" in message.body
    [(_name, ics, _type)] = message.attachments
    assert calendar_url(ics) == f"{CONFIGURED}{event.url}"
    assert calendar_url(registration_calendar(registration)) == f"{CONFIGURED}{event.url}"


@pytest.mark.django_db
def test_a_reminder_sent_by_the_scheduler_links_to_base_url(django_capture_on_commit_callbacks):
    event = _event_in(timedelta(days=6, hours=12))
    _registration(event)

    with django_capture_on_commit_callbacks(execute=True):
        send_reminders()

    [message] = mail.outbox
    assert f"{CONFIGURED}{event.url}" in message.body


# --- make run and the demo Site ---------------------------------------------------------------


def make_run_steps(**environment):
    """What each ``manage.py`` step of ``make run`` is run with: "<BASE_URL> <command>".

    ``manage.py`` is replaced by a shell function that prints, and ``-o`` skips installing,
    building and migrating: only the seed and runserver steps run.
    """
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    env = {k: v for k, v in os.environ.items() if k != "BASE_URL"} | environment
    # Make reads the value first: $$ is the shell's $, and backticks stand in for $(...).
    manage = 'manage() { echo "`printenv BASE_URL` $$1"; }; manage'
    skip = ["-o", "install", "-o", "assets", "-o", "migrate"]
    result = subprocess.run(
        ["make", "-s", "run", *skip, "PORT=8101", f"MANAGE={manage}"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return [line for line in result.stdout.splitlines() if not line.startswith("---")]


def test_make_run_sets_base_url_from_port():
    assert make_run_steps() == [
        "http://127.0.0.1:8101 seed_demo",
        "http://127.0.0.1:8101 runserver",
    ]


def test_make_run_keeps_a_base_url_that_is_set():
    assert make_run_steps(BASE_URL="https://kx.example") == [
        "https://kx.example seed_demo",
        "https://kx.example runserver",
    ]
