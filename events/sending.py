"""Emails each registration gets once (reminders, feedback invitations), however many runs.

``send_once`` marks a registration's "sent at" field and queues its email in one transaction, on
the row locked with ``SELECT ... FOR UPDATE SKIP LOCKED`` and re-checked under the lock against
the "due" queryset: a second run at the same time skips the row the first holds, and finds the
field set once the first commits. The email goes after commit (``queue_email``), so a
rolled-back mark sends nothing. (SQLite has no row locks; there, writes are serialised by the
database lock, and the re-check under it is enough.)
"""

from django.db import transaction

from kx_site.notifications import queue_email


def send_once(due, pk, *, field, now, related, email):
    """Mark and queue one email; False if another run holds the row or it is no longer due.

    ``due`` is the queryset of registrations still due it, ``field`` the one marking it sent,
    ``related`` what the email needs joined, and ``email(registration)`` the ``queue_email``
    keywords.
    """
    with transaction.atomic():
        registration = (
            due.select_for_update(skip_locked=True, of=("self",))
            .select_related(*related)
            .filter(pk=pk)
            .first()
        )
        if registration is None:
            return False
        setattr(registration, field, now)
        registration.save(update_fields=[field])
        queue_email(**email(registration))
    return True
