from django.core.management.base import BaseCommand

from events.maintenance import erase_expired_personal_data, retention_days


class Command(BaseCommand):
    help = (
        "Erase delegates' dietary and access needs for events that ended more than "
        "KX_EVENT_RETENTION_DAYS (default 90) days ago. Registrations are kept, so counts stay. "
        "Meant for cron (daily); running it again erases nothing more."
    )

    def handle(self, *args, **options):
        erased = erase_expired_personal_data()
        for event, count in erased:
            self.stdout.write(
                f"{event.title} (event {event.pk}, ended {event.end:%Y-%m-%d}): "
                f"{count} registration{'' if count == 1 else 's'} erased."
            )
        total = sum(count for _, count in erased)
        self.stdout.write(
            f"{total} registration{'' if total == 1 else 's'} erased in {len(erased)} "
            f"event{'' if len(erased) == 1 else 's'} (retention {retention_days()} days)."
        )
