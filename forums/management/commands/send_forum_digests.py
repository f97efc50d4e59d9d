from django.core.management.base import BaseCommand

from forums.notifications import send_daily_digests


class Command(BaseCommand):
    help = "Email the daily forum digest to members who chose it (run once a day; safe to repeat)."

    def handle(self, *args, **options):
        sent = send_daily_digests()
        self.stdout.write(f"Sent {sent} forum digest(s).")
