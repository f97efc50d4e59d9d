"""Every KX setting has its default in the settings module, beside its comment and environment
variable, and nowhere else (issue 13): code that read ``getattr(settings, "KX_...", default)``
kept a second default that production could not see or change, and drifted from the first."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
PROJECT_PACKAGES = [
    path.parent for path in ROOT.glob("*/apps.py") if not path.parent.name.startswith(".")
]
SETTING_READ = re.compile(r"settings\.(KX_[A-Z0-9_]+)")
DEFAULTED_READ = re.compile(r"getattr\(\s*settings\s*,\s*[\"'](KX_[A-Z0-9_]+)")


def project_sources():
    for package in PROJECT_PACKAGES:
        for path in package.rglob("*.py"):
            if (
                "settings" not in path.relative_to(ROOT).parts[:2]
                and "migrations" not in path.parts
            ):
                yield path


def test_the_project_packages_are_found():
    names = {package.name for package in PROJECT_PACKAGES}

    assert {"kx_site", "events", "forums", "practice_library", "search"} <= names


def test_no_code_keeps_a_default_of_its_own_for_a_kx_setting():
    defaulted = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in project_sources()
        for name in DEFAULTED_READ.findall(path.read_text())
    }

    assert defaulted == set()


def test_every_kx_setting_the_code_reads_is_defined_in_the_settings():
    read = {name for path in project_sources() for name in SETTING_READ.findall(path.read_text())}

    assert read, "the scan found no KX settings at all"
    assert {name for name in read if not hasattr(settings, name)} == set()
