import json
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from wagtail.models import Site

from accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, ensure_demo_accounts
from briefings.demo import ensure_demo_briefings
from events.demo import ensure_demo_events
from forums.demo import ensure_demo_forums
from kx_site.models import HomePage, StandardPage
from practice_library.demo import ensure_demo_practices

DEMO_PAGES = [
    {
        "slug": "arms-home-visits",
        "title": "ARMS home visits: a practitioner's checklist",
        "summary": "What experienced MOSOVO officers check before, during and after a home visit.",
        "audience": "practitioners",
        "marking": "official",
        "text": "Plan the visit with the ARMS assessment to hand. Agree with probation who leads "
        "on which protective factors, and record what you saw as well as what you were told.",
    },
    {
        "slug": "police-only-viso-r-practice",
        "title": "Recording ARMS outcomes on ViSOR: police guidance",
        "summary": "How forces record ARMS outcomes consistently on ViSOR.",
        "audience": "restricted",
        "kinds": ["police_force"],
        "marking": "official_sensitive",
        "text": "Record the ARMS outcome and the date of the next review on the nominal's record "
        "within five working days of the visit.",
    },
    {
        "slug": "joint-working-briefing-notes",
        "title": "Joint police and probation working: notes for registered members",
        "summary": "Notes from the first national conference, for anyone with a KX account.",
        "audience": "registered",
        "marking": "official",
        "text": "Delegates asked for joint training and a single place to share local practice.",
    },
]


class Command(BaseCommand):
    help = "Add demo accounts and content. Safe to run again: nothing is duplicated."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo adds accounts with known passwords: development only.")
        with transaction.atomic():
            ensure_demo_accounts()
            self.seed_site()
            self.seed_pages()
            ensure_demo_events()
            ensure_demo_practices()
            ensure_demo_briefings()
            ensure_demo_forums()
        self.stdout.write(self.style.SUCCESS("Demo content is in place."))
        self.stdout.write(f"Demo accounts (development only), all with password {DEMO_PASSWORD}:")
        for email, _first, _last, _role, groups, superuser, organisation in DEMO_ACCOUNTS:
            label = (
                "administrator"
                if superuser
                else ", ".join(groups)
                or (f"practitioner ({organisation})" if organisation else "registered member")
            )
            self.stdout.write(f"  {email:36} {label}")
        self.stdout.write(
            "Staff accounts need an authenticator code: `make totp EMAIL=admin@kx.example`."
        )

    def seed_site(self):
        """Point the default Site at BASE_URL (``make run`` sets it from PORT), so that Wagtail's
        own absolute links (``page.full_url``, "view live" in the admin) lead to the demo site as
        KX's do (``kx_site.links``)."""
        base = urlsplit(settings.WAGTAILADMIN_BASE_URL)
        if not base.hostname:
            return
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            return
        # Site.root_url knows http on any port and https on 443 only.
        port = base.port or (443 if base.scheme == "https" else 80)
        if (site.hostname, site.port) != (base.hostname, port):
            site.hostname, site.port = base.hostname, port
            site.save(update_fields=["hostname", "port"])

    def seed_pages(self):
        home = HomePage.objects.get()
        for spec in DEMO_PAGES:
            if StandardPage.objects.filter(slug=spec["slug"]).exists():
                continue
            page = StandardPage(
                title=spec["title"],
                slug=spec["slug"],
                summary=spec["summary"],
                search_description=spec["summary"],
                audience=spec["audience"],
                restricted_to_kinds=spec.get("kinds", []),
                marking=spec["marking"],
                show_in_menus=True,
                body=json.dumps([{"type": "paragraph", "value": f"<p>{spec['text']}</p>"}]),
            )
            home.add_child(instance=page)
            page.save_revision().publish()
