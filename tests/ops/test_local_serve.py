"""`make serve` runs the production settings over plain HTTP on this machine, and nowhere else."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRINT_SETTINGS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, "
    "s.CSRF_COOKIE_SECURE)"
)


def production(code, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "SECRET_KEY"}
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="kx_site.settings.production",
        SECRET_KEY="q" * 20 + "-test-only-production-secret-0123456789abcdef",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="smtp.example.gov.uk",
        EMAIL_USE_TLS="true",
        **env,
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_insists_on_https_by_default():
    result = production(PRINT_SETTINGS, ALLOWED_HOSTS="kx.example.gov.uk")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "63072000", "True", "True"]


def test_local_http_is_allowed_for_loopback_host_names():
    result = production(
        PRINT_SETTINGS, ALLOWED_HOSTS="127.0.0.1,localhost", KX_INSECURE_LOCAL_HTTP="true"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "0", "False", "False"]


def test_local_http_is_refused_for_any_real_host_name():
    result = production(
        PRINT_SETTINGS,
        ALLOWED_HOSTS="127.0.0.1,kx.example.gov.uk",
        KX_INSECURE_LOCAL_HTTP="true",
    )

    assert result.returncode != 0
    assert "KX_INSECURE_LOCAL_HTTP is for trying KX on this machine" in result.stderr


def test_the_deployment_check_still_says_what_local_http_turns_off():
    result = production(
        "from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy'])",
        ALLOWED_HOSTS="localhost",
        KX_INSECURE_LOCAL_HTTP="true",
    )

    assert "security.W008" in result.stderr  # SECURE_SSL_REDIRECT
    assert "security.W004" in result.stderr  # HSTS
