import secrets
import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.cache import patch_cache_control
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.images import get_image_model
from wagtail.models import Orderable, Page

from accounts.models import OrganisationKind
from kx_site.audience import AudienceMixin
from kx_site.blocks import BaseStreamBlock
from kx_site.models import AudienceIndexPage, AudiencePageMixin
from kx_site.pagination import paginate

# The speaker photo's rendition on the event page; prefetched so the page's queries stay fixed.
SPEAKER_PHOTO_FILTER = "fill-96x96"


class Region(models.TextChoices):
    """The regions of England and Wales, as the probation service draws them."""

    EAST_MIDLANDS = "east_midlands", "East Midlands"
    EAST_OF_ENGLAND = "east_of_england", "East of England"
    GREATER_MANCHESTER = "greater_manchester", "Greater Manchester"
    KENT_SURREY_SUSSEX = "kent_surrey_sussex", "Kent, Surrey and Sussex"
    LONDON = "london", "London"
    NORTH_EAST = "north_east", "North East"
    NORTH_WEST = "north_west", "North West"
    SOUTH_CENTRAL = "south_central", "South Central"
    SOUTH_WEST = "south_west", "South West"
    WALES = "wales", "Wales"
    WEST_MIDLANDS = "west_midlands", "West Midlands"
    YORKSHIRE_HUMBER = "yorkshire_humber", "Yorkshire and the Humber"
    NATIONAL = "national", "National"


class Venue(models.Model):
    name = models.CharField(max_length=200)
    address = models.TextField()
    access_information = models.TextField(
        blank=True, help_text="Step-free access, hearing loops, parking, nearest station."
    )

    panels = [FieldPanel("name"), FieldPanel("address"), FieldPanel("access_information")]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Speaker(models.Model):
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    photo = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("role"),
        FieldPanel("organisation"),
        FieldPanel("photo"),
    ]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class EventIndexPage(AudienceIndexPage):
    subpage_types = ["events.EventPage"]

    def get_context(self, request, *args, **kwargs):
        from kx_site.audience import visible_to
        from kx_site.more_available import more_available

        from .forms import EventFilterForm

        context = super().get_context(request, *args, **kwargs)
        data = request.GET.copy()
        data.setdefault("when", "upcoming")
        filter_form = EventFilterForm(data)
        listed = EventPage.objects.child_of(self).live()
        events = visible_to(
            listed.select_related("venue", "cancellation").prefetch_related("topics"), request.user
        )
        context["filter_form"] = filter_form
        # Only the upcoming or past split, never the reader's other filters: see more_available.
        now = timezone.now()
        context["more_available"] = more_available(
            listed.filter(end__lt=now)
            if filter_form.showing_past
            else listed.filter(end__gte=now),
            request.user,
        )
        context["events_page"] = paginate(request, filter_form.filter(events), self.per_page)
        return context


