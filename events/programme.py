"""The programme of an event as a delegate meets it: sessions that overlap form one slot,
a slot with one open session is a plenary (part of everyone's day), and a delegate's day is
every plenary plus the sessions they chose."""

from django.utils import timezone
from django.utils.formats import date_format


class Slot:
    """A time in the programme: sessions that overlap one another, from the first's start to
    the last's end. A delegate can be in one of them at most.

    A slot with one session and no limit on its places is a plenary: part of everyone's day,
    not something to choose. ``field_name`` is the form field that chooses in the slot, set by
    ``SessionChoiceForm`` (None for a plenary).
    """

    def __init__(self, session):
        self.start, self.end = session.start, session.end
        self.sessions = [session]
        self.field_name = None

    @property
    def is_plenary(self):
        return len(self.sessions) == 1 and self.sessions[0].capacity is None

    @property
    def label(self):
        return time_range(self.start, self.end)


def programme_slots(sessions):
    """The sessions as slots, in programme order.

    Sessions that overlap share a slot even when their times differ (a 90-minute workshop
    beside a one-hour talk), so that choosing one of them is one question.
    """
    slots = []
    ordered = sorted(sessions, key=lambda s: (s.start, s.end, s.sort_order or 0, s.pk or 0))
    for session in ordered:
        slot = slots[-1] if slots else None
        if slot is not None and (session.start < slot.end or session.start == slot.start):
            slot.sessions.append(session)
            slot.end = max(slot.end, session.end)
        else:
            slots.append(Slot(session))
    return slots


def delegate_day(sessions, chosen):
    """The sessions of a delegate's day, in order: every plenary, and the sessions they chose
    where there is a choice. ``sessions``: the event's sessions; ``chosen``: the delegate's."""
    chosen_ids = {session.pk for session in chosen}
    return [
        session
        for slot in programme_slots(sessions)
        for session in slot.sessions
        if slot.is_plenary or session.pk in chosen_ids
    ]


def time_range(start, end):
    start, end = timezone.localtime(start), timezone.localtime(end)
    return f"{date_format(start, 'l j F Y')}, {start:%H:%M} to {end:%H:%M}"


def offers_a_choice(sessions):
    """Whether a delegate has anything to choose: a slot of parallel sessions, or a session with
    limited places. An event of plenaries alone has nothing to choose."""
    return any(not slot.is_plenary for slot in programme_slots(sessions))
