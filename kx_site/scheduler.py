"""The scheduler: every periodic job on its schedule, from one long-running process.

``manage.py run_scheduler`` runs it (``--once`` runs what is due and exits, for cron users and
tests). A job is a list of management commands. Each schedule has slots (every five minutes, daily
at 07:00 London time); a job is due when it has not started since the latest slot, so a scheduler
that was down for a while runs each missed job once, not once per missed slot. Every job is safe to
run again, which is why a crash between starting and recording a job costs nothing but a repeat.

Only one scheduler runs jobs at a time: it holds a lock for its whole life, a session-level
advisory lock on PostgreSQL or an exclusive lock on a file beside the SQLite database. A second
scheduler started by mistake waits, says so in the log, and takes over if the first one stops.

The latest run of each job is kept in the default cache (``last_runs()`` reads it for the health
check). No model: the scheduler holds the same record in memory and writes it whole after every
job and every half minute in between, so a cache that culls or evicts the entry has it back within
a minute; a scheduler that starts with no record runs every job once, which each one allows.
"""

import fcntl
import io
import logging
import signal
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import DatabaseError, close_old_connections, connections
from django.utils import timezone

logger = logging.getLogger("kx.scheduler")

CACHE_KEY = "kx:scheduler:runs"
# Session-level advisory locks are per database, so two KX databases on one server do not clash.
LOCK_KEY = zlib.crc32(b"kx.scheduler")
# How often a scheduler that could not take the lock tries again, and the longest it sleeps
# between looks at the schedule (so it notices a lost lock or a stop soon enough).
LOCK_RETRY_SECONDS = 30
MAX_SLEEP_SECONDS = 30

_EPOCH = datetime(2000, 1, 3, tzinfo=UTC)  # a Monday, midnight UTC
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Every:
    """Slots every ``period``, counted from midnight UTC plus ``offset``: ``Every(HOUR)`` falls
    on the hour, ``Every(HOUR, offset=20 * MINUTE)`` at twenty past."""

    period: timedelta
    offset: timedelta = timedelta(0)

    def __post_init__(self):
        if self.period < MINUTE:
            raise ValueError("A schedule's period is a minute or more.")

    def latest_slot(self, now: datetime) -> datetime:
        return now - (now - _EPOCH - self.offset) % self.period

    def next_slot(self, now: datetime) -> datetime:
        return self.latest_slot(now) + self.period

    def __str__(self):
        minutes = int(self.period / MINUTE)
        text = f"every {minutes} min" if minutes % 60 else f"every {minutes // 60} h"
        if self.offset:
            text += f", {int(self.offset / MINUTE)} min past the slot"
        return text


@dataclass(frozen=True)
class DailyAt:
    """One slot a day at ``at``, local time (settings.TIME_ZONE), summer time included."""

    at: clock_time
    period: timedelta = field(default=timedelta(days=1), init=False)

    def latest_slot(self, now: datetime) -> datetime:
        local = timezone.localtime(now)
        slot = datetime.combine(local.date(), self.at, tzinfo=local.tzinfo)
        if slot > now:
            slot = datetime.combine(local.date() - timedelta(days=1), self.at, tzinfo=local.tzinfo)
        return slot

    def next_slot(self, now: datetime) -> datetime:
        latest = self.latest_slot(now)
        return datetime.combine(latest.date() + timedelta(days=1), self.at, tzinfo=latest.tzinfo)

    def __str__(self):
        return f"daily at {self.at:%H:%M}"


@dataclass(frozen=True)
class Job:
    name: str
    schedule: Every | DailyAt
    commands: tuple[tuple[str, ...], ...]
    description: str = ""

    def is_due(self, last_started: datetime | None, now: datetime) -> bool:
        return last_started is None or last_started < self.schedule.latest_slot(now)


