"""Production's email settings: real delivery or a refusal to start that says what to set.

Each case reads the production settings in a process of its own with the environment given
(settings load once per process), as tests/kx_site/test_production_settings.py does.
"""

import json

import pytest

from tests.production_process import run_production

SMTP = "django.core.mail.backends.smtp.EmailBackend"
SHOWN = [
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_USE_TLS",
    "EMAIL_USE_SSL",
    "EMAIL_TIMEOUT",
    "SERVER_EMAIL",
    "ADMINS",
]


def production_settings(**env):
    """The email settings production starts with, or the CompletedProcess of its refusal."""
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {SHOWN!r}}}))"
    )
    # No email backend unless the case gives one: unset is a case of its own.
    done = run_production("-c", code, timeout=60, **{"EMAIL_BACKEND": None, **env})
    return json.loads(done.stdout) if done.returncode == 0 else done


def refusal(**env):
    done = production_settings(**env)
    assert not isinstance(done, dict), f"production started with {env}"
    assert "ImproperlyConfigured" in done.stderr
    return done.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize(
    "backend",
    [
        None,  # unset: the development default, files in var/outbox
        "django.core.mail.backends.filebased.EmailBackend",
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
        "django.core.mail.backends.dummy.EmailBackend",
    ],
)
def test_production_refuses_a_backend_that_delivers_nothing_and_says_what_to_set(backend):
    message = refusal(**({"EMAIL_BACKEND": backend} if backend else {}))

    assert "delivers no email" in message
    assert f"EMAIL_BACKEND={SMTP}" in message
    assert "EMAIL_HOST" in message
    assert "KX_ALLOW_NON_SMTP_EMAIL=true" in message


def test_production_keeps_such_a_backend_only_when_told_to():
    started = production_settings(
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        KX_ALLOW_NON_SMTP_EMAIL="true",
    )

    assert started["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_starttls_with_a_login_from_the_environment():
    started = production_settings(
        EMAIL_BACKEND=SMTP,
        EMAIL_HOST="smtp.example.gov.uk",
        EMAIL_HOST_USER="kx",
        EMAIL_HOST_PASSWORD="relay-password",
        EMAIL_USE_TLS="true",
    )

    assert started == {
        "EMAIL_BACKEND": SMTP,
        "EMAIL_HOST": "smtp.example.gov.uk",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "kx",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 10.0,
        "SERVER_EMAIL": "KX <no-reply@kx.localhost>",
        "ADMINS": [],
    }


def test_tls_from_the_start_with_the_port_and_timeout_given():
    started = production_settings(
        EMAIL_BACKEND=SMTP,
        EMAIL_HOST="smtp.example.gov.uk",
        EMAIL_USE_SSL="true",
        EMAIL_TIMEOUT="3.5",
    )
    assert (started["EMAIL_USE_SSL"], started["EMAIL_USE_TLS"]) == (True, False)
    assert started["EMAIL_PORT"] == 465
    assert started["EMAIL_TIMEOUT"] == 3.5

    assert production_settings(EMAIL_BACKEND=SMTP, EMAIL_PORT="2525")["EMAIL_PORT"] == 2525


def test_a_relay_without_login_may_be_plain_smtp():
    started = production_settings(EMAIL_BACKEND=SMTP, EMAIL_HOST="mail-relay.internal")

    assert (started["EMAIL_PORT"], started["EMAIL_USE_TLS"], started["EMAIL_USE_SSL"]) == (
        25,
        False,
        False,
    )


def test_starttls_and_tls_from_the_start_together_are_refused():
    message = refusal(EMAIL_BACKEND=SMTP, EMAIL_USE_TLS="true", EMAIL_USE_SSL="true")

    assert "EMAIL_USE_TLS" in message
    assert "EMAIL_USE_SSL" in message
    assert "not both" in message


@pytest.mark.parametrize("credential", ["EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD"])
def test_a_login_without_tls_is_refused(credential):
    message = refusal(EMAIL_BACKEND=SMTP, EMAIL_HOST="smtp.example.gov.uk", **{credential: "x"})

    assert "unencrypted" in message
    assert "EMAIL_USE_TLS=true" in message
    assert "EMAIL_USE_SSL=true" in message


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("EMAIL_USE_TLS", "ture", "Set EMAIL_USE_TLS to true or false, not 'ture'."),
        ("EMAIL_USE_SSL", "required", "Set EMAIL_USE_SSL to true or false, not 'required'."),
        ("EMAIL_PORT", "smtp", "Set EMAIL_PORT to a positive number, not 'smtp'."),
        ("EMAIL_TIMEOUT", "0", "Set EMAIL_TIMEOUT to a positive number, not '0'."),
        ("KX_ALLOW_NON_SMTP_EMAIL", "maybe", "Set KX_ALLOW_NON_SMTP_EMAIL to true or false"),
    ],
)
def test_a_value_that_cannot_be_read_is_refused_not_guessed(variable, value, expected):
    message = refusal(EMAIL_BACKEND=SMTP, **{variable: value})

    assert expected in message


def test_email_url_is_refused_rather_than_ignored():
    message = refusal(EMAIL_URL="smtp://kx:secret@smtp.example.gov.uk:587?tls=true")

    assert "EMAIL_URL is not read" in message
    assert "EMAIL_HOST" in message
    assert "secret" not in message


def test_admins_and_server_email_come_from_the_environment():
    started = production_settings(
        EMAIL_BACKEND=SMTP,
        ADMINS='Ops team <ops@example.gov.uk>, duty@example.gov.uk, "Smith, Jo" <jo@x.gov.uk>',
        SERVER_EMAIL="KX errors <errors@kx.example.gov.uk>",
    )

    assert started["ADMINS"] == [
        ["Ops team", "ops@example.gov.uk"],
        ["", "duty@example.gov.uk"],
        ["Smith, Jo", "jo@x.gov.uk"],
    ]
    assert started["SERVER_EMAIL"] == "KX errors <errors@kx.example.gov.uk>"


def test_an_admins_entry_that_is_not_an_address_is_refused():
    message = refusal(EMAIL_BACKEND=SMTP, ADMINS="Smith, Jo <jo@x.gov.uk>")

    assert "ADMINS: 'Smith' is not an address" in message


def test_production_with_smtp_passes_the_deployment_checklist():
    done = run_production(
        *("manage.py", "check", "--deploy", "--fail-level", "WARNING"),
        SECRET_KEY="kx-email-settings-check-only-0123456789-abcdefghijklmnopqrstuvwxyz",
        EMAIL_BACKEND=SMTP,
        EMAIL_HOST="smtp.example.gov.uk",
        EMAIL_HOST_USER="kx",
        EMAIL_HOST_PASSWORD="relay-password",
        EMAIL_USE_SSL="true",
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout
