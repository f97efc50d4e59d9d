"""A delegate finds an event by topic, gets its session materials, and reads an organiser's
message about an OFFICIAL-SENSITIVE event on KX (the email only links to it)."""

import re

from django.core.files.base import ContentFile
from playwright.sync_api import expect
from wagtail.documents.models import Document

from events import services
from events.models import EventSessionMaterial
from events.organising import services as organiser_services
from practice_library.models import Topic

from .conftest import assert_accessible, browser_journey, make_user, sign_in
from .test_event_journeys import make_conference, make_practitioner

MESSAGE = "The afternoon workshops move to the second floor: use the lift by reception."


@browser_journey
def test_find_by_topic_get_materials_and_read_a_sensitive_message(
    new_page, outbox, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    event = make_conference(capacity=10)
    event.audience = "registered"
    event.marking = "official_sensitive"
    event.topics.set([Topic.objects.get(slug="arms-practice")])
    event.save()
    document = Document(title="Plenary slides")
    document.file.save("plenary.txt", ContentFile(b"Slide one."), save=False)
    document.save()
    EventSessionMaterial.objects.create(
        session=event.sessions.get(title="Opening plenary"),
        title="Opening plenary slides",
        document=document,
    )
    event.save_revision().publish()
    delegate = make_practitioner("d.delegate@kent.police.uk", "Dana")
    services.registration_create(event=event, user=delegate)
    onlooker = make_user("member@example.org", first_name="Morgan")

    # A member who is not a delegate finds the event but not its materials.
    page = new_page()
    sign_in(page, onlooker.email)
    page.goto(event.url)
    assert_accessible(page)
    expect(page.get_by_role("link", name=re.compile("Opening plenary slides"))).to_have_count(0)
    assert page.request.get(document.url).status == 403

    # The delegate filters the events by topic, without JavaScript.
    page = new_page(javascript=False)
    sign_in(page, delegate.email)
    page.goto("/events/")
    page.get_by_label("Topic").select_option(label="ARMS practice")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"/events/\?.*topic=arms-practice"))
    assert_accessible(page)
    page.get_by_role("link", name=event.title).click()
    page.wait_for_url("**/events/national-arms-conference/")
    expect(page.get_by_text("ARMS practice", exact=True)).to_be_visible()
    assert_accessible(page)
    slides = page.get_by_role("link", name=re.compile("Opening plenary slides"))
    response = page.request.get(slides.get_attribute("href"))
    assert response.status == 200
    assert response.body() == b"Slide one."

    # The organisers send a message; the email carries only links.
    organiser_services.event_message_send(
        event=event, audience="confirmed", subject="Room change", body=MESSAGE, actor=None
    )
    (email,) = [m for m in outbox.to(delegate.email) if "new message" in m["Subject"]]
    body = email.get_payload(decode=True).decode()
    assert MESSAGE not in body
    message_path = re.search(r"https?://[^/\s]+(/my-events/messages/\d+/)", body).group(1)

    page.goto("/my-events/")
    assert_accessible(page)
    page.get_by_role("link", name="Room change").click()
    page.wait_for_url(f"**{message_path}")
    expect(page.get_by_text(MESSAGE)).to_be_visible()
    expect(page.get_by_text("OFFICIAL-SENSITIVE")).to_be_visible()
    assert_accessible(page)
