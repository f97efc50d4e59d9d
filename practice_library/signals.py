"""Wagtail's publishing events, turned into the submitter's outcome email.

Approval and rejection in the workflow are told to the author by the workflow's own emails
(``briefings.signals`` sends them for every page), so only publication is handled here.
"""

from wagtail.signals import page_published

from . import services
from .models import PracticePage


def on_page_published(sender, instance, **kwargs):
    services.practice_submission_published(page=instance)


def connect():
    page_published.connect(
        on_page_published, sender=PracticePage, dispatch_uid="kx_practice_submission_published"
    )
