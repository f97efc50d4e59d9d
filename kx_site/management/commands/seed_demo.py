from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from kx_site.demo import registered_demo_data


class Command(BaseCommand):
    help = "Add demo accounts and content. Safe to run again: nothing is duplicated."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo adds accounts with known passwords: development only.")
        # Each app declares its demo data in its own demo module (kx_site.demo.demo_data).
        demo_data = registered_demo_data()
        with transaction.atomic():
            for entry in demo_data:
                entry.add()
        self.stdout.write(self.style.SUCCESS("Demo content is in place."))
        for entry in demo_data:
            if entry.describe:
                for line in entry.describe():
                    self.stdout.write(line)
