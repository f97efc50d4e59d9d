from django.core.management.base import BaseCommand, CommandError

from practice_library.importing import ImportFileError, read_rows
from practice_library.services import practices_import


class Command(BaseCommand):
    help = (
        "Import practices from a CSV (UTF-8, header row) or JSON (list of objects) file. Every "
        "row is checked first; with any invalid row nothing is imported unless --skip-invalid. "
        "Practices are matched on title and organisation, so importing again updates them. "
        "Imported practices are published."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .csv or .json file")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="import the valid rows, report the rest"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and report; change nothing"
        )

    def handle(self, *args, file, skip_invalid, dry_run, **options):
        try:
            rows = read_rows(file)
            report = practices_import(rows=rows, skip_invalid=skip_invalid, dry_run=dry_run)
        except ImportFileError as error:
            raise CommandError(str(error)) from error
        for problem in report.problems:
            self.stderr.write(str(problem))
        if report.problems and not skip_invalid:
            raise CommandError(
                f"{len(report.invalid_rows)} of {len(rows)} rows are invalid: nothing was "
                "imported. Correct them, or use --skip-invalid to import the valid rows."
            )
        verb = "would be" if dry_run else "were"
        self.stdout.write(
            f"{len(report.created)} practices {verb} created and {len(report.updated)} "
            f"{verb} updated."
        )
        if report.problems:
            self.stdout.write(f"{len(report.invalid_rows)} invalid rows were skipped.")
