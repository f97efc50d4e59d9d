"""Pages whose content depends on the reader are never kept for someone else (issue 13): the home
page and every index of audience-ruled pages share one rule (``ReaderDependentPageMixin``)
instead of each writing it, or, as the events and briefings indexes did, forgetting it."""

import pytest
from django.apps import apps

from kx_site.models import AudienceIndexPage, HomePage, ReaderDependentPageMixin
from tests.briefings.factories import BriefingIndexPageFactory
from tests.events.factories import EventIndexPageFactory
from tests.factories import PractitionerFactory
from tests.practice_library.factories import PracticeIndexPageFactory

pytestmark = pytest.mark.django_db

INDEX_FACTORIES = [EventIndexPageFactory, BriefingIndexPageFactory, PracticeIndexPageFactory]


def test_every_index_of_audience_ruled_pages_is_one_of_these():
    indexes = {
        model
        for model in apps.get_models()
        if model.__name__.endswith("IndexPage") and issubclass(model, ReaderDependentPageMixin)
    }

    assert indexes == {factory._meta.model for factory in INDEX_FACTORIES}
    assert all(issubclass(model, AudienceIndexPage) for model in indexes)


PAGES = {
    "events": EventIndexPageFactory,
    "briefings": BriefingIndexPageFactory,
    "library": PracticeIndexPageFactory,
    "home": lambda: HomePage.objects.get(),
}


@pytest.mark.parametrize("page", PAGES)
def test_a_signed_in_readers_copy_is_private_and_a_visitors_may_be_kept(client, page):
    url = PAGES[page]().url

    anonymous = client.get(url)
    client.force_login(PractitionerFactory())
    signed_in = client.get(url)

    assert anonymous.status_code == signed_in.status_code == 200
    assert "private" not in anonymous.get("Cache-Control", "")
    assert "private" in signed_in["Cache-Control"]
    assert "no-store" in signed_in["Cache-Control"]
