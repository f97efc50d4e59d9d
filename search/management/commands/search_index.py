"""Build, check and catch up the search index.

manage.py search_index --rebuild   rewrite every entry, fill a new engine index, swap the alias
manage.py search_index --check     report items missing from or stale in the index (exit 1)
manage.py search_index --sync      send entries the engine has not yet taken (after an outage)
"""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from search import check, services
from search.engine import EngineUnavailable, get_engine
from search.index import alias_name, index_body, new_index_name
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

    def handle(self, *args, rebuild=False, check=False, sync=False, **options):
        try:
            if rebuild:
                self.rebuild_index()
            elif check:
                self.check_index()
            else:
                sent = services.search_engine_sync()
                self.stdout.write(f"Sent {sent} entries to the engine.")
        except EngineUnavailable as exc:
            raise CommandError(f"The search engine is unavailable: {exc}") from exc

    def rebuild_index(self):
        progress = Progress(self.stdout, "Entries", services.searchable_count())
        written = services.search_entries_rebuild(progress=progress)
        progress.finish()
        self.stdout.write(f"{written} entries written to the database index.")
        engine = get_engine(timeout=services.ENGINE_WRITE_TIMEOUT)
        if engine is None:
            SearchEntry.objects.filter(removed=True).delete()
            self.stdout.write("No SEARCH_URL: search runs on the database.")
            return
        alias = alias_name()
        name = new_index_name(alias)
        engine.create_index(name, index_body(name))
        fill_started = timezone.now()
        progress = Progress(
            self.stdout, "Engine ", SearchEntry.objects.filter(removed=False).count()
        )
        services.search_engine_fill(engine=engine, index=name, progress=progress)
        progress.finish()
        old = engine.alias_targets(alias)
        engine.point_alias(alias, name)
        for index in old:
            engine.delete_index(index)
        # What changed while the new index filled is still flagged and goes now.
        SearchEntry.objects.filter(removed=True, indexed_at__lt=fill_started).delete()
        SearchEntry.objects.filter(indexed_at__lt=fill_started).update(needs_engine_sync=False)
        services.search_engine_sync(engine=engine)
        self.stdout.write(f"The alias {alias} now points to {name}.")

    def check_index(self):
        report = check.index_report()
        for problem, keys in report.items():
            self.stdout.write(f"{problem}: {len(keys)}")
            for key in keys[:20]:
                self.stdout.write(f"  {key}")
        if any(report.values()):
            sys.stdout.flush()
            raise CommandError("The search index needs `search_index --sync` or `--rebuild`.")
        self.stdout.write("The search index is up to date.")
