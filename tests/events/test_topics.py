"""Events carry topics from the library's vocabulary: shown on the page, filtered on the index."""

import pytest

from practice_library.models import Topic

from .factories import EventIndexPageFactory, EventPageFactory

pytestmark = pytest.mark.django_db


def with_topics(event, *slugs):
    event.topics.set(Topic.objects.filter(slug__in=slugs))
    event.save()
    return event


def test_the_event_page_shows_its_topics(practitioner_client):
    event = with_topics(EventPageFactory(), "mappa", "home-visits")

    content = practitioner_client.get(event.url).content.decode()

    assert "Topics" in content
    assert "Home visits, MAPPA" in content


def test_the_index_filters_by_topic_alongside_the_other_filters(practitioner_client):
    index = EventIndexPageFactory()
    mappa_workshop = with_topics(EventPageFactory(title="MAPPA workshop"), "mappa")
    with_topics(EventPageFactory(title="Home visits workshop"), "home-visits")
    with_topics(EventPageFactory(title="MAPPA conference", kind="conference"), "mappa")

    response = practitioner_client.get(index.url, {"topic": "mappa", "kind": "workshop"})

    assert response.status_code == 200
    assert list(response.context["events_page"].object_list) == [mappa_workshop]
    content = response.content.decode()
    assert '<option value="mappa" selected>MAPPA</option>' in content


def test_the_topic_filter_lists_the_whole_vocabulary(practitioner_client):
    response = practitioner_client.get(EventIndexPageFactory().url)

    content = response.content.decode()
    assert '<label class="govuk-label govuk-label--s" for="id_topic">Topic</label>' in content
    for topic in Topic.objects.all():
        assert f'value="{topic.slug}"' in content


def test_an_unknown_topic_is_a_clear_error_not_a_failure(practitioner_client):
    index = EventIndexPageFactory()
    EventPageFactory()

    response = practitioner_client.get(index.url, {"topic": "no-such-topic"})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_topic_filtering_never_shows_an_event_the_user_may_not_see(client, user):
    index = EventIndexPageFactory()
    with_topics(EventPageFactory(title="For practitioners only"), "mappa")
    client.force_login(user)

    response = client.get(index.url, {"topic": "mappa"})

    assert response.context["events_page"].paginator.count == 0
    assert "For practitioners only" not in response.content.decode()
