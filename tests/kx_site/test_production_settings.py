import os

from tests.production_process import run_production


def run_manage(*args, **env):
    # These cases give (or leave out) the secret key and hosts themselves.
    return run_production("manage.py", *args, **{"SECRET_KEY": None, "ALLOWED_HOSTS": None, **env})


def test_production_passes_the_deployment_checklist():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="x" * 20 + "-dummy-production-secret-for-the-check-only-0123456789",
        ALLOWED_HOSTS="kx.example.gov.uk",
        # Production refuses backends that deliver no email (tests/ops/test_email_settings.py).
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="smtp.example.gov.uk",
        EMAIL_USE_TLS="true",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", ALLOWED_HOSTS="kx.example.gov.uk")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_manage("check", SECRET_KEY="y" * 60)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def database_settings(**env):
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])",
        SECRET_KEY="z" * 60,
        ALLOWED_HOSTS="kx.example.gov.uk",
        KX_ALLOW_NON_SMTP_EMAIL="true",
        **env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1].split()


def test_production_keeps_health_checked_database_connections():
    environment = {k: v for k, v in os.environ.items() if k == "DATABASE_CONN_MAX_AGE"}
    assert not environment, "the test needs DATABASE_CONN_MAX_AGE unset"

    assert database_settings() == ["60", "True"]


def test_the_operator_may_choose_the_connection_lifetime():
    assert database_settings(DATABASE_CONN_MAX_AGE="0") == ["0", "True"]


def test_postgresql_connections_run_without_jit_compilation():
    from tests.production_process import run_production

    result = run_production(
        "-c",
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['OPTIONS']['options'])",
        DATABASE_URL="postgres://kx:kx@127.0.0.1:5432/kx",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "-c jit=off"
