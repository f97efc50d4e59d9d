from django.core.management.base import BaseCommand

from events.feedback.invitations import send_feedback_invitations
from events.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "Email confirmed delegates a reminder 7 days and 1 day before their event, and attended "
        "delegates an invitation to give feedback after it. Meant for cron (every 15 minutes or "
        "so); each email is sent once, however often it runs."
    )

    def handle(self, *args, **options):
        sent = send_reminders()
        self.stdout.write(
            f"{sent['7_days']} 7-day reminder{'' if sent['7_days'] == 1 else 's'} and "
            f"{sent['1_day']} 1-day reminder{'' if sent['1_day'] == 1 else 's'} sent."
        )
        invited = send_feedback_invitations()
        # Said only when there were some, so the reminders' one-line report stays as it was.
        if invited:
            self.stdout.write(f"{invited} feedback invitation{'' if invited == 1 else 's'} sent.")
