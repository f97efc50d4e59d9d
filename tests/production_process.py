"""Processes on the production settings, for tests of what those settings decide.

Settings load once per process, so each case runs Python in an interpreter of its own. Its
environment is this one less whatever belongs to the test run or to a KX configured on the
machine (the settings module, secrets, hosts, ``KX_*``, ``SENTRY_*``, ``EMAIL_*``, log level,
search engine), plus what production needs to start and the case's own values. A value of None
leaves a variable unset.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SMTP = "django.core.mail.backends.smtp.EmailBackend"
NOT_INHERITED_PREFIXES = ("DJANGO_", "KX_", "SENTRY_", "EMAIL_")
NOT_INHERITED = {
    "ADMINS",
    "ALLOWED_HOSTS",
    "DEFAULT_FROM_EMAIL",
    "LOG_LEVEL",
    "SEARCH_URL",
    "SECRET_KEY",
    "SERVER_EMAIL",
}


def production_environment(**env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in NOT_INHERITED and not key.startswith(NOT_INHERITED_PREFIXES)
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="kx_site.settings.production",
        SECRET_KEY="p" * 60,
        ALLOWED_HOSTS="kx.example.gov.uk",
        # Production refuses a backend that delivers nothing; a case about email sets its own.
        EMAIL_BACKEND=SMTP,
    )
    for key, value in env.items():
        if value is None:
            environment.pop(key, None)
        else:
            environment[key] = value
    return environment


def run_production(*args, timeout=120, **env):
    """``python *args`` (``"-c", code`` or ``"manage.py", ...``) on the production settings."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=production_environment(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
