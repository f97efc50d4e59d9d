"""Background work for search: index updates run after the transaction that caused them."""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import default_task_backend, task

from . import services
from .engine import EngineUnavailable

logger = logging.getLogger(__name__)


@task()
def index_object(*, model_label, pk):
    services.search_index_object(model_label=model_label, pk=pk)
    return "indexed"


@task()
def sync_search_engine(*, attempt=1):
    """Send pending entries to the engine, trying again later with a growing delay."""
    try:
        sent = services.search_engine_sync()
    except EngineUnavailable as exc:
        logger.warning("Search index update failed (attempt %s): %s", attempt, exc)
        if attempt < settings.SEARCH_INDEX_MAX_ATTEMPTS and default_task_backend.supports_defer:
            sync_search_engine.using(
                run_after=timezone.now() + timedelta(minutes=2**attempt)
            ).enqueue(attempt=attempt + 1)
            return "retrying"
        # The entries stay flagged: the next sync, or `search_index --sync`, sends them.
        logger.error("Search index update left pending after %s attempts", attempt)
        return "pending"
    return f"sent {sent}"
