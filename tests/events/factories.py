"""factory_boy factories for the events app: live pages under the home page."""

from datetime import timedelta

import factory
import wagtail_factories
from django.utils import timezone
from factory.django import DjangoModelFactory

from events.models import EventIndexPage, EventPage, EventSession, Venue
from kx_site.audience import Audience, Marking
from tests.factories import IndexPageFactory


class VenueFactory(DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"Conference centre {n}")
    address = "1 Example Street\nLondon\nSW1A 1AA"
    access_information = "Step-free access from the street."


class EventIndexPageFactory(IndexPageFactory):
    class Meta:
        model = EventIndexPage

    title = "Events"
    slug = "events"


class EventPageFactory(wagtail_factories.PageFactory):
    """A live workshop for practitioners, a month away, with registration open now."""

    class Meta:
        model = EventPage

    parent = factory.LazyFunction(lambda: EventIndexPageFactory())
    title = factory.Sequence(lambda n: f"Managing risk workshop {n}")
    summary = "A day on risk management plans."
    kind = EventPage.Kind.WORKSHOP
    start = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    end = factory.LazyAttribute(lambda o: o.start + timedelta(hours=7))
    venue = factory.SubFactory(VenueFactory)
    capacity = 20
    registration_opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    registration_closes_at = factory.LazyAttribute(lambda o: o.start - timedelta(days=1))
    audience = Audience.PRACTITIONERS
    marking = Marking.OFFICIAL
    live = True


class EventSessionFactory(DjangoModelFactory):
    """A one-hour session at the start of its event, unless told otherwise."""

    class Meta:
        model = EventSession

    event = factory.SubFactory(EventPageFactory)
    title = factory.Sequence(lambda n: f"Session {n}")
    start = factory.LazyAttribute(lambda o: o.event.start)
    end = factory.LazyAttribute(lambda o: o.start + timedelta(hours=1))
    room = "Main hall"


class SpeakerPhotoFactory(wagtail_factories.ImageFactory):
    """A small real image (the page makes a rendition of it); needs the ``media_root`` fixture."""

    title = factory.Sequence(lambda n: f"Speaker photo {n}")
    file = factory.django.ImageField(width=200, height=240, color="green")


class MaterialDocumentFactory(wagtail_factories.DocumentFactory):
    """A small text document; needs the ``media_root`` fixture."""

    title = factory.Sequence(lambda n: f"Slides {n}")
    file = factory.django.FileField(filename="slides.txt", data=b"Slide one.")