JOBS = (
    Job(
        "publish_scheduled",
        Every(MINUTE),
        (("publish_scheduled",),),
        "Publish and unpublish pages whose go-live or expiry time has come (Wagtail).",
    ),
    Job(
        "expire_offers",
        Every(5 * MINUTE),
        (("expire_offers",),),
        "Move on waiting-list offers whose hold has passed.",
    ),
    Job(
        "send_event_reminders",
        Every(HOUR, offset=5 * MINUTE),
        (("send_event_reminders",),),
        "Event reminders 7 days and 1 day before, and feedback invitations after.",
    ),
    Job(
        "search_index",
        Every(HOUR, offset=20 * MINUTE),
        (("search_index", "--sync"), ("search_index", "--check")),
        "Send the engine what it missed, then compare the index with the content.",
    ),
    Job(
        "send_forum_digests",
        DailyAt(clock_time(7, 0)),
        (("send_forum_digests",),),
        "The daily forum digest.",
    ),
    Job(
        "erase_event_personal_data",
        DailyAt(clock_time(3, 0)),
        (("erase_event_personal_data",),),
        "Erase dietary and access needs and feedback comments past the retention period.",
    ),
    Job(
        "forget_stale_submission_drafts",
        DailyAt(clock_time(3, 30)),
        (("forget_stale_submission_drafts",),),
        "Delete practice submissions left unsent, with their files, after the set number of days.",
    ),
)


def last_runs() -> dict[str, dict]:
    """The latest finished run of each job that has run: ``{job name: {"finished_at": datetime,
    "ok": bool}}``. A job that never finished is absent."""
    record = cache.get(CACHE_KEY) or {}
    return {
        name: {"finished_at": run["finished_at"], "ok": run["ok"]}
        for name, run in record.items()
        if run.get("finished_at") is not None
    }


# Locks ----------------------------------------------------------------------------------------


class PostgresAdvisoryLock:
    """``pg_try_advisory_lock`` on a connection of its own, held until released or the
    connection drops (the server then releases it, so a killed scheduler leaves no lock)."""

    def __init__(self, alias="default"):
        self.alias = alias
        self.connection = None

    def __str__(self):
        return f"PostgreSQL advisory lock {LOCK_KEY}"

    def acquire(self) -> bool:
        self.release()
        self.connection = connections[self.alias].copy()
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
            (taken,) = cursor.fetchone()
        if not taken:
            self.release()
        return taken

    def is_held(self) -> bool:
        if self.connection is None:
            return False
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                    " AND pid = pg_backend_pid() AND objid = %s",
                    [LOCK_KEY],
                )
                return cursor.fetchone()[0] > 0
        except Exception:  # any failure here means the session, and so the lock, is gone
            logger.exception("The scheduler lock's database connection failed")
            self.release()
            return False

    def release(self):
        if self.connection is not None:
            # Unlocked explicitly: the server ends a closed session, and frees its locks, only
            # some time after the client has gone, so a scheduler started at once could miss it.
            try:
                with self.connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock_all()")
            except Exception:  # the connection may be dead already, and its locks with it
                logger.debug("Unlocking on the lock connection failed", exc_info=True)
            try:
                self.connection.close()
            except Exception:  # the connection may be dead already
                logger.debug("Closing the lock connection failed", exc_info=True)
            self.connection = None


