"""Build, check and catch up the search index.

manage.py search_index --rebuild   bring every entry up to date, fill a new engine index, swap
                                   the alias (edits made meanwhile are not lost)
manage.py search_index --rebuild --discard-unfinished
                                   the same, deleting the index an interrupted rebuild left
manage.py search_index --check     report items missing from or stale in the index (exit 1)
manage.py search_index --sync      send entries the engine has not yet taken (after an outage)
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from search import check, services
from search.engine import EngineUnavailable, get_engine
from search.index import alias_name, rebuild_alias_name
from search.models import SearchEntry


class Progress:
    """A one-line progress bar on a terminal; a line per tenth elsewhere."""

    def __init__(self, stream, label, total, width=30):
        self.stream, self.label, self.total, self.width = stream, label, max(total, 1), width
        self.done = 0
        self.tty = getattr(stream, "isatty", lambda: False)()
        self.last_tenth = -1

    def __call__(self, step=1):
        self.done = min(self.done + step, self.total)
        filled = self.width * self.done // self.total
        line = (
            f"{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total}"
        )
        if self.tty:
            self.stream.write(f"\r{line}", ending="")
            self.stream.flush()
        elif 10 * self.done // self.total != self.last_tenth:
            self.last_tenth = 10 * self.done // self.total
            self.stream.write(line)

    def finish(self):
        if self.tty:
            self.stream.write("")


class Command(BaseCommand):
    help = "Rebuild the search index (--rebuild), report problems (--check) or catch up (--sync)."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--rebuild", action="store_true")
        group.add_argument("--check", action="store_true")
        group.add_argument("--sync", action="store_true")
        parser.add_argument(
            "--discard-unfinished",
            action="store_true",
            help="with --rebuild: delete the index an interrupted rebuild left behind",
        )

    def handle(self, *args, rebuild=False, check=False, sync=False, **options):
        if options["discard_unfinished"] and not rebuild:
            raise CommandError("--discard-unfinished goes with --rebuild")
        try:
            if rebuild:
                self.rebuild_index(discard_unfinished=options["discard_unfinished"])
            elif check:
                self.check_index()
            else:
                sent = services.search_engine_sync()
                self.stdout.write(f"Sent {sent} entries to the engine.")
        except EngineUnavailable as exc:
            raise CommandError(f"The search engine is unavailable: {exc}") from exc
        except services.RebuildUnfinished as exc:
            raise CommandError(f"Not rebuilding: {exc}.") from exc

    def rebuild_index(self, *, discard_unfinished=False):
        searchable = services.searchable_count()
        progress = Progress(self.stdout, "Entries", searchable)
        written = services.search_entries_rebuild(progress=progress)
        progress.finish()
        self.stdout.write(
            f"{written} entries written to the database index "
            f"({searchable - written} of {searchable} were up to date)."
        )
        engine = get_engine(timeout=services.ENGINE_WRITE_TIMEOUT)
        if engine is None:
            services.search_engine_sync()  # no engine: removed entries go at once
            self.stdout.write("No SEARCH_URL: search runs on the database.")
            return
        progress = Progress(
            self.stdout, "Engine ", SearchEntry.objects.filter(removed=False).count()
        )
        name = services.search_engine_rebuild(
            engine=engine, progress=progress, discard_unfinished=discard_unfinished
        )
        progress.finish()
        self.stdout.write(f"The alias {alias_name()} now points to {name}.")

    def check_index(self):
        engine = get_engine(timeout=services.ENGINE_WRITE_TIMEOUT)
        unfinished = engine.alias_targets(rebuild_alias_name()) if engine else []
        if unfinished:
            # Running, or interrupted: its entries stay flagged, so the report below counts them.
            self.stdout.write(
                f"A rebuild is filling {', '.join(unfinished)} (if none is running, it was "
                "interrupted: run `search_index --rebuild --discard-unfinished`)."
            )
        report = check.index_report()
        for problem, keys in report.items():
            self.stdout.write(f"{problem}: {len(keys)}")
            for key in keys[:20]:
                self.stdout.write(f"  {key}")
        if any(report.values()):
            sys.stdout.flush()
            raise CommandError("The search index needs `search_index --sync` or `--rebuild`.")
        self.stdout.write("The search index is up to date.")
