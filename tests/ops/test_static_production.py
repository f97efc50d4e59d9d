"""Static files collect under the production storage: every file the CSS refers to exists."""

import re
import runpy

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command

PRODUCTION_STATIC = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}


@pytest.fixture
def production_static(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": PRODUCTION_STATIC}
    return settings.STATIC_ROOT


def test_the_base_settings_use_the_storage_tested_here():
    """Read afresh: the test settings changed the STORAGES dict that base.py made."""
    from kx_site.settings import base

    fresh = runpy.run_path(base.__file__)

    assert fresh["STORAGES"]["staticfiles"] == PRODUCTION_STATIC


def test_collectstatic_succeeds_with_the_production_storage(production_static):
    """Manifest storage refuses a stylesheet that refers to a file that was not collected."""
    call_command("collectstatic", interactive=False, verbosity=0)

    hashed = sorted(production_static.glob("css/kx.*.css"))
    assert len(hashed) == 1, hashed
    assert (production_static / "staticfiles.json").exists()
    # WhiteNoise wrote compressed copies beside it.
    assert hashed[0].with_name(hashed[0].name + ".gz").exists()


def test_the_stylesheet_shows_neither_the_crown_nor_the_gov_uk_font():
    path = finders.find("css/kx.css")
    assert path, "Build it with `make assets`."
    with open(path, encoding="utf-8") as css:
        text = css.read()
    assert "govuk-crest" not in text
    assert "@font-face" not in text
    for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", text):
        assert url.startswith("data:") or not url.startswith("/"), (
            f"{url}: absolute URLs break a STATIC_URL other than {settings.STATIC_URL}"
        )
