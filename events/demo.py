"""Demo events for development: ``ensure_demo_events()`` is safe to run again.

Pages are found by slug and left alone once they exist; registrations go through the services,
so the demo data obeys the same rules (capacity, waiting list) as real data.
"""

import json
from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.demo import ensure_demo_user
from accounts.models import User
from kx_site.demo import demo_data
from kx_site.models import HomePage

from . import services
from .demo_extras import (
    ensure_demo_topics,
    ensure_session_handout,
    ensure_speaker_photo,
    ensure_workshop_quota,
)
from .feedback.demo import ensure_demo_feedback
from .models import EventIndexPage, EventPage, EventSession, Registration, Speaker, Venue

# Extra practitioners to fill places: (email, first, last, role, organisation slug).
DEMO_DELEGATES = [
    ("d.evans@kent.police.uk", "Dylan", "Evans", "MOSOVO detective sergeant", "kent-police"),
    ("r.khan@kent.police.uk", "Rosa", "Khan", "Offender manager", "kent-police"),
    (
        "t.owen@justice.gov.uk",
        "Tom",
        "Owen",
        "Senior probation officer",
        "probation-service-london",
    ),
    ("l.price@justice.gov.uk", "Lena", "Price", "Probation officer", "probation-service-london"),
    (
        "m.ahmed@justice.gov.uk",
        "Mina",
        "Ahmed",
        "Probation practitioner",
        "probation-service-london",
    ),
]


