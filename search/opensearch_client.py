"""The OpenSearch client (opensearch-py), imported so that it never reaches for our ``events`` app.

Since 2.6, opensearch-py depends on the ``Events`` package, whose top-level module is named
``events``, as this project's events app is; the project's own directory comes first on the
path, so the client's ``from events import Events`` would find the app and fail. The client
imports it in one place, ``opensearchpy.metrics.metrics_events``, for client-side request
metrics that are off unless a ``MetricsEvents`` is passed to the client. KX never passes one,
so that module is given a stand-in before the client is first imported: nothing else in the
client changes, and asking for its metrics says why they are not there.
"""

import sys
from types import ModuleType

METRICS_EVENTS_MODULE = "opensearchpy.metrics.metrics_events"


class MetricsEvents:
    def __init__(self, *args, **kwargs):
        raise RuntimeError(
            "opensearch-py's client metrics need the Events package, whose module name "
            "`events` is the KX app's: see search/opensearch_client.py"
        )


if "opensearchpy" not in sys.modules:
    stand_in = ModuleType(METRICS_EVENTS_MODULE)
    stand_in.MetricsEvents = MetricsEvents
    sys.modules.setdefault(METRICS_EVENTS_MODULE, stand_in)

from opensearchpy import OpenSearch, Transport  # noqa: E402 - after the stand-in, on purpose
from opensearchpy.exceptions import NotFoundError, TransportError  # noqa: E402

__all__ = ["NotFoundError", "OpenSearch", "Transport", "TransportError"]
