"""What happens to a registration, in Wagtail's audit log (``wagtailcore.ModelLogEntry``).

Every change to a registration is logged with who made it (pretix-style), as
``kx.registration.<action>``; details go in the entry's ``data`` (the status registered with, the
session a full session was removed from, an organiser message's subject). The labels and
messages (``REGISTRATION_LOG``) are registered with Wagtail by the ``register_log_actions`` hook
in ``events/wagtail_hooks.py``. Entries hold the registration's number only (``log_title``), never
the person's name or email.
"""

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from wagtail.log_actions import registry

from kx_site.log_actions import LogActions

# action: (label, message); the label in lower case is also the entry's text (``entry_text``).
REGISTRATION_ACTIONS = {
    "registered": ("Registered", "Registered"),
    "registered_again": ("Registered again", "Registered again after cancelling"),
    "offered": ("Offered a place", "Offered a place from the waiting list"),
    "offer_accepted": ("Accepted the offer", "Accepted the offer of a place"),
    "offer_expired": ("Offer expired", "The offer of a place expired"),
    "session_full_removed": ("Session full, removed", "Removed from a session that was full"),
    "sessions_changed": ("Changed sessions", "Changed sessions"),
    "cancelled": ("Cancelled", "Cancelled the registration"),
    "approved": ("Approved", "Approved by an organiser"),
    "declined": ("Declined", "Declined by an organiser"),
    "checked_in": ("Checked in", "Checked in at the event"),
    "organiser_message": ("Organiser message", "Sent an organiser's message"),
    "told_of_change": ("Told of event change", "Told of a change to the event"),
    "event_cancelled": ("Event cancelled", "Told that the event is cancelled"),
    "feedback_given": ("Feedback given", "Gave feedback"),
    "feedback_changed": ("Feedback changed", "Changed their feedback"),
    # Copied from the log KX kept before (events 0011); ``data["text"]`` holds what it said.
    "earlier": ("Earlier log entry", "Logged before the log moved to Wagtail's audit log"),
}


REGISTRATION_LOG = LogActions("kx.registration.", REGISTRATION_ACTIONS)
registration_action = REGISTRATION_LOG.action
# Every registration's log entries.
registration_logs = REGISTRATION_LOG.entries
# ``registered`` for ``kx.registration.registered``.
action_name = REGISTRATION_LOG.name


def log_title(registration):
    return f"Registration {registration.pk}"


def log_registrations(registrations, action, user=None, timestamp=None, **data):
    """Log ``action`` on each of ``registrations`` in one INSERT, the entries that
    ``wagtail.log_actions.log`` writes (same model, content type, label and data).

    Not through ``log`` itself: its entries validate themselves on save, which asks the database
    whether the content type exists, one more query on the registration path, which runs under
    the event's row lock and is pinned by tests/events/test_registration_emails.py. The content
    type comes from ContentType's cache; the action is checked against Wagtail's registry here.
    """
    registrations = list(registrations)
    if not registrations:
        return []
    action = registration_action(action)
    if not registry.action_exists(action):
        raise ValueError(f"{action} is not registered (events/wagtail_hooks.py)")
    content_type = ContentType.objects.get_for_model(registrations[0], for_concrete_model=False)
    model = registry.get_log_model_for_instance(registrations[0])
    timestamp = timestamp or timezone.now()
    return model.objects.bulk_create(
        model(
            content_type=content_type,
            object_id=str(registration.pk),
            label=log_title(registration),
            action=action,
            user=user,
            timestamp=timestamp,
            data=data,
        )
        for registration in registrations
    )


def registration_log(registration):
    """The registration's log entries, oldest first."""
    return registry.get_logs_for_instance(registration).order_by("timestamp", "pk")


def _delete_registration_log(sender, instance, **kwargs):
    """A registration deleted (its member's account erased) takes its log with it, as the
    log's own table did by its foreign key."""
    registry.get_logs_for_instance(instance).delete()


def connect_signals():
    from django.db.models.signals import post_delete

    from .models import Registration

    post_delete.connect(
        _delete_registration_log, sender=Registration, dispatch_uid="events_registration_log"
    )


# The entry's data shown after the action's words: ``registered: confirmed``.
_DETAIL = {
    "registered": "status",
    "registered_again": "status",
    "session_full_removed": "session",
    "organiser_message": "subject",
}


def entry_text(entry):
    """``registered: confirmed``, ``checked in``, ``organiser message: <subject>``...: the
    label in lower case, as KX wrote its log before it moved to Wagtail's audit log. Entries
    copied from that log (``earlier``) keep the text they had."""
    action = action_name(entry)
    data = entry.data or {}
    if action == "earlier" or action not in REGISTRATION_ACTIONS:
        return data.get("text", action)
    words = REGISTRATION_ACTIONS[action][0].lower()
    if action in _DETAIL:
        return f"{words}: {data.get(_DETAIL[action], '')}"
    return words