def _local(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _paragraph(text):
    return json.dumps([{"type": "paragraph", "value": f"<p>{text}</p>"}])


def _delegates():
    users = []
    for email, first, last, role, organisation_slug in DEMO_DELEGATES:
        users.append(
            ensure_demo_user(email, first, last, role, organisation_slug=organisation_slug)
        )
    for email in ("pc.jones@kent.police.uk", "probation.officer@justice.gov.uk"):
        user = User.objects.filter(email=email).first()
        if user and user.is_practitioner:
            users.append(user)
    return users


def _index():
    index = EventIndexPage.objects.first()
    if index is None:
        index = EventIndexPage(
            title="Events",
            slug="events",
            intro="Conferences and workshops for police and probation practitioners.",
        )
        HomePage.objects.get().add_child(instance=index)
    return index


def _event(index, *, slug, sessions=(), **fields):
    event = EventPage.objects.filter(slug=slug).first()
    if event is not None:
        return event, False
    event = EventPage(slug=slug, **fields)
    programme = []
    for order, session in enumerate(sessions):
        speakers = session.pop("speakers", [])
        programme.append(EventSession(sort_order=order, **session))
        programme[-1].speakers = speakers
    event.sessions = programme
    index.add_child(instance=event)
    event.save_revision().publish()
    return event, True


def _register(event, users, *, sessions=(), now):
    for user in users:
        if not Registration.objects.filter(event=event, user=user).exists():
            services.registration_create(event=event, user=user, sessions=sessions, now=now)


@demo_data(after=["accounts"])
def ensure_demo_events():
    """An index at /events/, a venue, speakers and four events with some registrations."""
    index = _index()
    venue, _ = Venue.objects.get_or_create(
        name="Etc. Venues, Birmingham",
        defaults={
            "address": "Colmore Plaza\n20 Colmore Circus Queensway\nBirmingham\nB4 6AT",
            "access_information": "Step-free access from the street and to every room; "
            "hearing loops in the main hall; accessible toilets on each floor. "
            "Birmingham Snow Hill station is a 5-minute walk.",
        },
    )
    chair, _ = Speaker.objects.get_or_create(
        name="Dr Helen Ward",
        defaults={"role": "Research lead", "organisation": "College of Policing"},
    )
    practitioner, _ = Speaker.objects.get_or_create(
        name="DS Chris Mills",
        defaults={"role": "MOSOVO team leader", "organisation": "West Midlands Police"},
    )
    delegates = _delegates()
    today = timezone.localdate()
    common = {
        "audience": "practitioners",
        "marking": "official",
        "registration_opens_at": timezone.now() - timedelta(days=30),
    }

    day = today + timedelta(days=60)
    conference, created = _event(
        index,
        slug="national-arms-conference",
        title="National ARMS conference",
        kind=EventPage.Kind.CONFERENCE,
        start=_local(day, 9, 30),
        end=_local(day, 16, 30),
        venue=venue,
        region="national",
        summary="A day on ARMS practice for police and probation: what the evidence says, and "
        "what works in joint home visits.",
        body=_paragraph("Plenary talks in the morning, parallel workshops in the afternoon."),
        capacity=400,
        registration_closes_at=_local(day - timedelta(days=7), 17),
        sessions=[
            {
                "title": "Welcome and introduction",
                "start": _local(day, 9, 30),
                "end": _local(day, 10),
                "room": "Main hall",
                "speakers": [chair],
            },
            {
                "title": "ARMS: what the evaluation found",
                "start": _local(day, 10),
                "end": _local(day, 11),
                "room": "Main hall",
                "speakers": [chair],
            },
            {
                "title": "Joint home visits in practice",
                "start": _local(day, 11, 30),
                "end": _local(day, 12, 30),
                "room": "Main hall",
                "speakers": [practitioner],
            },
            {
                "title": "Workshop A: protective factors",
                "start": _local(day, 13, 30),
                "end": _local(day, 15),
                "room": "Room 1",
                "track": "Workshops",
                "capacity": 40,
                "speakers": [practitioner],
            },
            {
                "title": "Workshop B: recording on ViSOR",
                "start": _local(day, 13, 30),
                "end": _local(day, 15),
                "room": "Room 2",
                "track": "Workshops",
                "capacity": 40,
            },
            {
                "title": "Closing plenary",
                "start": _local(day, 15, 30),
                "end": _local(day, 16, 30),
                "room": "Main hall",
                "speakers": [chair],
            },
        ],
        # Anyone can read about the national conference; registering needs an account.
        **{**common, "audience": "public"},
    )
    ensure_speaker_photo(chair)
    ensure_speaker_photo(practitioner)
    ensure_session_handout(conference.sessions.get(title="ARMS: what the evaluation found"))
    workshop_a = conference.sessions.get(title__startswith="Workshop A")
    _register(conference, delegates[:4], sessions=[workshop_a], now=timezone.now())

    day = today + timedelta(days=30)
    workshop, _ = _event(
        index,
        slug="mappa-risk-workshop",
        title="MAPPA risk management workshop",
        kind=EventPage.Kind.WORKSHOP,
        start=_local(day, 10),
        end=_local(day, 15),
        venue=venue,
        region="west_midlands",
        summary="A small hands-on workshop on MAPPA level 2 and 3 risk management plans.",
        capacity=3,
        registration_closes_at=_local(day - timedelta(days=2), 17),
        **common,
    )
    ensure_workshop_quota(workshop)
    _register(workshop, delegates, now=timezone.now())  # 3 places, the rest wait.

    day = today + timedelta(days=20)
    _event(
        index,
        slug="online-pdp-workshop",
        title="Potentially dangerous persons: online workshop",
        kind=EventPage.Kind.WORKSHOP,
        start=_local(day, 14),
        end=_local(day, 16),
        is_online=True,
        joining_link="https://meet.example.org/kx-pdp-workshop",
        region="national",
        summary="Identifying and managing potentially dangerous persons: a two-hour online "
        "workshop for practitioners.",
        capacity=60,
        registration_closes_at=_local(day, 12),
        **common,
    )

    day = today - timedelta(days=120)
    past, created = _event(
        index,
        slug="joint-working-conference-past",
        title="Joint police and probation working conference",
        kind=EventPage.Kind.CONFERENCE,
        start=_local(day, 9, 30),
        end=_local(day, 16),
        venue=venue,
        region="national",
        summary="The first national conference on joint working between MOSOVO teams and "
        "probation.",
        capacity=300,
        audience="registered",
        marking="official",
        registration_opens_at=_local(day - timedelta(days=60), 9),
        registration_closes_at=_local(day - timedelta(days=7), 17),
        sessions=[
            {
                "title": "Why joint working matters",
                "start": _local(day, 9, 30),
                "end": _local(day, 10, 30),
                "room": "Main hall",
                "speakers": [chair],
            },
            {
                "title": "Joint home visits: a case study",
                "start": _local(day, 11),
                "end": _local(day, 12, 30),
                "room": "Main hall",
                "speakers": [practitioner],
            },
            {
                "title": "Sharing information safely",
                "start": _local(day, 13, 30),
                "end": _local(day, 15, 30),
                "room": "Main hall",
                "speakers": [chair],
            },
        ],
    )
    if created:
        # Registered while registration was open; attended on the day.
        _register(past, delegates[:5], now=_local(day - timedelta(days=30), 12))
        Registration.objects.filter(event=past, status=Registration.Status.CONFIRMED).update(
            checked_in_at=_local(day, 9, 15)
        )
    ensure_demo_feedback(past)
    ensure_demo_topics()
    return index
