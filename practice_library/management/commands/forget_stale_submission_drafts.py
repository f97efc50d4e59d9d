from django.core.management.base import BaseCommand

from practice_library.submission_drafts import submission_drafts_forget_stale


class Command(BaseCommand):
    help = (
        "Delete practice submissions left unsent for KX_SUBMISSION_DRAFT_DAYS, with their files."
    )

    def handle(self, *args, **options):
        forgotten = submission_drafts_forget_stale()
        self.stdout.write(f"Deleted {forgotten} unsent practice submission(s).")
