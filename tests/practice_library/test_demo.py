"""The demo library: at least 60 varied practices, some restricted; safe to run again."""

import pytest

from accounts.models import OrganisationKind
from kx_site.audience import Audience
from practice_library.demo import ensure_demo_practices
from practice_library.models import Adoption, PracticeIndexPage, PracticePage

pytestmark = pytest.mark.django_db


def test_demo_practices_are_varied_and_added_once():
    ensure_demo_practices()
    ensure_demo_practices()

    practices = PracticePage.objects.live()
    assert PracticeIndexPage.objects.get().url == "/library/"
    assert practices.count() >= 60
    assert practices.order_by().values("does_it_work").distinct().count() == 4
    assert practices.order_by().values("evidence_stage").distinct().count() == 3
    assert practices.order_by().values("organisation").distinct().count() >= 8
    assert practices.order_by().values("topics").distinct().count() >= 12
    assert practices.filter(audience=Audience.PRACTITIONERS).count() >= 10
    assert practices.filter(audience=Audience.PUBLIC).count() >= 10
    police_only = practices.filter(
        audience=Audience.RESTRICTED,
        restricted_to_kinds__contains=f",{OrganisationKind.POLICE_FORCE},",
    )
    assert 3 <= police_only.count() <= 10
    assert Adoption.objects.count() >= 5
    assert all(p.contact_email for p in practices)