class EventPage(AudiencePageMixin, Page):
    class Kind(models.TextChoices):
        CONFERENCE = "conference", "Conference"
        WORKSHOP = "workshop", "Workshop"

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.WORKSHOP)
    start = models.DateTimeField()
    end = models.DateTimeField()
    is_online = models.BooleanField("online event", default=False)
    venue = models.ForeignKey(
        Venue, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    joining_link = models.URLField(
        blank=True, help_text="For online events: shown only to confirmed delegates."
    )
    region = models.CharField(max_length=32, choices=Region.choices, default=Region.NATIONAL)
    summary = models.CharField(max_length=300)
    body = StreamField(BaseStreamBlock(), blank=True)
    capacity = models.PositiveIntegerField(help_text="Places for delegates.")
    registration_opens_at = models.DateTimeField()
    registration_closes_at = models.DateTimeField()
    requires_approval = models.BooleanField(
        default=False, help_text="Each registration waits for an organiser to approve it."
    )
    offer_hold_hours = models.PositiveIntegerField(
        default=48,
        help_text="How long a freed place is held for the next person on the waiting list.",
    )
    quotas_release_at = models.DateTimeField(
        "quotas end at",
        null=True,
        blank=True,
        help_text="From this time the quotas below no longer apply and unused places are open "
        "to all. Leave empty to keep the quotas until registration closes.",
    )
    topics = ParentalManyToManyField("practice_library.Topic", blank=True, related_name="events")

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldPanel("kind"),
                FieldRowPanel([FieldPanel("start"), FieldPanel("end")]),
                FieldPanel("region"),
                FieldPanel("is_online"),
                FieldPanel("venue"),
                FieldPanel("joining_link"),
            ],
            heading="When and where",
        ),
        MultiFieldPanel(
            [
                FieldPanel("capacity"),
                FieldRowPanel(
                    [FieldPanel("registration_opens_at"), FieldPanel("registration_closes_at")]
                ),
                FieldPanel("requires_approval"),
                FieldPanel("offer_hold_hours"),
            ],
            heading="Registration",
        ),
        MultiFieldPanel(
            [
                FieldPanel("quotas_release_at"),
                InlinePanel("quotas", label="Quota"),
            ],
            heading="Quotas",
        ),
        FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
        FieldPanel("body"),
        InlinePanel("sessions", heading="Programme", label="Session"),
    ]
    settings_panels = [*AudienceMixin.audience_panels, *Page.settings_panels]

    parent_page_types = ["events.EventIndexPage"]
    subpage_types = []

    class Meta:
        indexes = [models.Index(fields=["start"])]

    def clean(self):
        super().clean()
        errors = {}
        if self.start and self.end and self.end <= self.start:
            errors["end"] = "The end must be after the start."
        if (
            self.registration_opens_at
            and self.registration_closes_at
            and self.registration_closes_at <= self.registration_opens_at
        ):
            errors["registration_closes_at"] = "Registration must close after it opens."
        if not self.is_online and not self.venue_id:
            errors["venue"] = "Choose a venue, or mark the event as online."
        if self.is_online and not self.joining_link:
            errors["joining_link"] = "Give the joining link for an online event."
        if errors:
            raise ValidationError(errors)

    def may_serve_document(self, user, document):
        """Asked by the document-serving hook (kx_site.wagtail_hooks) for documents this page
        uses: session materials are for fewer people than the page."""
        from .materials import event_may_serve_document

        return event_may_serve_document(self, user, document)

    @property
    def is_cancelled(self):
        """Whether the organisers called the event off; listings ``select_related`` the
        ``cancellation`` (Django remembers a missing one too, so each page asks once)."""
        try:
            return self.cancellation is not None
        except EventCancellation.DoesNotExist:
            return False

    def registration_is_open(self, now=None):
        now = now or timezone.now()
        if self.is_cancelled:
            return False
        return self.registration_opens_at <= now < self.registration_closes_at

    @property
    def is_past(self):
        return self.end < timezone.now()

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        # The places left change with every registration, which does not retire kept pages
        # (kx_site.page_cache): a signed-out reader's copy shows them at most this old. Never on
        # a signed-in reader's page, which shows their own registration.
        if not request.user.is_authenticated and response.status_code == 200:
            patch_cache_control(response, max_age=settings.KX_EVENT_PLACES_MAX_AGE)
        return response

    def get_context(self, request, *args, **kwargs):
        from .materials import can_see_materials
        from .quotas import QuotaBook

        context = super().get_context(request, *args, **kwargs)
        place_statuses = Registration.PLACE_STATUSES
        is_preview = getattr(request, "is_preview", False)
        context["show_materials"] = is_preview or can_see_materials(request.user, self)
        if is_preview:
            # A preview's sessions live in memory, not yet in the database.
            sessions = sorted(self.sessions.all(), key=lambda s: (s.start, s.sort_order or 0))
            for session in sessions:
                session.places_left = session.capacity
            context["places_left"] = self.capacity
        else:
            sessions = EventSession.objects.filter(event=self).prefetch_related(
                models.Prefetch("speakers", queryset=Speaker.objects.select_related("photo")),
                models.Prefetch(
                    "speakers__photo__renditions",
                    queryset=get_image_model()
                    .get_rendition_model()
                    .objects.filter(filter_spec=SPEAKER_PHOTO_FILTER),
                ),
            )
            if context["show_materials"]:
                sessions = sessions.prefetch_related(
                    models.Prefetch(
                        "materials",
                        queryset=EventSessionMaterial.objects.select_related("document"),
                    )
                )
            sessions = list(
                sessions.order_by("start", "sort_order", "pk").annotate(
                    places_taken=models.Count(
                        "registrations",
                        filter=models.Q(registrations__status__in=place_statuses),
                    )
                )
            )
            for session in sessions:
                if session.capacity is not None:
                    session.places_left = max(session.capacity - session.places_taken, 0)
            taken = Registration.objects.filter(event=self, status__in=place_statuses).count()
            context["places_left"] = max(self.capacity - taken, 0)
        context["programme"] = sessions
        context["registration_open"] = self.registration_is_open()
        context["registration_opens_later"] = timezone.now() < self.registration_opens_at
        context["registration"] = (
            Registration.objects.filter(
                event=self, user=request.user, status__in=Registration.ACTIVE_STATUSES
            ).first()
            if request.user.is_authenticated
            else None
        )
        context["quota_full"] = (
            context["registration_open"]
            and not is_preview
            and context["registration"] is None
            and getattr(request.user, "organisation", None) is not None
            and QuotaBook(self, timezone.now()).is_full_for(request.user.organisation)
        )
        return context


