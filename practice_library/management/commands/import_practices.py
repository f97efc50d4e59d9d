from django.core.management.base import BaseCommand, CommandError

from practice_library.importing import ImportFileError, import_practices, read_rows


class Command(BaseCommand):
    help = (
        "Import practices from a CSV (UTF-8, header row) or JSON (list of objects) file. Every "
        "row is checked first; with any invalid row nothing is imported unless --skip-invalid. "
        "Practices are matched on title and organisation, so importing again updates them. "
        "Topic and organisation names match loosely (case, punctuation, '&'/'and', aliases); "
        "an unknown one is reported with the closest names. Imported practices are published."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .csv or .json file")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="import the valid rows, report the rest"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and report; change nothing"
        )
        parser.add_argument(
            "--create-topics",
            action="store_true",
            help="create the topics no existing topic (or alias) matches, instead of refusing "
            "their rows",
        )

    def handle(self, *args, file, skip_invalid, dry_run, create_topics, **options):
        try:
            rows = read_rows(file)
            report = import_practices(
                rows=rows, create_topics=create_topics, skip_invalid=skip_invalid, dry_run=dry_run
            )
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
        if report.new_topics:
            self.stdout.write(
                f"{len(report.new_topics)} topics {verb} created: {', '.join(report.new_topics)}."
            )
        self.stdout.write(
            f"{len(report.created)} practices {verb} created and {len(report.updated)} "
            f"{verb} updated."
        )
        if report.problems:
            self.stdout.write(f"{len(report.invalid_rows)} invalid rows were skipped.")
