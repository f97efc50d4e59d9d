"""``kx_site.retrying.retry_later``: the one back-off that emails and search index updates use."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kx_site import retrying


class Task:
    """Records what ``retry_later`` queues, as a django-tasks task would run it."""

    def __init__(self):
        self.queued = []

    def using(self, run_after):
        task = self

        class Later:
            def enqueue(self, **arguments):
                task.queued.append((run_after, arguments))

        return Later()


class Backend:
    def __init__(self, supports_defer):
        self.supports_defer = supports_defer


@pytest.mark.parametrize(("attempt", "minutes"), [(1, 2), (2, 4), (3, 8)])
def test_the_delay_doubles_with_each_attempt(monkeypatch, attempt, minutes):
    monkeypatch.setattr(retrying, "default_task_backend", Backend(supports_defer=True))
    task = Task()

    queued = retrying.retry_later(
        task, attempt=attempt, max_attempts=5, first_delay=timedelta(minutes=1), key="value"
    )

    assert queued is True
    [(run_after, arguments)] = task.queued
    assert arguments == {"attempt": attempt + 1, "key": "value"}
    wait = run_after - timezone.now()
    assert timedelta(minutes=minutes) - timedelta(seconds=5) < wait <= timedelta(minutes=minutes)


def test_nothing_is_queued_once_the_attempts_are_used_up(monkeypatch):
    monkeypatch.setattr(retrying, "default_task_backend", Backend(supports_defer=True))
    task = Task()

    assert retrying.retry_later(task, attempt=5, max_attempts=5, first_delay=timedelta(1)) is False
    assert task.queued == []


def test_nothing_is_queued_where_the_backend_cannot_run_a_task_later(monkeypatch):
    monkeypatch.setattr(retrying, "default_task_backend", Backend(supports_defer=False))
    task = Task()

    assert retrying.retry_later(task, attempt=1, max_attempts=5, first_delay=timedelta(1)) is False
    assert task.queued == []


def test_a_search_index_update_that_fails_is_tried_again(monkeypatch):
    from search import services, tasks
    from search.engine import EngineUnavailable

    def engine_down():
        raise EngineUnavailable("connection refused")

    monkeypatch.setattr(services, "search_engine_sync", engine_down)
    monkeypatch.setattr(retrying, "default_task_backend", Backend(supports_defer=True))
    calls = []
    monkeypatch.setattr(
        retrying, "retry_later", lambda task, **kwargs: calls.append(kwargs) or True
    )
    monkeypatch.setattr(tasks, "retry_later", retrying.retry_later)

    assert tasks.sync_search_engine.call(attempt=2) == "retrying"
    assert calls[0]["attempt"] == 2
