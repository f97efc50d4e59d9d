from django.core.management.base import BaseCommand

from events.services import offers_expire, quota_released_places_offer


class Command(BaseCommand):
    help = (
        "Move on every waiting-list offer whose hold has passed, offering the place to the next "
        "person, and offer the places that quotas held back once an event's quotas end. Meant "
        "for cron (every few minutes); safe to run as often as you like."
    )

    def handle(self, *args, **options):
        expired = offers_expire()
        self.stdout.write(f"{expired} expired offer{'' if expired == 1 else 's'} moved on.")
        released = quota_released_places_offer()
        self.stdout.write(
            f"{released} place{'' if released == 1 else 's'} offered after quotas ended."
        )
