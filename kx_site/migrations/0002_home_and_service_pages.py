"""Replace Wagtail's welcome page with the KX home page and the pages the footer links to."""

import json

from django.db import migrations

SERVICE_PAGES = [
    (
        "about",
        "About KX",
        "KX is where police, probation and their partners share practice in managing registered sex offenders.",
        "KX grew out of a national research programme on the Active Risk Management System (ARMS). "
        "Practitioners told the researchers they lacked joint training, shared practice and contact "
        "across agencies. KX runs the conferences, workshops, briefings and practice networks that "
        "answer that need.",
    ),
    (
        "accessibility",
        "Accessibility statement",
        "How accessible KX is and how to report a problem.",
        "KX aims to meet the Web Content Accessibility Guidelines (WCAG) 2.2 at level AA. Every page "
        "type is checked automatically for accessibility problems before each release. If you find "
        "a problem, use the contact page to tell us and we will reply within 5 working days.",
    ),
    (
        "privacy",
        "Privacy notice",
        "What personal data KX holds and why.",
        "KX holds your name, email addresses, organisation and role to verify that you are a "
        "practitioner and to run events you register for. Access needs and dietary needs are seen "
        "only by the organisers of that event and are erased after the event's retention period.",
    ),
    (
        "cookies",
        "Cookies",
        "KX uses only essential cookies.",
        "KX sets a session cookie to keep you signed in and a security cookie that protects forms "
        "from forgery. It sets no analytics or advertising cookies, so there is nothing to accept.",
    ),
    (
        "contact",
        "Contact the KX team",
        "Get help with your account, verification or an event.",
        "Email kx-support@example.gov.uk. Do not send information about individual offenders or "
        "victims.",
    ),
]


def create_pages(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    Locale = apps.get_model("wagtailcore", "Locale")
    HomePage = apps.get_model("kx_site", "HomePage")
    StandardPage = apps.get_model("kx_site", "StandardPage")

    # Wagtail's own migrations create a welcome page at depth 2; KX's home page takes its place.
    Page.objects.filter(depth=2, content_type__app_label="wagtailcore").delete()
    locale = Locale.objects.first()
    home_type, _ = ContentType.objects.get_or_create(app_label="kx_site", model="homepage")
    standard_type, _ = ContentType.objects.get_or_create(app_label="kx_site", model="standardpage")

    home = HomePage.objects.create(
        title="Managing registered sex offenders: sharing what works",
        draft_title="Managing registered sex offenders: sharing what works",
        slug="home",
        content_type=home_type,
        path="00010001",
        depth=2,
        numchild=len(SERVICE_PAGES),
        url_path="/home/",
        locale=locale,
        lead=(
            "KX brings police public-protection officers, probation practitioners and their "
            "partners together: national conferences and workshops, research briefings, a "
            "best-practice library and forums."
        ),
        body="[]",
    )
    for position, (slug, title, summary, text) in enumerate(SERVICE_PAGES, start=1):
        StandardPage.objects.create(
            title=title,
            draft_title=title,
            slug=slug,
            content_type=standard_type,
            path=f"00010001{position:04d}",
            depth=3,
            numchild=0,
            url_path=f"/home/{slug}/",
            locale=locale,
            summary=summary,
            search_description=summary,
            audience="public",
            marking="official",
            body=json.dumps([{"type": "paragraph", "value": f"<p>{text}</p>"}]),
        )
    Page.objects.filter(depth=1).update(numchild=1)
    Site.objects.all().delete()
    Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)


class Migration(migrations.Migration):
    dependencies = [
        ("kx_site", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_pages, migrations.RunPython.noop)]
