"""The scheduler runs each periodic job on its schedule, once across the site."""

import logging
import os
import signal
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection
from django.utils import timezone

from events.models import Registration
from events.services import registration_cancel, registration_create
from kx_site import scheduler
from kx_site.scheduler import HOUR, MINUTE, DailyAt, Every, FileLock, Job, Scheduler
from tests.events.factories import EventPageFactory
from tests.factories import PractitionerFactory

LONDON = ZoneInfo("Europe/London")


def at(text, tz=UTC):
    return datetime.fromisoformat(text).replace(tzinfo=tz)


# When a job is due ------------------------------------------------------------------------------


def test_every_five_minutes_has_slots_on_the_fives():
    schedule = Every(5 * MINUTE)

    assert schedule.latest_slot(at("2026-03-10 12:07:31")) == at("2026-03-10 12:05")
    assert schedule.latest_slot(at("2026-03-10 12:05")) == at("2026-03-10 12:05")
    assert schedule.next_slot(at("2026-03-10 12:07:31")) == at("2026-03-10 12:10")


def test_an_offset_moves_the_slots():
    schedule = Every(HOUR, offset=20 * MINUTE)

    assert schedule.latest_slot(at("2026-03-10 12:19")) == at("2026-03-10 11:20")
    assert schedule.latest_slot(at("2026-03-10 12:21")) == at("2026-03-10 12:20")


def test_a_job_never_run_is_due_at_once():
    job = Job("x", Every(HOUR), (("check",),))

    assert job.is_due(None, at("2026-03-10 12:30"))


def test_a_job_is_due_again_only_once_its_next_slot_has_come():
    job = Job("x", Every(5 * MINUTE), (("check",),))
    started = at("2026-03-10 12:05:02")

    assert not job.is_due(started, at("2026-03-10 12:09:59"))
    assert job.is_due(started, at("2026-03-10 12:10:00"))


def test_missed_slots_are_run_once_not_once_each():
    """A scheduler that was down for an hour runs a five-minute job once, then keeps time."""
    job = Job("x", Every(5 * MINUTE), (("check",),))

    assert job.is_due(at("2026-03-10 11:00:01"), at("2026-03-10 12:02"))
    # Run at 12:02: not due again until 12:05.
    assert not job.is_due(at("2026-03-10 12:02"), at("2026-03-10 12:04:59"))


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Winter: London is on GMT.
        (at("2026-01-15 06:59"), at("2026-01-14 07:00")),
        (at("2026-01-15 07:00"), at("2026-01-15 07:00")),
        # Summer: 07:00 in London is 06:00 UTC.
        (at("2026-07-15 06:30"), at("2026-07-15 06:00")),
        (at("2026-07-15 05:59"), at("2026-07-14 06:00")),
    ],
)
def test_daily_at_seven_is_seven_in_london_all_year(now, expected):
    assert DailyAt(clock_time(7, 0)).latest_slot(now) == expected


def test_the_daily_slot_keeps_to_seven_across_the_clock_change():
    # The clocks went forward on 29 March 2026.
    slot = DailyAt(clock_time(7, 0)).next_slot(at("2026-03-28 08:00"))

    assert slot.astimezone(LONDON).time() == clock_time(7, 0)
    assert slot == at("2026-03-29 06:00")


def test_the_digest_is_due_once_a_day_at_seven():
    job = next(j for j in scheduler.JOBS if j.name == "send_forum_digests")
    ran = at("2026-01-15 07:00:05")

    assert not job.is_due(ran, at("2026-01-15 23:59"))
    assert not job.is_due(ran, at("2026-01-16 06:59"))
    assert job.is_due(ran, at("2026-01-16 07:00"))


def test_the_schedule_table_covers_every_periodic_job():
    schedules = {job.name: str(job.schedule) for job in scheduler.JOBS}

    assert schedules == {
        "publish_scheduled": "every 1 min",
        "expire_offers": "every 5 min",
        "send_event_reminders": "every 1 h, 5 min past the slot",
        "search_index": "every 1 h, 20 min past the slot",
        "send_forum_digests": "daily at 07:00",
        "erase_event_personal_data": "daily at 03:00",
        "forget_stale_submission_drafts": "daily at 03:30",
    }
    assert {command[0] for job in scheduler.JOBS for command in job.commands} == {
        "publish_scheduled",
        "expire_offers",
        "send_event_reminders",
        "search_index",
        "send_forum_digests",
        "erase_event_personal_data",
        "forget_stale_submission_drafts",
    }


# Running the jobs -------------------------------------------------------------------------------


