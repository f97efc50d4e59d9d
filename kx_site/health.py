"""Probes for the load balancer and the orchestrator.

``/healthz`` says the process answers; it touches nothing else. ``/readyz`` checks each part the
web process depends on and says whether it should get traffic:

- database, cache: required. If either fails the answer is 503 and overall "failed".
- the parts an app registers a check for (``register_readiness_check``): the search engine
  (``search.health``), with SEARCH_URL "ok" or "fallback" (search answers from the database),
  without it "not_configured".
- task queue: the age of the oldest task that is due and not yet started (database backend),
  "degraded" past KX_READY_MAX_TASK_AGE; "inline" with the immediate backend.
- scheduler: the last run of each job, from ``kx_site.scheduler.last_runs()``: "failed" if a
  job's last run failed, "late" if one has missed a whole slot (a scheduler that stopped).

Only database and cache decide the status code. A stuck queue, a failed or late job or a search
engine that is down are faults to alert on (overall "degraded"), but taking web processes out of
the load balancer would cure none of them and would take the site down besides.

Answers hold status words and short reason codes, never exception texts, host names or settings;
the detail goes to the log ("kx.health"). Never cached.

``ProbeMiddleware`` (second in MIDDLEWARE, after the request log) answers both paths before
Django's host check, the HTTPS redirect, sessions and sign-in run: load balancers probe over plain
HTTP with the target's address as Host, and a probe must not be sent to sign in or to set up a
second factor. Neither answer uses the Host header or anything of the visitor's.
"""

import importlib
import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.models import Case, F, When
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger("kx.health")

OK = "ok"
FAILED = "failed"
DEGRADED = "degraded"
REQUIRED = ("database", "cache")
# Part states that call for attention without taking the process out of service.
WARNING_STATES = {"fallback", DEGRADED, FAILED, "late", "error"}
SCHEDULER_GRACE = timedelta(minutes=15)

DATABASE_BACKEND = "django_tasks_db.DatabaseBackend"
IMMEDIATE_BACKEND = "django_tasks.backends.immediate.ImmediateBackend"


# Checks of optional parts, registered by the apps that own them (from their AppConfig.ready),
# by name. None is required: a part that is down makes the answer "degraded" at most.
_readiness_checks = {}


def register_readiness_check(name, check):
    _readiness_checks[name] = check
    return check


def _answer(body, status=200):
    response = JsonResponse(body, status=status)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@require_safe
def healthz(request):
    return _answer({"status": OK})


@never_cache
@require_safe
def readyz(request):
    checks = {
        "database": check_database(),
        "cache": check_cache(),
        **{name: check() for name, check in _readiness_checks.items()},
        "tasks": check_tasks(),
        "scheduler": check_scheduler(),
    }
    if any(checks[name]["status"] != OK for name in REQUIRED):
        overall = FAILED
    elif any(check["status"] in WARNING_STATES for check in checks.values()):
        overall = DEGRADED
    else:
        overall = OK
    response = _answer(
        {"status": overall, "checks": checks}, status=503 if overall == FAILED else 200
    )
    # Each failing part is logged above; without this Django would also log the 503 as a server
    # error and email ADMINS on every probe, every few seconds, for the length of an outage.
    response._has_been_logged = True
    return response


def check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("readiness: database query failed", exc_info=True)
        return {"status": FAILED, "reason": "query_failed"}
    return {"status": OK}


def check_cache():
    key = f"kx:readyz:{uuid.uuid4().hex}"
    value = uuid.uuid4().hex
    try:
        cache.set(key, value, timeout=10)
        read = cache.get(key)
        cache.delete(key)
    except Exception:  # every cache backend fails in its own way; report it
        logger.warning("readiness: cache unreachable", exc_info=True)
        return {"status": FAILED, "reason": "unreachable"}
    if read != value:
        logger.warning("readiness: cache did not keep a value")
        return {"status": FAILED, "reason": "not_stored"}
    return {"status": OK}


def check_tasks():
    backend = settings.TASKS["default"]["BACKEND"]
    if backend == IMMEDIATE_BACKEND:
        return {"status": "inline"}
    if backend != DATABASE_BACKEND:
        return {"status": "unknown", "reason": "other_backend"}
    try:
        age = oldest_ready_task_age()
    except DatabaseError:
        logger.warning("readiness: task queue query failed", exc_info=True)
        return {"status": "error", "reason": "query_failed"}
    limit = settings.KX_READY_MAX_TASK_AGE
    return {
        "status": DEGRADED if age is not None and age > limit else OK,
        "oldest_ready_age_seconds": age,
        "max_age_seconds": limit,
    }


def oldest_ready_task_age():
    """Seconds the oldest due, unstarted task has waited (None if there is none).

    A task waits from when it became due: its enqueue time, or the time it was told to wait for
    (a retry's delay), which django_tasks_db stores as a far-future date when there is none.
    """
    from django_tasks_db.models import DBTaskResult, get_date_max

    due_since = (
        DBTaskResult.objects.ready()
        .filter(backend_name="default")
        .annotate(
            due_since=Case(
                When(run_after=get_date_max(), then=F("enqueued_at")), default=F("run_after")
            )
        )
        .order_by("due_since")
        .values_list("due_since", flat=True)
        .first()
    )
    if due_since is None:
        return None
    return max(0, int((timezone.now() - due_since).total_seconds()))


def check_scheduler():
    try:
        scheduler = importlib.import_module("kx_site.scheduler")
    except ImportError as error:
        if getattr(error, "name", None) == "kx_site.scheduler":
            return {"status": "unknown", "reason": "not_installed"}
        logger.warning("readiness: scheduler module failed to import", exc_info=True)
        return {"status": "error", "reason": "import_failed"}
    last_runs = getattr(scheduler, "last_runs", None)
    if last_runs is None:
        return {"status": "unknown", "reason": "not_installed"}
    try:
        runs = last_runs()
    except Exception:  # the probe reports the fault instead of failing with it
        logger.warning("readiness: scheduler record unreadable", exc_info=True)
        return {"status": "error", "reason": "unreadable"}
    if not runs:
        return {"status": "unknown", "reason": "no_runs"}
    now = timezone.now()
    schedules = {job.name: job.schedule for job in getattr(scheduler, "JOBS", ())}
    jobs = {}
    for name, run in sorted(runs.items()):
        job = {
            "ok": bool(run["ok"]),
            "age_seconds": max(0, int((now - run["finished_at"]).total_seconds())),
        }
        schedule = schedules.get(name)
        if schedule is not None:
            # Late: not finished since the slot before the latest one, give or take a long job
            # ahead of it (the scheduler runs one job at a time).
            missed_since = schedule.latest_slot(now) - schedule.period - SCHEDULER_GRACE
            job["late"] = run["finished_at"] < missed_since
        jobs[name] = job
    if not all(job["ok"] for job in jobs.values()):
        status = FAILED
    elif any(job.get("late") for job in jobs.values()):
        status = "late"
    else:
        status = OK
    return {"status": status, "jobs": jobs}


PROBES = {"/healthz": healthz, "/readyz": readyz}


class ProbeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = PROBES.get(request.path_info)
        if probe is not None:
            return probe(request)
        return self.get_response(request)
