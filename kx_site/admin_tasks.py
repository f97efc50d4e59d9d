"""Background tasks in the Wagtail admin (Reports > Background tasks): superusers only.

Lists the tasks that failed and those stuck in the database queue, and retries a task by
enqueuing it again with the same arguments. A task waits (READY) when no worker takes it; it is
stuck RUNNING when its worker died mid-task. Retrying a stuck running task first marks it failed,
so that it leaves the list. Each retry is written to Wagtail's audit log ("Retry task"), which is
how the list knows a task was retried, and by whom.

The list never shows a task's arguments: they hold email addresses and message bodies.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_tasks import TaskResultStatus as Status
from django_tasks_db.models import DBTaskResult, get_date_max
from wagtail.admin.menu import MenuItem
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from .staff import is_superuser

RETRY_ACTION = "kx.task_retry"
FAILED_SHOWN = 50


class TaskAbandoned(Exception):
    """Recorded on a task that was stuck running when an administrator retried it."""


def _check_permission(user):
    if not is_superuser(user):
        raise PermissionDenied


def _stuck_since(now):
    return now - timedelta(minutes=settings.KX_TASK_STUCK_MINUTES)


def stuck_tasks(now=None):
    """Tasks due to run that no worker took for a while, and tasks running for as long."""
    since = _stuck_since(now or timezone.now())
    waiting = Q(status=Status.READY) & (
        Q(run_after=get_date_max(), enqueued_at__lte=since) | Q(run_after__lte=since)
    )
    running = Q(status=Status.RUNNING, started_at__lte=since)
    return DBTaskResult.objects.filter(waiting | running).order_by("enqueued_at")


def failed_tasks():
    return DBTaskResult.objects.filter(status=Status.FAILED).order_by("-finished_at")


def _retries(tasks):
    """{task id: the log entry of its retry} for the given tasks."""
    content_type = ContentType.objects.get_for_model(DBTaskResult)
    entries = ModelLogEntry.objects.filter(
        content_type=content_type,
        action=RETRY_ACTION,
        object_id__in=[str(task.pk) for task in tasks],
    ).select_related("user")
    return {entry.object_id: entry for entry in entries}


def _error_line(task):
    """The exception's last line, which names it and says what went wrong."""
    lines = [line for line in task.traceback.splitlines() if line.strip()]
    return lines[-1] if lines else task.exception_class_path


def _rows(tasks, now):
    retries = _retries(tasks)
    since = _stuck_since(now)
    rows = []
    for task in tasks:
        retry = retries.get(str(task.pk))
        rows.append(
            {
                "task": task,
                "name": task.task_path,
                "error": _error_line(task) if task.status == Status.FAILED else "",
                "retry": retry,
                "retried_as": retry.data.get("retried_as") if retry else "",
                "can_retry": retry is None and _may_retry(task, since),
            }
        )
    return rows


def _may_retry(task, since):
    """A failed task, or one stuck running. A waiting task needs a worker, not a second copy."""
    if task.status == Status.FAILED:
        return True
    return task.status == Status.RUNNING and task.started_at <= since


def task_report(request):
    _check_permission(request.user)
    now = timezone.now()
    stuck = list(stuck_tasks(now))
    failed = list(failed_tasks()[:FAILED_SHOWN])
    return TemplateResponse(
        request,
        "kx_site/admin/tasks.html",
        {
            "stuck": _rows(stuck, now),
            "failed": _rows(failed, now),
            "failed_total": failed_tasks().count(),
            "failed_shown": FAILED_SHOWN,
            "stuck_minutes": settings.KX_TASK_STUCK_MINUTES,
            "database_queue": any(
                "django_tasks_db" in str(backend.get("BACKEND", ""))
                for backend in settings.TASKS.values()
            ),
        },
    )


@require_POST
def task_retry(request, pk):
    _check_permission(request.user)
    with transaction.atomic():
        task = get_object_or_404(DBTaskResult.objects.select_for_update(), pk=pk)
        if _retries([task]):
            messages.error(request, f"{task.task_path} was retried already.")
            return redirect("kx_site_tasks")
        if not _may_retry(task, _stuck_since(timezone.now())):
            messages.error(
                request, f"{task.task_path} is {task.get_status_display().lower()}: no retry."
            )
            return redirect("kx_site_tasks")
        try:
            runnable = task.task
        except (ImportError, SuspiciousOperation):
            messages.error(request, f"{task.task_path} no longer exists in the code.")
            return redirect("kx_site_tasks")
        if task.status == Status.RUNNING:
            task.set_failed(
                TaskAbandoned(f"Stuck running; retried by {request.user.get_username()}.")
            )
        arguments = task.args_kwargs
        retried = runnable.enqueue(*arguments["args"], **arguments["kwargs"])
        log(
            instance=task,
            action=RETRY_ACTION,
            user=request.user,
            data={"retried_as": str(retried.id), "task": task.task_path},
        )
    messages.success(request, f"{task.task_path} enqueued again.")
    return redirect("kx_site_tasks")


def admin_urls():
    return [
        path("tasks/", task_report, name="kx_site_tasks"),
        path("tasks/<uuid:pk>/retry/", task_retry, name="kx_site_task_retry"),
    ]


class TaskReportMenuItem(MenuItem):
    def is_shown(self, request):
        return is_superuser(request.user)


def reports_menu_item():
    return TaskReportMenuItem(
        "Background tasks", reverse("kx_site_tasks"), icon_name="cogs", order=900
    )


def register_log_actions(actions):
    actions.register_action(RETRY_ACTION, "Retry task", "Background task enqueued again")
