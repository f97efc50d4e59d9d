from django.core.management.base import BaseCommand

from events.maintenance import (
    erase_expired_feedback_comments,
    erase_expired_personal_data,
    retention_days,
)


def _plural(count, word):
    return f"{count} {word}{'' if count == 1 else 's'}"


class Command(BaseCommand):
    help = (
        "Erase delegates' dietary and access needs, and feedback comments, for events that ended "
        "more than KX_EVENT_RETENTION_DAYS (default 90) days ago. Registrations and feedback "
        "scores are kept, so counts stay. Meant for cron (daily); running it again erases nothing "
        "more."
    )

    def handle(self, *args, **options):
        erased = erase_expired_personal_data()
        for event, count in erased:
            self.stdout.write(
                f"{event.title} (event {event.pk}, ended {event.end:%Y-%m-%d}): "
                f"{_plural(count, 'registration')} erased."
            )
        total = sum(count for _, count in erased)
        self.stdout.write(
            f"{_plural(total, 'registration')} erased in {_plural(len(erased), 'event')} "
            f"(retention {retention_days()} days)."
        )
        comments = erase_expired_feedback_comments()
        for event, count in comments:
            self.stdout.write(
                f"{event.title} (event {event.pk}, ended {event.end:%Y-%m-%d}): "
                f"{_plural(count, 'feedback comment')} erased."
            )
        total = sum(count for _, count in comments)
        self.stdout.write(
            f"{_plural(total, 'feedback comment')} erased in {_plural(len(comments), 'event')}."
        )
