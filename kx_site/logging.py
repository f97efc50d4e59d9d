"""Structured logs: the request and task each line belongs to, one JSON object a line.

The request id lives in a context variable that ``kx_site.request_logging`` sets for the length
of a request; work done inline in that request (the immediate task backend, on-commit hooks) logs
under the same id. A database-queue worker runs in another process, where the request is gone: it
logs the id of the task it is running instead, and the line written when the request enqueued the
task holds both ids, which links the two.
"""

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

request_id_var = ContextVar("kx_request_id", default=None)
task_id_var = ContextVar("kx_task_id", default=None)

task_logger = logging.getLogger("kx.tasks")

# Attributes every LogRecord has; anything else on a record came from ``extra``.
_STANDARD_ATTRIBUTES = {
    *vars(logging.LogRecord("", logging.INFO, "", 0, "", (), None)),
    "message",
    "asctime",
}
_CONTEXT_ATTRIBUTES = ("request_id", "task_id")


def current_request_id():
    return request_id_var.get()


class RequestContextFilter(logging.Filter):
    """Adds ``request_id`` and ``task_id`` to every record the handler writes.

    Creating it (as logging is configured, in every process) also hooks the task signals that
    keep ``task_id`` current and log each enqueued task with the request that enqueued it.
    """

    def __init__(self, name=""):
        super().__init__(name)
        connect_task_signals()

    def filter(self, record):
        for attribute, variable in (("request_id", request_id_var), ("task_id", task_id_var)):
            if not hasattr(record, attribute):
                setattr(record, attribute, variable.get())
        return True


def _is_json(value):
    if value is None or isinstance(value, str | int | float | bool):
        return True
    if isinstance(value, list | tuple | dict):
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            return False
        return True
    return False


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, the request and task ids
    when there are any, and whatever plain values the call passed in ``extra``.

    Objects in ``extra`` (Django passes the request itself) are left out: their text would
    carry the query string, cookies or the user.
    """

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for attribute in _CONTEXT_ATTRIBUTES:
            value = getattr(record, attribute, None)
            if value is not None:
                entry[attribute] = value
        for key, value in vars(record).items():
            if key in _STANDARD_ATTRIBUTES or key in entry or key.startswith("_"):
                continue
            if key not in _CONTEXT_ATTRIBUTES and _is_json(value):
                entry[key] = value
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)


# Task signals: the id of the running task, and a line linking each enqueued task to its request.

_task_tokens = {}


def _task_started(sender, task_result, **kwargs):
    _task_tokens[task_result.id] = task_id_var.set(str(task_result.id))


def _task_finished(sender, task_result, **kwargs):
    token = _task_tokens.pop(task_result.id, None)
    if token is None:
        task_id_var.set(None)
        return
    try:
        task_id_var.reset(token)
    except ValueError:  # set in another context (thread); nothing of ours to restore
        task_id_var.set(None)


def _task_enqueued(sender, task_result, **kwargs):
    task_logger.info(
        "task enqueued",
        extra={"enqueued_task_id": str(task_result.id), "task": task_result.task.module_path},
    )


def connect_task_signals():
    from django_tasks.signals import task_enqueued, task_finished, task_started

    task_enqueued.connect(_task_enqueued, dispatch_uid="kx_log_task_enqueued")
    task_started.connect(_task_started, dispatch_uid="kx_log_task_started")
    task_finished.connect(_task_finished, dispatch_uid="kx_log_task_finished")
