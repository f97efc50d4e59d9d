"""Trying a background task again later, with a delay that doubles with each attempt (emails,
search index updates): a mail server or search node that is down for a while is not hammered,
and the work is not lost while it is down."""

from django.utils import timezone
from django_tasks import default_task_backend


def retry_later(task, *, attempt, max_attempts, first_delay, **arguments):
    """Queue ``task`` again, as attempt ``attempt + 1``, ``first_delay * 2**attempt`` from now
    (twice ``first_delay`` after the first failure). Returns False, queueing nothing, when the
    attempts are used up or the task backend cannot run a task later: the caller gives up."""
    if attempt >= max_attempts or not default_task_backend.supports_defer:
        return False
    task.using(run_after=timezone.now() + first_delay * 2**attempt).enqueue(
        attempt=attempt + 1, **arguments
    )
    return True
