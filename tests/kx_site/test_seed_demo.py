"""seed_demo adds demo accounts and pages, once, and only in development.

The demo is seeded once for the module (``seeded``: about 10 s a run), in a transaction that the
module's end rolls back; each test runs inside it as a savepoint.
"""

import gc
import io
import re
import warnings
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from wagtail.models import Site

from accounts import audit
from accounts.demo import DEMO_ACCOUNTS
from accounts.models import User, VerificationRequest
from events.demo import DEMO_DELEGATES
from forums.demo import MEMBERS as FORUM_MEMBERS
from kx_site.models import StandardPage
from tests.events.factories import EventPageFactory

# The demo's images live in the module's media folder (``seeded``), where the pages' renditions
# find them.
pytestmark = pytest.mark.django_db
# Where the demo is served (make run's BASE_URL): not the test settings' own, so that the Site's
# address can only have come from the seeding.
BASE_URL = "http://127.0.0.1:8101"


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The counts before seeding; the demo is in place while the module's tests run."""
    media = tmp_path_factory.mktemp("media")
    with (
        override_settings(DEBUG=True, MEDIA_ROOT=media, WAGTAILADMIN_BASE_URL=BASE_URL),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        before = counts()
        call_command("seed_demo", stdout=io.StringIO())
        yield before
        transaction.set_rollback(True)


def counts():
    return {
        **{
            model.__name__: model.objects.count()
            for model in (User, EmailAddress, Authenticator, VerificationRequest, StandardPage)
        },
        "account log entries": audit.ACCOUNT_LOG.entries().count(),
    }


def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    before = counts()

    with pytest.raises(CommandError, match="development only"):
        call_command("seed_demo")
    assert counts() == before


def test_seed_demo_creates_one_account_per_role_and_is_idempotent(seeded, settings, capsys):
    settings.DEBUG = True
    first = counts()

    call_command("seed_demo")

    assert counts() == first
    # One account per role, plus the extra delegates that fill the demo events.
    assert first["User"] - seeded["User"] == (
        len(DEMO_ACCOUNTS) + len(DEMO_DELEGATES) + len(FORUM_MEMBERS)
    )
    assert first["StandardPage"] == seeded["StandardPage"] + 3
    output = capsys.readouterr().out
    assert "admin@kx.example" in output


def test_seed_demo_points_the_default_site_at_base_url(seeded):
    site = Site.objects.get(is_default_site=True)

    assert site.root_url == BASE_URL
    assert EventPageFactory().full_url.startswith(f"{BASE_URL}/")


def test_the_demo_accounts_have_their_roles(seeded):
    police = User.objects.get(email="pc.jones@kent.police.uk")
    assert police.is_practitioner and police.organisation.slug == "kent-police"
    probation = User.objects.get(email="probation.officer@justice.gov.uk")
    assert probation.organisation.slug == "probation-service-london"
    assert not User.objects.get(email="member@example.org").is_practitioner
    for email in ["admin@kx.example", "editor@kx.example", "moderator@kx.example"]:
        user = User.objects.get(email=email)
        assert user.is_kx_staff
        assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert VerificationRequest.objects.get().user.email == "applicant@charity.example"
    assert EmailAddress.objects.filter(verified=True).count() == len(DEMO_ACCOUNTS) + len(
        DEMO_DELEGATES
    ) + len(FORUM_MEMBERS)


# Paths the docs name as folders or prefixes, not pages, or that only exist when switched on.
NOT_PAGES = {"/accounts/", "/media/", "/protected-media/", "/documents/", "/_bench/bare/"}


def documented_paths():
    root = Path(__file__).resolve().parents[2]
    found = set()
    for document in [root / "README.md", *sorted((root / "docs").glob("*.md"))]:
        for match in re.finditer(r"`(/[A-Za-z0-9_\-./]*)(?:\?[^`]*)?`", document.read_text()):
            found.add(match.group(1))
    return sorted(found - NOT_PAGES)


def test_every_page_the_docs_name_exists_on_the_demo_site(seeded, client):
    client.force_login(User.objects.get(email="admin@kx.example"))

    paths = documented_paths()
    # Wagtail leaves each new rendition's temporary file to the garbage collector
    # (wagtail/wagtail#14055): collect it here, quietly.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        missing = [path for path in paths if client.get(path).status_code == 404]
        gc.collect()

    assert "/admin/events/organising/" in paths
    assert missing == []
