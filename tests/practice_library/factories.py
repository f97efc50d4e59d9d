"""factory_boy factories for the practice library: live pages under the library index."""

import factory
import wagtail_factories
from factory.django import DjangoModelFactory

from kx_site.audience import Audience, Marking
from practice_library.models import (
    Adoption,
    DoesItWork,
    EvidenceStage,
    PracticeIndexPage,
    PracticePage,
)
from tests.factories import IndexPageFactory, seeded_organisation


class PracticeIndexPageFactory(IndexPageFactory):
    class Meta:
        model = PracticeIndexPage

    title = "Practice library"
    slug = "library"


class PracticePageFactory(wagtail_factories.PageFactory):
    """A live practice for practitioners, run by Kent Police."""

    class Meta:
        model = PracticePage
        skip_postgeneration_save = True

    parent = factory.LazyFunction(lambda: PracticeIndexPageFactory())
    title = factory.Sequence(lambda n: f"Joint home visits practice {n}")
    summary = "Police and probation visit together."
    description = "Plan the visit together and share the notes."
    does_it_work = DoesItWork.PROMISING
    evidence_stage = EvidenceStage.EVALUATED_LOCALLY
    organisation = factory.LazyFunction(lambda: seeded_organisation("kent-police"))
    contact_name = "Alex Contact"
    contact_email = "alex.contact@kent.police.uk"
    audience = Audience.PRACTITIONERS
    marking = Marking.OFFICIAL
    live = True

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)
            self.save()


class AdoptionFactory(DjangoModelFactory):
    class Meta:
        model = Adoption

    practice = factory.SubFactory(PracticePageFactory)
    organisation = factory.LazyFunction(lambda: seeded_organisation("probation-service-london"))
    kind = Adoption.Kind.ADOPTED
    note = "We use it in our MAPPA level 2 cases."
