"""seed_demo adds demo accounts and pages, once, and only in development."""

import gc
import re
import warnings
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command

from accounts import audit
from accounts.demo import DEMO_ACCOUNTS
from accounts.models import User, VerificationRequest
from events.demo import DEMO_DELEGATES
from forums.demo import MEMBERS as FORUM_MEMBERS
from kx_site.models import StandardPage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


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

    with pytest.raises(CommandError, match="development only"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_seed_demo_creates_one_account_per_role_and_is_idempotent(settings, capsys):
    settings.DEBUG = True
    pages_before = StandardPage.objects.count()

    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")

    assert counts() == first
    # One account per role, plus the extra delegates that fill the demo events.
    assert first["User"] == len(DEMO_ACCOUNTS) + len(DEMO_DELEGATES) + len(FORUM_MEMBERS)
    assert first["StandardPage"] == pages_before + 3
    output = capsys.readouterr().out
    assert "admin@kx.example" in output


def test_the_demo_accounts_have_their_roles(settings):
    settings.DEBUG = True
    call_command("seed_demo")

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


def test_every_page_the_docs_name_exists_on_the_demo_site(client, settings):
    settings.DEBUG = True
    call_command("seed_demo")
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
