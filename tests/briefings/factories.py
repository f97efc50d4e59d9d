"""factory_boy factories for briefings: live pages under the one briefings index."""

import factory
import wagtail_factories
from factory.django import DjangoModelFactory

from briefings.models import BriefingIndexPage, BriefingPage, Recommendation, RecommendationOwner
from kx_site.audience import Audience, Marking
from tests.factories import IndexPageFactory


class BriefingIndexPageFactory(IndexPageFactory):
    class Meta:
        model = BriefingIndexPage

    title = "Briefings"
    slug = "briefings"


class BriefingPageFactory(wagtail_factories.PageFactory):
    """A live interim-findings briefing for practitioners."""

    class Meta:
        model = BriefingPage

    parent = factory.LazyFunction(lambda: BriefingIndexPageFactory())
    title = factory.Sequence(lambda n: f"ARMS evaluation: interim findings {n}")
    series = "ARMS evaluation"
    number = factory.Sequence(lambda n: n + 1)
    summary = "What practitioners told us about ARMS reviews."
    audience = Audience.PRACTITIONERS
    marking = Marking.OFFICIAL
    live = True


class RecommendationFactory(DjangoModelFactory):
    class Meta:
        model = Recommendation

    briefing = factory.SubFactory(BriefingPageFactory)
    number = factory.Sequence(lambda n: n + 1)
    text = "Forces should record ARMS outcomes within five working days."
    owner = RecommendationOwner.POLICE
