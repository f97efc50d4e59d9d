"""Merge each person's registrations for an event into one row, before 0006 makes that a rule.

Until now, registering again after cancelling added a second row, so the person showed twice
(My events, the organiser's delegate list). For each (event, person) with more than one row,
the row kept is the active one if there is one (there can be at most one), or else the most
recent; the other rows' log entries, organiser messages, feedback and certificate move to it,
and the other rows are deleted.

A migration of its own: on PostgreSQL the moved foreign keys leave deferred trigger events that
forbid altering the table in the same transaction, so the constraint comes in 0006.
"""

from django.db import migrations
from django.db.models import Count

ACTIVE_STATUSES = ["confirmed", "pending_approval", "waiting", "offered"]


def merge_duplicate_registrations(apps, schema_editor):
    Registration = apps.get_model("events", "Registration")
    RegistrationLogEntry = apps.get_model("events", "RegistrationLogEntry")
    FeedbackResponse = apps.get_model("events", "FeedbackResponse")
    Certificate = apps.get_model("events", "Certificate")
    Recipient = apps.get_model("events", "EventMessage").recipients.through

    duplicated = (
        Registration.objects.values("event_id", "user_id")
        .annotate(rows=Count("pk"))
        .filter(rows__gt=1)
        .order_by()
    )
    for pair in duplicated.iterator():
        rows = list(
            Registration.objects.filter(event_id=pair["event_id"], user_id=pair["user_id"])
            # The active row first, then the most recent.
            .order_by("-created_at", "-pk")
        )
        keep = next((r for r in rows if r.status in ACTIVE_STATUSES), rows[0])
        others = [r.pk for r in rows if r.pk != keep.pk]

        RegistrationLogEntry.objects.filter(registration_id__in=others).update(
            registration_id=keep.pk
        )
        RegistrationLogEntry.objects.create(
            registration_id=keep.pk, action=f"merged {len(others)} earlier registration(s)"
        )
        # Messages the person received under an earlier row stay theirs to read.
        already = set(
            Recipient.objects.filter(registration_id=keep.pk).values_list(
                "eventmessage_id", flat=True
            )
        )
        for message_id in (
            Recipient.objects.filter(registration_id__in=others)
            .values_list("eventmessage_id", flat=True)
            .distinct()
        ):
            if message_id not in already:
                Recipient.objects.create(registration_id=keep.pk, eventmessage_id=message_id)
        # Feedback and a certificate are one per registration: move an earlier row's only if
        # the kept row has none (otherwise the kept row's is the current one).
        for model in (FeedbackResponse, Certificate):
            if not model.objects.filter(registration_id=keep.pk).exists():
                earlier = model.objects.filter(registration_id__in=others).order_by("-pk").first()
                if earlier is not None:
                    earlier.registration_id = keep.pk
                    earlier.save(update_fields=["registration"])
        Registration.objects.filter(pk__in=others).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0004_feedback_certificates"),
    ]

    operations = [
        # Nothing to undo: the merged rows were duplicates, and their log entries are kept.
        migrations.RunPython(merge_duplicate_registrations, migrations.RunPython.noop),
    ]
