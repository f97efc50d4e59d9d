"""factory_boy factories for briefings: live pages under the one briefings index."""

import factory
import wagtail_factories
from factory.django import DjangoModelFactory

from briefings.models import BriefingIndexPage, BriefingPage, Recommendation, RecommendationOwner
from kx_site.audience import Audience, Marking
from kx_site.models import HomePage


class BriefingIndexPageFactory(wagtail_factories.PageFactory):
    """The one briefings index at /briefings/, created once and then reused."""

    class Meta:
        model = BriefingIndexPage
        django_get_or_create = ("parent", "slug")

    parent = factory.LazyFunction(lambda: HomePage.objects.get())
    title = "Briefings"
    slug = "briefings"
    live = True


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