class FileLock:
    """An exclusive ``flock`` on a file: the fallback for SQLite, whose users share one machine.
    The kernel drops it when the process ends, however it ends."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.file = None

    def __str__(self):
        return f"lock file {self.path}"

    def acquire(self) -> bool:
        self.release()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_file = open(self.path, "a")  # noqa: SIM115 - held open for the lock's lifetime.
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock_file.close()
            return False
        self.file = lock_file
        return True

    def is_held(self) -> bool:
        return self.file is not None

    def release(self):
        if self.file is not None:
            self.file.close()  # closing the file releases the lock
            self.file = None


def database_lock(alias="default"):
    """The lock that suits the database: two schedulers on one database exclude each other."""
    connection = connections[alias]
    if connection.vendor == "postgresql":
        return PostgresAdvisoryLock(alias)
    name = str(connection.settings_dict.get("NAME") or "")
    if connection.vendor == "sqlite" and name and "memory" not in name:
        return FileLock(Path(f"{name}.scheduler-lock"))
    return FileLock(Path(settings.VAR_DIR) / "scheduler.lock")


# The scheduler ----------------------------------------------------------------------------------


class Scheduler:
    def __init__(self, jobs=None, *, lock=None, clock=timezone.now):
        self.jobs = tuple(JOBS if jobs is None else jobs)
        self.lock = lock if lock is not None else database_lock()
        self.clock = clock
        self.record: dict[str, dict] = {}
        self.stopping = threading.Event()

    # The record of runs.

    def load_record(self):
        try:
            stored = cache.get(CACHE_KEY) or {}
        except Exception:  # without the record every job looks due: each runs once, harmlessly
            logger.exception("Could not read the scheduler's runs from the cache")
            stored = {}
        for name, run in stored.items():
            mine = self.record.get(name, {})
            if (run.get("started_at") or _EPOCH) > (mine.get("started_at") or _EPOCH):
                self.record[name] = dict(run)

    def save_record(self):
        try:
            cache.set(CACHE_KEY, self.record, timeout=None)
        except Exception:  # a cache outage must not stop the jobs; the next save catches up
            logger.exception("Could not record the scheduler's runs in the cache")

    def due_jobs(self, now=None):
        now = now or self.clock()
        return [job for job in self.jobs if job.is_due(self._started(job), now)]

    def _started(self, job):
        return self.record.get(job.name, {}).get("started_at")

    def next_due_at(self, now):
        return min(job.schedule.next_slot(now) for job in self.jobs)

    # Running.

    def run_job(self, job) -> bool:
        started = self.clock()
        run = self.record.setdefault(job.name, {})
        run["started_at"] = started
        self.save_record()
        logger.info("Job %s started", job.name)
        began = time.monotonic()
        output = io.StringIO()
        error = ""
        try:
            for command in job.commands:
                call_command(*command, stdout=output, stderr=output)
        except Exception as exc:  # one job's failure must not stop the others
            error = f"{type(exc).__name__}: {exc}"
            logger.exception("Job %s failed", job.name)
        duration = time.monotonic() - began
        for line in output.getvalue().splitlines():
            if line.strip():
                logger.info("Job %s: %s", job.name, line.strip())
        run.update(finished_at=self.clock(), ok=not error, duration=duration, error=error)
        self.save_record()
        logger.log(
            logging.INFO if not error else logging.ERROR,
            "Job %s finished in %.2f s: %s",
            job.name,
            duration,
            "ok" if not error else f"failed ({error})",
        )
        return not error

    def run_due(self) -> dict[str, bool]:
        """Run every due job once, in the table's order; stop early when asked to stop."""
        outcomes = {}
        for job in self.due_jobs():
            if self.stopping.is_set():
                break
            outcomes[job.name] = self.run_job(job)
        return outcomes

    def run_once(self) -> dict[str, bool] | None:
        """Take the lock, run what is due, let go. None if another scheduler holds the lock."""
        if not self.lock.acquire():
            logger.warning("Another scheduler holds the lock (%s): nothing run.", self.lock)
            return None
        try:
            self.load_record()
            return self.run_due()
        finally:
            self.lock.release()

    def run_forever(self):
        """Run jobs on their schedule until SIGTERM or SIGINT; the job running then finishes."""
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGINT)
        }
        waiting_logged = False
        try:
            while not self.stopping.is_set():
                if not self.lock.is_held():
                    try:
                        taken = self.lock.acquire()
                    except DatabaseError:
                        logger.exception(
                            "Could not reach the database to take the scheduler lock; "
                            "trying again in %s s",
                            LOCK_RETRY_SECONDS,
                        )
                        self.stopping.wait(LOCK_RETRY_SECONDS)
                        continue
                    if not taken:
                        if not waiting_logged:
                            logger.warning(
                                "Another scheduler holds the lock (%s); trying again every %s s.",
                                self.lock,
                                LOCK_RETRY_SECONDS,
                            )
                            waiting_logged = True
                        self.stopping.wait(LOCK_RETRY_SECONDS)
                        continue
                    waiting_logged = False
                    logger.info("Scheduler took the lock (%s)", self.lock)
                    self.load_record()
                close_old_connections()
                if not self.run_due():
                    self.save_record()  # a cache that lost the record has it back
                close_old_connections()
                pause = MAX_SLEEP_SECONDS
                if self.jobs:
                    now = self.clock()
                    pause = min((self.next_due_at(now) - now).total_seconds(), pause)
                self.stopping.wait(max(pause, 0.5))
        finally:
            self.lock.release()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        logger.info("Scheduler stopped")

    def _on_signal(self, signum, frame):
        if self.stopping.is_set():
            logger.warning("%s again: stopping at once", signal.strsignal(signum))
            raise SystemExit(1)
        logger.info(
            "%s: stopping after the job in progress (send it again to stop at once)",
            signal.strsignal(signum),
        )
        self.stopping.set()
