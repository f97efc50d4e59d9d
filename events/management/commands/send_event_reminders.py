from django.core.management.base import BaseCommand

from events.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "Email confirmed delegates a reminder 7 days and 1 day before their event. Meant for "
        "cron (every 15 minutes or so); each reminder is sent once, however often it runs."
    )

    def handle(self, *args, **options):
        sent = send_reminders()
        self.stdout.write(
            f"{sent['7_days']} 7-day reminder{'' if sent['7_days'] == 1 else 's'} and "
            f"{sent['1_day']} 1-day reminder{'' if sent['1_day'] == 1 else 's'} sent."
        )
