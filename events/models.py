import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page

from kx_site.audience import AudienceMixin
from kx_site.blocks import BaseStreamBlock
from kx_site.models import AudiencePageMixin


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


class EventIndexPage(Page):
    intro = models.CharField(max_length=300, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["kx_site.HomePage"]
    subpage_types = ["events.EventPage"]
    max_count = 1

    events_per_page = 20

    def get_context(self, request, *args, **kwargs):
        from django.core.paginator import Paginator

        from kx_site.audience import visible_to

        from .forms import EventFilterForm

        context = super().get_context(request, *args, **kwargs)
        data = request.GET.copy()
        data.setdefault("when", "upcoming")
        filter_form = EventFilterForm(data)
        events = visible_to(
            EventPage.objects.child_of(self).live().select_related("venue"), request.user
        )
        paginator = Paginator(filter_form.filter(events), self.events_per_page)
        context["filter_form"] = filter_form
        events_page = paginator.get_page(request.GET.get("page"))
        context["events_page"] = events_page
        context["page_range"] = list(
            paginator.get_elided_page_range(events_page.number, on_each_side=1, on_ends=1)
        )
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

    def registration_is_open(self, now=None):
        now = now or timezone.now()
        return self.registration_opens_at <= now < self.registration_closes_at

    @property
    def is_past(self):
        return self.end < timezone.now()

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        place_statuses = Registration.PLACE_STATUSES
        if getattr(request, "is_preview", False):
            # A preview's sessions live in memory, not yet in the database.
            sessions = sorted(self.sessions.all(), key=lambda s: (s.start, s.sort_order or 0))
            for session in sessions:
                session.places_left = session.capacity
            context["places_left"] = self.capacity
        else:
            sessions = list(
                EventSession.objects.filter(event=self)
                .order_by("start", "sort_order", "pk")
                .prefetch_related("speakers")
                .annotate(
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
    ]

    class Meta(Orderable.Meta):
        pass

    def __str__(self):
        return self.title


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
    ticket_code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # iCalendar SEQUENCE: bumped whenever the delegate's calendar entry changes.
    calendar_sequence = models.PositiveIntegerField(default=0)
    # Reminders (see events.reminders): set in the same transaction that queues the email.
    reminder_7_days_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminder_1_day_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=models.Q(
                    status__in=["confirmed", "pending_approval", "waiting", "offered"]
                ),
                name="one_active_registration_per_person_per_event",
            )
        ]
        indexes = [models.Index(fields=["event", "status", "waiting_since"])]

    def __str__(self):
        return f"{self.user} at {self.event} ({self.get_status_display()})"

    @property
    def calendar_uid(self):
        return f"registration-{self.ticket_code}@kx"


class RegistrationLogEntry(models.Model):
    """Every change to a registration, and who made it (pretix-style audit log)."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="log_entries"
    )
    action = models.CharField(max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"
