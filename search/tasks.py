"""Background work for search: index updates run after the transaction that caused them."""

import logging
from datetime import timedelta

from django.conf import settings
from django_tasks import task

from kx_site.retrying import retry_later

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
        if retry_later(
            sync_search_engine,
            attempt=attempt,
            max_attempts=settings.SEARCH_INDEX_MAX_ATTEMPTS,
            first_delay=timedelta(minutes=1),
        ):
            return "retrying"
        # The entries stay flagged: the next sync, or `search_index --sync`, sends them.
        logger.error("Search index update left pending after %s attempts", attempt)
        return "pending"
    return f"sent {sent}"
