import logging

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kx_site import scheduler


class Command(BaseCommand):
    help = (
        "Run every periodic job on its schedule until SIGTERM or SIGINT (one process for the "
        "whole site; a second one waits for the first one's lock). --once runs the jobs that are "
        "due and exits, for cron. --list shows the schedule."
    )

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--once", action="store_true", help="Run the jobs that are due, then exit."
        )
        mode.add_argument(
            "--list",
            action="store_true",
            dest="show_list",
            help="Show the jobs and their schedule.",
        )

    def handle(self, *args, once=False, show_list=False, verbosity=1, **options):
        self.configure_logging(verbosity)
        if show_list:
            self.list_jobs()
            return
        runner = scheduler.Scheduler()
        if not once:
            runner.run_forever()
            return
        outcomes = runner.run_once()
        if outcomes is None:
            self.stdout.write("Another scheduler holds the lock: nothing run.")
            return
        for name, ok in outcomes.items():
            self.stdout.write(f"{name}: {'ok' if ok else 'failed'}")
        if not outcomes:
            self.stdout.write("No job was due.")
        failed = [name for name, ok in outcomes.items() if not ok]
        if failed:
            raise CommandError(f"Failed: {', '.join(failed)} (the log says why).")

    def list_jobs(self):
        runs = scheduler.last_runs()
        for job in scheduler.JOBS:
            run = runs.get(job.name)
            last = (
                f"last finished {timezone.localtime(run['finished_at']):%Y-%m-%d %H:%M:%S %Z}, "
                f"{'ok' if run['ok'] else 'failed'}"
                if run
                else "not run yet"
            )
            self.stdout.write(f"{job.name:<28} {job.schedule!s:<34} {last}")

    def configure_logging(self, verbosity):
        """The jobs' start, end and outcome are the point of this process's log: make sure they
        show whatever LOG_LEVEL the rest of the site logs at."""
        log = logging.getLogger("kx.scheduler")
        log.setLevel({0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG))
        if not log.hasHandlers():
            log.addHandler(logging.StreamHandler(self.stderr))
