import gc
import warnings

import pytest

from events import services

from .factories import EventPageFactory


@pytest.fixture
def event(db):
    """A workshop for practitioners with 20 places, registration open."""
    return EventPageFactory()


@pytest.fixture
def sent_templates(monkeypatch):
    """The email templates the services queue, in order, as (template name, recipient)."""
    queued = []
    real_queue_email = services.queue_email

    def recording_queue_email(*, template_name, to, **kwargs):
        queued.append((template_name, to))
        real_queue_email(template_name=template_name, to=to, **kwargs)

    monkeypatch.setattr(services, "queue_email", recording_queue_email)
    return queued


@pytest.fixture
def renditions(media_root):
    """For tests that make image renditions (speaker photos).

    Wagtail leaves each new rendition's temporary file for the garbage collector to close
    (wagtail/wagtail#14055), which warns. Collect it here, quietly, so that the warning cannot
    surface as an error in some later test.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        yield
        gc.collect()
