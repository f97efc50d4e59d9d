"""The current opensearch-py is used although its ``Events`` dependency installs a top-level
module named ``events``, as the KX app is (issue 13): search/opensearch_client.py imports the
client without it."""

import subprocess
import sys
from importlib.metadata import distribution
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IMPORT_AS_THE_APP_DOES = """
import django
django.setup()
import events
from search.opensearch_client import OpenSearch, TransportError
client = OpenSearch(["http://127.0.0.1:9"], timeout=1)
print(events.__file__)
print(type(client).__module__)
"""


def test_the_clash_is_real_the_events_package_is_installed():
    files = [str(name) for name in distribution("Events").files or []]

    assert any(name.startswith("events/") for name in files)


def test_the_client_imports_and_the_events_app_stays_ours():
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_AS_THE_APP_DOES],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "kx_site.settings.test", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    events_file, client_module = result.stdout.split()
    assert Path(events_file) == ROOT / "events" / "__init__.py"
    assert client_module.startswith("opensearchpy")


def test_the_client_metrics_that_need_the_events_package_say_why_they_are_off():
    from search.opensearch_client import MetricsEvents

    with pytest.raises(RuntimeError, match=r"search/opensearch_client\.py"):
        MetricsEvents()