@pytest.fixture
def lapsed_offer(db, django_capture_on_commit_callbacks):
    """A place offered from the waiting list an hour ago, held for an hour: overdue now."""
    event = EventPageFactory(capacity=1, offer_hold_hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        event.save_revision().publish()  # as an editor would, so search indexes it
    start = timezone.now() - timedelta(hours=3)
    confirmed = registration_create(event=event, user=PractitionerFactory(), now=start)
    waiting = registration_create(
        event=event, user=PractitionerFactory(), now=start + timedelta(seconds=1)
    )
    registration_cancel(
        registration=confirmed, actor=confirmed.user, now=timezone.now() - timedelta(hours=2)
    )
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.OFFERED
    return waiting


@pytest.fixture
def lock_dir(settings, tmp_path):
    """On SQLite the test database is in memory, so the lock file goes under VAR_DIR."""
    settings.VAR_DIR = tmp_path
    return tmp_path


def test_once_runs_every_job_and_an_overdue_offer_moves_on(lapsed_offer, lock_dir, capsys):
    call_command("run_scheduler", "--once")

    lapsed_offer.refresh_from_db()
    # Nobody else was waiting, so the lapsed offer is cancelled and the place is free again.
    assert lapsed_offer.status == Registration.Status.CANCELLED
    assert capsys.readouterr().out.splitlines() == [f"{job.name}: ok" for job in scheduler.JOBS]


def test_once_again_straight_away_runs_nothing(db, lock_dir, capsys):
    call_command("run_scheduler", "--once")
    capsys.readouterr()

    call_command("run_scheduler", "--once")

    assert capsys.readouterr().out == "No job was due.\n"


def test_each_run_is_logged_with_its_duration_and_outcome(db, lock_dir, caplog):
    with caplog.at_level(logging.INFO, logger="kx.scheduler"):
        call_command("run_scheduler", "--once")

    messages = [r.getMessage() for r in caplog.records if r.name == "kx.scheduler"]
    assert "Job expire_offers started" in messages
    assert "Job expire_offers: 0 expired offers moved on." in messages
    finished = [m for m in messages if m.startswith("Job expire_offers finished in ")]
    assert len(finished) == 1 and finished[0].endswith(" s: ok")


def test_last_runs_gives_each_job_its_finish_time_and_outcome(db, lock_dir):
    assert scheduler.last_runs() == {}
    before = timezone.now()

    call_command("run_scheduler", "--once")

    runs = scheduler.last_runs()
    assert set(runs) == {job.name for job in scheduler.JOBS}
    for run in runs.values():
        assert set(run) == {"finished_at", "ok"}
        assert isinstance(run["finished_at"], datetime)
        assert before <= run["finished_at"] <= timezone.now()
        assert run["ok"] is True


def test_a_failing_job_is_recorded_and_the_others_still_run(db, lock_dir, caplog):
    jobs = (
        Job("broken", Every(MINUTE), (("no_such_command",),)),
        Job("offers", Every(MINUTE), (("expire_offers",),)),
    )

    with caplog.at_level(logging.INFO, logger="kx.scheduler"):
        outcomes = Scheduler(jobs).run_once()

    assert outcomes == {"broken": False, "offers": True}
    assert scheduler.last_runs()["broken"]["ok"] is False
    assert scheduler.last_runs()["offers"]["ok"] is True
    assert any(
        r.levelno == logging.ERROR
        and "Job broken finished" in r.getMessage()
        and "Unknown command" in r.getMessage()
        for r in caplog.records
    )


def test_once_fails_the_command_when_a_job_failed(db, lock_dir, monkeypatch):
    monkeypatch.setattr(
        scheduler, "JOBS", (Job("broken", Every(MINUTE), (("no_such_command",),)),)
    )

    with pytest.raises(CommandError, match="Failed: broken"):
        call_command("run_scheduler", "--once")


# One scheduler at a time ------------------------------------------------------------------------


def test_the_lock_suits_the_database(db, lock_dir):
    lock = scheduler.database_lock()

    if connection.vendor == "postgresql":
        assert isinstance(lock, scheduler.PostgresAdvisoryLock)
    else:
        assert isinstance(lock, FileLock)


def test_a_second_scheduler_cannot_take_the_lock_until_the_first_lets_go(db, lock_dir):
    """On PostgreSQL two sessions and an advisory lock; on SQLite two open files and flock."""
    first, second = scheduler.database_lock(), scheduler.database_lock()

    assert first.acquire()
    try:
        assert first.is_held()
        assert not second.acquire()
        assert not second.is_held()
        if connection.vendor == "postgresql":
            # Held by a session of its own, not by the connection the jobs use.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                    "AND objid = %s AND pid <> pg_backend_pid() AND database = "
                    "(SELECT oid FROM pg_database WHERE datname = current_database())",
                    [scheduler.LOCK_KEY],
                )
                assert cursor.fetchone()[0] == 1
    finally:
        first.release()
    assert not first.is_held()
    assert second.acquire()
    second.release()


