"""Email leaves through a real SMTP conversation and arrives whole at a real mail server.

The server is aiosmtpd on 127.0.0.1 (tests/ops/smtp.py). Registrations, forum replies and
sign-ups go through their views; what each emails must arrive with its Message-ID, and a
registration's with its calendar file. Then the transport: STARTTLS and TLS from the start,
each with a login, against a certificate the client checks.
"""

import gc
import warnings
from datetime import timedelta

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from events.models import Registration
from forums import services as forum_services
from forums.models import Post
from kx_site.models import SentEmail
from kx_site.notifications import enqueue_email, send_email
from tests.events.factories import EventPageFactory
from tests.factories import PASSWORD, PractitionerFactory, ProbationPractitionerFactory
from tests.forums.conftest import make_category

from .smtp import running_smtp_server, tls_certificates

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp_server(settings):
    with running_smtp_server(settings) as server:
        yield server


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    """Run a request, then what it left for after the commit (tasks, emails), as in production."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def test_a_registration_confirmation_arrives_with_its_calendar_file(
    client, smtp_server, after_commit
):
    event = EventPageFactory(title="Managing risk workshop")
    officer = PractitionerFactory()
    client.force_login(officer)

    response = after_commit(client.post, f"/my-events/register/{event.pk}/", {})

    assert response.status_code == 302
    registration = Registration.objects.get(user=officer)
    [email] = smtp_server.received
    assert email.rcpt_tos == [officer.email]
    assert email.message["To"] == officer.email
    assert "Managing risk workshop" in email.message["Subject"]
    [(filename, content_type, content)] = email.attachments()
    assert (filename, content_type) == ("event.ics", "text/calendar")
    [entry] = icalendar.Calendar.from_ical(content).walk("VEVENT")
    assert str(entry["UID"]) == registration.calendar_uid
    assert str(entry["SUMMARY"]) == "Managing risk workshop"
    # Its Message-ID was given when it was queued, in KX's own domain, and is recorded as sent.
    assert email.message_id.endswith("@kx.localhost>")
    assert SentEmail.objects.filter(message_id=email.message_id).exists()


def test_a_forum_reply_notification_arrives(client, smtp_server, after_commit):
    author = PractitionerFactory(first_name="Alex", last_name="Police")
    replier = ProbationPractitionerFactory(first_name="Billie", last_name="Probation")
    category = make_category("risk-management")
    thread = forum_services.thread_create(
        category=category, author=author, title="Sharing ARMS practice", body="How?"
    )
    client.force_login(replier)

    response = after_commit(
        client.post, reverse("forums:reply", args=[thread.pk]), {"body": "We pair visits."}
    )

    assert response.status_code == 302
    assert Post.objects.filter(thread=thread, author=replier).exists()
    [email] = smtp_server.received
    assert email.rcpt_tos == [author.email]
    assert "Sharing ARMS practice" in email.message["Subject"]
    assert "We pair visits." in email.message.get_body(("plain",)).get_content()
    assert email.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert email.attachments() == []


def test_a_sign_up_confirmation_arrives(client, smtp_server):
    # allauth's email is queued at once (not after the commit); the test backend runs it inline.
    response = client.post(
        reverse("account_signup"),
        {
            "first_name": "Pat",
            "last_name": "Jones",
            "job_title": "PC",
            "email": "pat.jones@kent.police.uk",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == 302
    assert User.objects.filter(email="pat.jones@kent.police.uk").exists()
    [email] = smtp_server.received
    assert email.rcpt_tos == ["pat.jones@kent.police.uk"]
    assert email.message["Subject"].startswith("[KX] ")
    assert "/accounts/confirm-email/" in email.message.get_body(("plain",)).get_content()
    assert email.message_id.endswith("@kx.localhost>")


def test_the_same_queued_email_sent_twice_arrives_once(smtp_server):
    """A send task run again after its mail was accepted (say, after its worker died before
    the queue heard it had finished) sends nothing more."""
    result = enqueue_email(subject="Hello", body="Body", to="a@example.org")
    repeat = send_email.call(**result.kwargs)

    assert result.return_value == "sent"
    assert repeat == "already sent"
    assert len(smtp_server.received) == 1


@pytest.fixture
def certificates(tmp_path, monkeypatch):
    """A mail server certificate from an authority the client is told to trust."""
    ca_file, server_context = tls_certificates(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    return server_context


@pytest.mark.parametrize(
    "transport",
    [
        "EMAIL_USE_TLS",
        pytest.param(
            "EMAIL_USE_SSL",
            # aiosmtpd warns when it may not insist on TLS for AUTH (tests/ops/smtp.py says why).
            marks=pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS"),
        ),
    ],
)
def test_mail_goes_encrypted_and_logged_in_to_a_server_whose_certificate_is_checked(
    settings, certificates, transport
):
    tls = {"tls_context" if transport == "EMAIL_USE_TLS" else "ssl_context": certificates}
    with running_smtp_server(settings, credentials=("kx", "s3cret-relay"), **tls) as server:
        setattr(settings, transport, True)
        settings.EMAIL_HOST_USER = "kx"
        settings.EMAIL_HOST_PASSWORD = "s3cret-relay"

        result = enqueue_email(subject="Hello", body="Body", to="a@example.org")

    assert result.return_value == "sent"
    [email] = server.received
    assert email.tls
    assert email.login == "kx"


def test_a_server_with_an_untrusted_certificate_gets_nothing(settings, tmp_path, monkeypatch):
    """TLS is never quietly given up: a certificate the client cannot check stops the send."""
    (tmp_path / "server").mkdir()
    (tmp_path / "client").mkdir()
    _, server_context = tls_certificates(tmp_path / "server")
    other_ca, _ = tls_certificates(tmp_path / "client")
    monkeypatch.setenv("SSL_CERT_FILE", str(other_ca))
    with running_smtp_server(settings, tls_context=server_context) as server:
        settings.EMAIL_USE_TLS = True

        result = enqueue_email(subject="Hello", body="Body", to="a@example.org")

    # The test settings' immediate backend cannot defer a retry; the database queue would.
    assert result.return_value == "failed"
    assert server.received == []


def test_a_failed_send_leaves_no_connection_open(smtp_server, settings):
    """A worker runs for days: a send that fails half-way must not leave its socket behind.

    Here the server offers no login to a client that has credentials (Django's backend keeps
    that connection open when it gives up).
    """
    settings.EMAIL_HOST_USER = "kx"
    settings.EMAIL_HOST_PASSWORD = "s3cret-relay"

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = enqueue_email(subject="Hello", body="Body", to="a@example.org")
        gc.collect()

    assert result.return_value == "failed"
    assert smtp_server.received == []
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []


def test_the_record_of_sent_email_is_kept_for_thirty_days(smtp_server):
    now = timezone.now()
    SentEmail.objects.create(message_id="<old@kx.localhost>", sent_at=now - timedelta(days=31))
    SentEmail.objects.create(message_id="<recent@kx.localhost>", sent_at=now - timedelta(days=29))

    enqueue_email(subject="Hello", body="Body", to="a@example.org")

    [email] = smtp_server.received
    assert set(SentEmail.objects.values_list("message_id", flat=True)) == {
        "<recent@kx.localhost>",
        email.message_id,
    }
