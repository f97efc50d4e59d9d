"""The search engine's readiness check, for ``/readyz`` (``kx_site.health``)."""

import logging

from django.conf import settings

from kx_site.health import OK

from . import engine

logger = logging.getLogger("kx.health")


def check_engine():
    """With SEARCH_URL, "ok" or "fallback" (search answers from the database); without it,
    "not_configured"."""
    if not settings.SEARCH_URL:
        return {"status": "not_configured"}
    try:
        reachable = engine.get_engine().client.ping()
    except Exception:  # any fault means search answers from the database
        logger.warning("readiness: search engine check failed", exc_info=True)
        reachable = False
    if not reachable:
        return {"status": "fallback", "reason": "unreachable"}
    return {"status": OK}
