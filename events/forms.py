from django import forms
from django.utils import timezone

from practice_library.models import Topic

from .models import EventPage, Region
from .programme import programme_slots

NO_SESSION = "none"


class SessionChoiceForm(forms.Form):
    """The event's programme as questions: one set of radios per slot of parallel sessions,
    with "None" as the last answer; plenaries are shown as included and asked nothing.

    ``places_taken`` maps session ids to the places already held in each, so that labels can
    say how many places are left in sessions with a capacity. ``chosen``: the sessions the
    delegate has now (their answers start there, "None" where they have none); None when they
    have not answered yet, so that nothing is chosen for them.
    """

    def __init__(self, *args, sessions, places_taken=None, chosen=None, **kwargs):
        super().__init__(*args, **kwargs)
        places_taken = places_taken or {}
        chosen_ids = None if chosen is None else {session.pk for session in chosen}
        self.sessions_by_id = {session.pk: session for session in sessions}
        self.programme = programme_slots(sessions)
        self.slot_names = []
        self.slot_by_session = {}
        for slot in self.programme:
            if slot.is_plenary:
                continue
            slot.field_name = name = f"slot_{len(self.slot_names)}"
            self.slot_names.append(name)
            initial = None
            if chosen_ids is not None:
                mine = [s.pk for s in slot.sessions if s.pk in chosen_ids]
                initial = str(mine[0]) if mine else NO_SESSION
            for session in slot.sessions:
                self.slot_by_session[session.pk] = name
            self.fields[name] = forms.ChoiceField(
                label=slot.label,
                choices=[
                    *((str(s.pk), self._session_label(s, places_taken)) for s in slot.sessions),
                    (NO_SESSION, "None"),
                ],
                required=False,
                widget=forms.RadioSelect,
                initial=initial,
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

    @property
    def programme_rows(self):
        """``(slot, bound field or None)`` for each slot, for the template."""
        return [
            (slot, self[slot.field_name] if slot.field_name else None) for slot in self.programme
        ]

    def chosen_sessions(self):
        """The sessions chosen, one at most per slot; plenaries are not chosen, they are part
        of every delegate's day (``events.programme.delegate_day``)."""
        chosen = []
        for name in self.slot_names:
            value = self.cleaned_data.get(name)
            if value and value != NO_SESSION:
                chosen.append(self.sessions_by_id[int(value)])
        return chosen

    def add_service_error(self, error):
        """Show a ValidationError from ``events.services`` on the form.

        An error about one session (its ``params`` name it, as ``session``) goes on the slot
        that offers that session; other errors go at the top of the form.
        """
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, errors in error.error_dict.items():
            for message in errors:
                if field in self.fields:
                    target = field
                elif field == "sessions":
                    params = message.params or {}
                    target = self.slot_by_session.get(params.get("session"))
                else:
                    target = None
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
