"""`make serve` runs the production settings over plain HTTP on this machine, and nowhere else."""

from tests.production_process import run_production

PRINT_SETTINGS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, "
    "s.CSRF_COOKIE_SECURE)"
)


def production(code, **env):
    return run_production("-c", code, timeout=60, **env)


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