class EventSession(Orderable, ClusterableModel):
    event = ParentalKey(EventPage, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(max_length=200)
    start = models.DateTimeField()
    end = models.DateTimeField()
    room = models.CharField(max_length=100, blank=True)
    track = models.CharField(
        max_length=100, blank=True, help_text="Sessions in the same track run one after another."
    )
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="For parallel workshops; leave empty for no limit."
    )
    description = models.TextField(blank=True)
    speakers = ParentalManyToManyField(Speaker, blank=True, related_name="sessions")

    panels = [
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("start"), FieldPanel("end")]),
        FieldRowPanel([FieldPanel("room"), FieldPanel("track"), FieldPanel("capacity")]),
        FieldPanel("description"),
        FieldPanel("speakers"),
        InlinePanel("materials", label="Material"),
    ]

    class Meta(Orderable.Meta):
        pass

    def __str__(self):
        return self.title


TICKET_SHORT_CODE_LENGTH = 8  # Shown as two groups of four: "7KQM-X3RD".


def new_ticket_short_code():
    """A random ticket code to read out or type at the door: 8 letters and digits from the
    certificates' alphabet (no 0/O or 1/I), 40 bits. Unique across all registrations (the
    field says so); a clash is about one in a hundred million per registration at 10,000
    registrations.
    """
    # Imported here: events.certificates imports this module.
    from .certificates import REFERENCE_ALPHABET

    return ticket_short_code_text(
        "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(TICKET_SHORT_CODE_LENGTH))
    )


