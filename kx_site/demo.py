"""Demo data for development: each app declares its own, and ``seed_demo`` runs what is declared.

An app's ``demo`` module registers the function that adds its demo data with ``@demo_data``,
naming the apps whose demo data it builds on (``after``); ``seed_demo`` imports every app's
``demo`` module (so none of this is loaded outside that command) and runs the functions in that
order, apps otherwise in their ``INSTALLED_APPS`` order. Each function must be safe to run again.
This module also holds the site's own demo data: the default Site's address and three pages.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import autodiscover_modules
from wagtail.models import Site

from .models import HomePage, StandardPage


@dataclass(frozen=True)
class DemoData:
    app: str  # the app's label
    add: Callable[[], None]  # adds the app's demo data; safe to run again
    after: tuple[str, ...]  # the labels of the apps whose demo data ``add`` uses
    describe: Callable[[], list[str]] | None  # lines that tell the developer about the data


_registered: dict[str, DemoData] = {}


def demo_data(*, after=(), describe=None):
    """Register the decorated function as its app's demo data (one per app).

    ``after`` names the apps whose demo data it uses (their accounts, pages, topics);
    ``describe``, if given, returns lines ``seed_demo`` prints once everything is in place.
    """

    def register(add):
        app = apps.get_containing_app_config(add.__module__).label
        _registered[app] = DemoData(app=app, add=add, after=tuple(after), describe=describe)
        return add

    return register


def registered_demo_data() -> list[DemoData]:
    """Every app's demo data, each after the apps it names in ``after``, apps otherwise in
    their ``INSTALLED_APPS`` order."""
    autodiscover_modules("demo")
    position = {config.label: n for n, config in enumerate(apps.get_app_configs())}
    for entry in _registered.values():
        unknown = [app for app in entry.after if app not in _registered]
        if unknown:
            raise ImproperlyConfigured(f"{entry.app} demo data is after {unknown}: none declared")
    ordered, done = [], set()
    waiting = sorted(_registered.values(), key=lambda entry: position[entry.app])
    while waiting:
        ready = next((e for e in waiting if done.issuperset(e.after)), None)
        if ready is None:
            raise ImproperlyConfigured(
                f"Demo data depend on each other in a circle: {[e.app for e in waiting]}"
            )
        ordered.append(ready)
        done.add(ready.app)
        waiting.remove(ready)
    return ordered


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


@demo_data()
def ensure_demo_site():
    """Point the default Site at BASE_URL and add the demo pages under the home page."""
    ensure_demo_site_address()
    ensure_demo_pages()


def ensure_demo_site_address():
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


def ensure_demo_pages():
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
