from itertools import pairwise

from django import forms
from django.utils import timezone
from django.utils.formats import date_format

from practice_library.models import Topic

from .models import EventPage, Region


def session_slots(sessions):
    """Sessions grouped by time slot, in programme order: ``[((start, end), [session, ...])]``."""
    slots = {}
    for session in sorted(sessions, key=lambda s: (s.start, s.end, s.sort_order or 0, s.pk)):
        slots.setdefault((session.start, session.end), []).append(session)
    return list(slots.items())


def time_range(start, end):
    start, end = timezone.localtime(start), timezone.localtime(end)
    return f"{date_format(start, 'l j F Y')}, {start:%H:%M} to {end:%H:%M}"


class SessionChoiceForm(forms.Form):
    """Checkboxes for the event's sessions: one group (fieldset) per time slot.

    ``places_taken`` maps session ids to the places already held in each, so that labels can
    say how many places are left in sessions with a capacity.
    """

    def __init__(self, *args, sessions, places_taken=None, chosen=(), **kwargs):
        super().__init__(*args, **kwargs)
        places_taken = places_taken or {}
        chosen_ids = {session.pk for session in chosen}
        self.sessions_by_id = {session.pk: session for session in sessions}
        self.slot_names = []
        for index, ((start, end), group) in enumerate(session_slots(sessions)):
            name = f"slot_{index}"
            self.slot_names.append(name)
            self.fields[name] = forms.TypedMultipleChoiceField(
                label=time_range(start, end),
                choices=[(s.pk, self._session_label(s, places_taken)) for s in group],
                coerce=int,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                initial=[s.pk for s in group if s.pk in chosen_ids],
            )
        self.order_fields(self.slot_names)

    @staticmethod
    def _session_label(session, places_taken):
        label = session.title
        if session.room:
            label += f" ({session.room})"
        if session.capacity is not None:
            left = max(session.capacity - places_taken.get(session.pk, 0), 0)
            label += f": {left} place{'' if left == 1 else 's'} left" if left else ": full"
        return label

    @property
    def slot_fields(self):
        return [self[name] for name in self.slot_names]

    def chosen_sessions(self):
        return [
            self.sessions_by_id[pk]
            for name in self.slot_names
            for pk in self.cleaned_data.get(name, [])
        ]

    def clean(self):
        cleaned_data = super().clean()
        # Also checked by the services; repeated here so that a choice that would go to the
        # waiting list gets the same clear error at once.
        ordered = sorted(self.chosen_sessions(), key=lambda s: s.start)
        for earlier, later in pairwise(ordered):
            if later.start < earlier.end:
                message = f"“{earlier.title}” and “{later.title}” run at the same time."
                self.add_service_error(forms.ValidationError({"sessions": message}))
                break
        return cleaned_data

    def add_service_error(self, error):
        """Show a ValidationError from ``events.services`` on the form.

        Errors about ``sessions`` go on the first group of session checkboxes.
        """
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, errors in error.error_dict.items():
            if field in self.fields:
                target = field
            elif field == "sessions" and self.slot_names:
                target = self.slot_names[0]
            else:
                target = None
            for message in errors:
                self.add_error(target, message)


class RegistrationForm(SessionChoiceForm):
    dietary_needs = forms.CharField(
        label="Dietary needs (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only the organisers of this event can see this.",
    )
    access_needs = forms.CharField(
        label="Access needs (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, step-free access, a hearing loop or a British Sign Language "
        "interpreter. Only the organisers of this event can see this.",
    )
    on_delegate_list = forms.BooleanField(
        label="Show my name, role and organisation on the delegate list",
        required=False,
        help_text="Other delegates at this event can see the list.",
    )


class EventFilterForm(forms.Form):
    """The filters on the event index: a GET form that works without JavaScript."""

    KIND_CHOICES = [
        ("", "All kinds"),
        (EventPage.Kind.CONFERENCE, "Conference"),
        (EventPage.Kind.WORKSHOP, "Workshop"),
        ("online", "Online"),
    ]
    WHEN_CHOICES = [("upcoming", "Upcoming events"), ("past", "Past events")]

    when = forms.ChoiceField(
        label="When", choices=WHEN_CHOICES, required=False, widget=forms.RadioSelect
    )
    kind = forms.ChoiceField(label="Kind of event", choices=KIND_CHOICES, required=False)
    region = forms.ChoiceField(
        label="Region", choices=[("", "All regions"), *Region.choices], required=False
    )
    topic = forms.ModelChoiceField(
        label="Topic",
        queryset=Topic.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="All topics",
    )

    def filter(self, queryset):
        """``queryset`` narrowed by the valid filters, in the order that suits them."""
        data = self.cleaned_data if self.is_valid() else {}
        now = timezone.now()
        if data.get("when") == "past":
            queryset = queryset.filter(end__lt=now).order_by("-start", "pk")
        else:
            queryset = queryset.filter(end__gte=now).order_by("start", "pk")
        kind = data.get("kind")
        if kind == "online":
            queryset = queryset.filter(is_online=True)
        elif kind:
            queryset = queryset.filter(kind=kind)
        if data.get("region"):
            queryset = queryset.filter(region=data["region"])
        if data.get("topic"):
            queryset = queryset.filter(topics=data["topic"])
        return queryset

    @property
    def showing_past(self):
        return self.is_valid() and self.cleaned_data.get("when") == "past"