def ticket_short_code_text(characters):
    """The code as stored and shown: its eight characters in two groups of four."""
    return f"{characters[:4]}-{characters[4:]}"


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        PENDING_APPROVAL = "pending_approval", "Waiting for the organiser's approval"
        WAITING = "waiting", "On the waiting list"
        OFFERED = "offered", "Offered a place"
        CANCELLED = "cancelled", "Cancelled"
        DECLINED = "declined", "Declined by the organiser"

    ACTIVE_STATUSES = [
        Status.CONFIRMED,
        Status.PENDING_APPROVAL,
        Status.WAITING,
        Status.OFFERED,
    ]
    # Statuses that hold one of the event's places.
    PLACE_STATUSES = [Status.CONFIRMED, Status.PENDING_APPROVAL, Status.OFFERED]

    event = models.ForeignKey(EventPage, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registrations"
    )
    status = models.CharField(max_length=20, choices=Status.choices)
    sessions = models.ManyToManyField(EventSession, blank=True, related_name="registrations")
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    job_title = models.CharField("role", max_length=200, blank=True)
    dietary_needs = models.TextField(blank=True)
    access_needs = models.TextField(blank=True)
    on_delegate_list = models.BooleanField("appear on the delegate list", default=False)
    created_at = models.DateTimeField(default=timezone.now)
    # Waiting-list order: when the person joined the list (first come, first offered).
    waiting_since = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    # The calendar UID is built from ticket_code, so it never changes; the ticket and its QR
    # code show short_code, which check-in takes typed or scanned (and still takes ticket_code).
    ticket_code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    short_code = models.CharField(
        "ticket code", max_length=9, unique=True, default=new_ticket_short_code, editable=False
    )
    # iCalendar SEQUENCE: bumped whenever the delegate's calendar entry changes.
    calendar_sequence = models.PositiveIntegerField(default=0)
    # Reminders (see events.reminders): set in the same transaction that queues the email.
    reminder_7_days_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminder_1_day_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Feedback invitation after the event (see events.feedback.invitations).
    feedback_invitation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            # One row per person per event, whatever its status: registering again after
            # cancelling reuses the row (events.services), and its history stays in the log.
            models.UniqueConstraint(
                fields=["event", "user"], name="one_registration_per_person_per_event"
            )
        ]
        indexes = [models.Index(fields=["event", "status", "waiting_since"])]
        # The organisers' tools (events.organising): delegate lists with dietary and access
        # needs, exports, approval, check-in, messages, cancelling an event, feedback reports.
        permissions = [("organise_events", "Can organise events")]

    def __str__(self):
        return f"{self.user} at {self.event} ({self.get_status_display()})"

    @property
    def calendar_uid(self):
        return f"registration-{self.ticket_code}@kx"

    def can_change_sessions(self, now=None):
        """Whether the delegate may choose or change sessions now: the registration is active,
        the event has not ended, and its programme has something to choose.

        The "Change" link on My events and the change-sessions view both ask this, so the link
        is shown exactly when the page would let them. A listing prefetches ``event__sessions``
        to save a query per registration.
        """
        from .programme import offers_a_choice

        now = now or timezone.now()
        if self.status not in self.ACTIVE_STATUSES or self.event.end < now:
            return False
        return offers_a_choice(self.event.sessions.all())

    @property
    def day(self):
        """The delegate's day: every plenary and the sessions they chose, in programme order."""
        from .programme import delegate_day

        return delegate_day(self.event.sessions.all(), self.sessions.all())


class EventCancellation(models.Model):
    """An event the organisers have called off: registration closes and every delegate is told,
    with a calendar cancellation. Kept beside the page rather than on it, so that publishing an
    older revision of the page never brings the event back."""

    event = models.OneToOneField(EventPage, on_delete=models.CASCADE, related_name="cancellation")
    reason = models.TextField(
        help_text="Sent to every delegate and shown on the event page, e.g. the new date if any."
    )
    cancelled_at = models.DateTimeField(default=timezone.now)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    def __str__(self):
        return f"{self.event} (cancelled)"


