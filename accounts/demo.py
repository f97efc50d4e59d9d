"""Demo accounts for development: one per role, each with a known password.

Staff accounts come with an authenticator already set up from a known secret, so that a person
(or a browser test) can sign in: ``manage.py demo_totp EMAIL`` prints the current code.
"""

import base64
import time

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.contrib.auth.models import Group

from kx_site.demo import demo_data

from . import services
from .models import Organisation, User, VerificationMethod

DEMO_PASSWORD = "demo-password-kx-2026"

# (email, first, last, role, groups, superuser, organisation slug or None)
DEMO_ACCOUNTS = [
    ("admin@kx.example", "Ada", "Admin", "KX service administrator", [], True, None),
    ("editor@kx.example", "Eddie", "Editor", "Research editor", ["Editors"], False, None),
    (
        "senior.editor@kx.example",
        "Sam",
        "Senior",
        "Senior research editor",
        ["Senior editors"],
        False,
        None,
    ),
    ("moderator@kx.example", "Mo", "Moderator", "Forum moderator", ["Moderators"], False, None),
    ("organiser@kx.example", "Olu", "Organiser", "Events lead", ["Event organisers"], False, None),
    (
        "pc.jones@kent.police.uk",
        "Pat",
        "Jones",
        "MOSOVO detective constable",
        [],
        False,
        "kent-police",
    ),
    (
        "probation.officer@justice.gov.uk",
        "Priya",
        "Shah",
        "Probation officer",
        [],
        False,
        "probation-service-london",
    ),
    ("member@example.org", "Morgan", "Member", "Researcher", [], False, None),
    ("applicant@charity.example", "Alex", "Applicant", "Programme manager", [], False, None),
]


def demo_totp_secret(email):
    """A stable base32 secret per demo account, so codes can be computed in development."""
    return base64.b32encode(email.encode().ljust(20, b"=")[:20]).decode()


def current_totp_code(secret):
    """The code an authenticator app would show now for ``secret`` (30-second steps)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def ensure_demo_user(email, first, last, role, *, organisation_slug=None, superuser=False):
    """A demo account with the demo password and a verified email address; a verified
    practitioner of ``organisation_slug`` when one is given. Safe to call again."""
    user, created = User.objects.get_or_create(
        email=email,
        defaults={
            "first_name": first,
            "last_name": last,
            "job_title": role,
            "is_superuser": superuser,
            "is_staff": superuser,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    if organisation_slug and not user.is_practitioner:
        user = services.practitioner_verify(
            user=user,
            organisation=Organisation.objects.get(slug=organisation_slug),
            method=VerificationMethod.DOMAIN,
        )
    return user


def describe_demo_accounts():
    """What ``seed_demo`` prints: each demo account's address and role."""
    lines = [f"Demo accounts (development only), all with password {DEMO_PASSWORD}:"]
    for email, _first, _last, _role, groups, superuser, organisation in DEMO_ACCOUNTS:
        label = (
            "administrator"
            if superuser
            else ", ".join(groups)
            or (f"practitioner ({organisation})" if organisation else "registered member")
        )
        lines.append(f"  {email:36} {label}")
    lines.append("Staff accounts need an authenticator code: `make totp EMAIL=admin@kx.example`.")
    return lines


@demo_data(describe=describe_demo_accounts)
def ensure_demo_accounts():
    for email, first, last, role, groups, superuser, organisation_slug in DEMO_ACCOUNTS:
        user = ensure_demo_user(
            email, first, last, role, organisation_slug=organisation_slug, superuser=superuser
        )
        for name in groups:
            user.groups.add(Group.objects.get(name=name))
        if user.is_kx_staff and not Authenticator.objects.filter(user=user).exists():
            TOTP.activate(user, demo_totp_secret(email))
            RecoveryCodes.activate(user)
    applicant = User.objects.get(email="applicant@charity.example")
    if not applicant.verification_requests.exists():
        services.verification_request_create(
            user=applicant,
            organisation=Organisation.objects.get(slug="home-office"),
            job_title="Programme manager, Home Office-funded prevention charity",
            reason="I run a Home Office-funded programme with MOSOVO teams in three forces.",
        )