def test_once_runs_nothing_while_another_scheduler_holds_the_lock(lapsed_offer, lock_dir, capsys):
    other = scheduler.database_lock()
    assert other.acquire()
    try:
        call_command("run_scheduler", "--once")
    finally:
        other.release()

    assert capsys.readouterr().out == "Another scheduler holds the lock: nothing run.\n"
    lapsed_offer.refresh_from_db()
    assert lapsed_offer.status == Registration.Status.OFFERED
    assert scheduler.last_runs() == {}


# The long-running loop --------------------------------------------------------------------------


class StopAfter:
    """Stands in for the scheduler's stop event: ``wait`` calls ``on_wait`` instead of sleeping."""

    def __init__(self, on_wait):
        self.flag = False
        self.waits = []
        self.on_wait = on_wait

    def is_set(self):
        return self.flag

    def set(self):
        self.flag = True

    def wait(self, seconds):
        self.waits.append(seconds)
        self.on_wait(self)
        return self.flag


@pytest.fixture
def no_database(monkeypatch):
    """The loop tidies the database connections between jobs; these tests use none."""
    monkeypatch.setattr(scheduler, "close_old_connections", lambda: None)


def test_sigterm_lets_the_running_job_finish_then_stops(tmp_path, monkeypatch, no_database):
    ran = []

    def job_that_gets_sigterm(name, **kwargs):
        ran.append(name)
        os.kill(os.getpid(), signal.SIGTERM)
        ran.append(f"{name} finished")

    monkeypatch.setattr(scheduler, "call_command", job_that_gets_sigterm)
    jobs = (Job("first", Every(MINUTE), (("one",),)), Job("second", Every(MINUTE), (("two",),)))
    lock = FileLock(tmp_path / "scheduler.lock")
    handler_before = signal.getsignal(signal.SIGTERM)

    Scheduler(jobs, lock=lock).run_forever()

    assert ran == ["one", "one finished"]
    runs = scheduler.last_runs()
    assert list(runs) == ["first"]
    assert runs["first"]["ok"] is True
    assert not lock.is_held()
    assert signal.getsignal(signal.SIGTERM) is handler_before
    # The lock is free for the next scheduler.
    next_one = FileLock(tmp_path / "scheduler.lock")
    assert next_one.acquire()
    next_one.release()


def test_a_waiting_scheduler_says_so_and_takes_over_when_the_first_stops(
    tmp_path, monkeypatch, caplog, no_database
):
    lock_path = tmp_path / "scheduler.lock"
    first = FileLock(lock_path)
    assert first.acquire()
    ran = []
    monkeypatch.setattr(scheduler, "call_command", lambda name, **kwargs: ran.append(name))
    runner = Scheduler((Job("only", Every(MINUTE), (("one",),)),), lock=FileLock(lock_path))

    def on_wait(event):
        if not ran:
            first.release()  # the first scheduler stops while the second waits
        else:
            event.set()

    runner.stopping = StopAfter(on_wait)
    with caplog.at_level(logging.INFO, logger="kx.scheduler"):
        runner.run_forever()

    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("Another scheduler holds the lock") for m in messages)
    assert any(m.startswith("Scheduler took the lock") for m in messages)
    assert ran == ["one"]
    assert runner.stopping.waits[0] == scheduler.LOCK_RETRY_SECONDS
    # After the job it sleeps until the next slot, never longer than MAX_SLEEP_SECONDS.
    assert 0 < runner.stopping.waits[1] <= scheduler.MAX_SLEEP_SECONDS


def test_a_scheduler_that_cannot_reach_the_database_says_so_and_tries_again(
    tmp_path, monkeypatch, caplog, no_database
):
    ran = []
    monkeypatch.setattr(scheduler, "call_command", lambda name, **kwargs: ran.append(name))

    class DatabaseDownOnce(FileLock):
        attempts = 0

        def acquire(self):
            self.attempts += 1
            if self.attempts == 1:
                raise OperationalError("connection refused")
            return super().acquire()

    lock = DatabaseDownOnce(tmp_path / "scheduler.lock")
    runner = Scheduler((Job("only", Every(MINUTE), (("one",),)),), lock=lock)
    runner.stopping = StopAfter(lambda event: event.set() if ran else None)

    with caplog.at_level(logging.INFO, logger="kx.scheduler"):
        runner.run_forever()

    assert any(
        r.getMessage().startswith("Could not reach the database to take the scheduler lock")
        for r in caplog.records
    )
    assert lock.attempts == 2
    assert ran == ["one"]