class EventQuota(Orderable):
    """At most ``places`` places for each organisation of a kind, or for one organisation, until
    the event's ``quotas_release_at``. A quota for a named organisation wins over one for its kind.
    """

    event = ParentalKey(EventPage, on_delete=models.CASCADE, related_name="quotas")
    organisation_kind = models.CharField(
        "each organisation of this kind",
        max_length=32,
        blank=True,
        choices=OrganisationKind.choices,
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="or this organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    places = models.PositiveIntegerField("at most this many places")

    panels = [
        FieldRowPanel(
            [FieldPanel("organisation_kind"), FieldPanel("organisation"), FieldPanel("places")]
        )
    ]

    class Meta(Orderable.Meta):
        pass

    def __str__(self):
        holder = self.organisation or self.get_organisation_kind_display()
        return f"{holder}: {self.places}"

    def clean(self):
        super().clean()
        if bool(self.organisation_kind) == bool(self.organisation_id):
            raise ValidationError(
                {"organisation_kind": "Choose either a kind of organisation or one organisation."}
            )


class EventSessionMaterial(Orderable):
    """Slides and handouts for a session: only for the people ``events.materials`` allows."""

    session = ParentalKey(EventSession, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(max_length=200)
    document = models.ForeignKey(
        "wagtaildocs.Document", on_delete=models.CASCADE, related_name="+"
    )

    panels = [FieldPanel("title"), FieldPanel("document")]

    class Meta(Orderable.Meta):
        pass

    def __str__(self):
        return self.title


class EventMessage(models.Model):
    """A message from the organisers, kept so that its recipients can read it on KX: the email
    of an OFFICIAL-SENSITIVE event carries only a link."""

    event = models.ForeignKey(EventPage, on_delete=models.CASCADE, related_name="messages")
    audience = models.CharField(max_length=16)
    subject = models.CharField(max_length=150)
    body = models.TextField()
    sent_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recipients = models.ManyToManyField(Registration, related_name="messages_received")

    class Meta:
        ordering = ["-sent_at", "-pk"]

    def __str__(self):
        return f"{self.subject} ({self.event})"


class Score(models.IntegerChoices):
    """A five-point scale; each question words the points its own way (events.feedback.forms)."""

    ONE = 1, "1"
    TWO = 2, "2"
    THREE = 3, "3"
    FOUR = 4, "4"
    FIVE = 5, "5"


class FeedbackResponse(models.Model):
    """One attended delegate's feedback on an event (at most one per registration).

    ``comments`` is personal data: events.maintenance erases it after the retention period and
    sets ``comments_erased_at``; the scores stay for the report.
    """

    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="feedback"
    )
    # Kept on the row so that the report reads one table.
    event = models.ForeignKey(
        EventPage, on_delete=models.CASCADE, related_name="feedback_responses"
    )
    overall_rating = models.PositiveSmallIntegerField(choices=Score.choices)
    practice_change = models.PositiveSmallIntegerField(
        "will this change your practice?", choices=Score.choices
    )
    comments = models.TextField(blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    comments_erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["submitted_at", "pk"]

    def __str__(self):
        return f"Feedback on {self.event} ({self.submitted_at:%Y-%m-%d})"


class SessionFeedback(models.Model):
    """How useful one session was to the delegate who gave ``response``."""

    response = models.ForeignKey(
        FeedbackResponse, on_delete=models.CASCADE, related_name="session_ratings"
    )
    session = models.ForeignKey(
        EventSession, on_delete=models.CASCADE, related_name="feedback_ratings"
    )
    usefulness = models.PositiveSmallIntegerField(choices=Score.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "session"], name="one_rating_per_session_per_response"
            )
        ]

    def __str__(self):
        return f"{self.session}: {self.usefulness}"


class Certificate(models.Model):
    """A certificate of attendance, issued the first time the delegate downloads it.

    ``reference`` is printed on the certificate; anyone who has it can check the certificate at
    /my-events/certificates/<reference>/ (see events.certificates).
    """

    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="certificate"
    )
    reference = models.CharField(max_length=32, unique=True)
    issued_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.reference


class CalendarFeed(models.Model):
    """A member's personal calendar feed (their own registrations), at a secret address.

    The address carries an HMAC of ``key`` (see ``events.calendar_feeds``), not the key itself,
    so a copy of the database alone opens no feed; a new key ("reset this link") revokes every
    address given out before.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    key = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self):
        return f"Calendar feed of {self.user}"
