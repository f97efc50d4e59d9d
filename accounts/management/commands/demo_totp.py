from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_ACCOUNTS, current_totp_code, demo_totp_secret


class Command(BaseCommand):
    help = "Print the current authenticator code of a demo staff account (development only)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        if not settings.DEBUG:
            raise CommandError("Demo authenticator codes exist only in development.")
        if email not in {account[0] for account in DEMO_ACCOUNTS}:
            raise CommandError(f"{email} is not a demo account.")
        self.stdout.write(current_totp_code(demo_totp_secret(email)))
