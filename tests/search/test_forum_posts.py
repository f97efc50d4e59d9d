"""Forum replies are search documents of their own: found by their own words, linked to their
place in the thread, seen by exactly those who may read the thread, and kept in step with it."""

from contextlib import contextmanager

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import OrganisationKind, VerificationMethod
from forums import services as forum_services
from forums.models import ForumCategory, Post, Thread
from forums.rendering import render_markdown
from kx_site.audience import Audience, Marking
from search import check, selectors, signals
from search.index import alias_name
from search.models import SearchEntry
from search.queries import SearchQuery
from tests.factories import (
    PractitionerFactory,
    ProbationPractitionerFactory,
    UserFactory,
    seeded_organisation,
    staff_member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _generous_rate_limits(settings):
    settings.KX_FORUM_RATE_LIMITS = {
        **settings.KX_FORUM_RATE_LIMITS,
        "post": (1000, 300),
        "flag": (1000, 600),
    }


def search(user, text, **filters):
    return selectors.search(SearchQuery(text=text, filters=filters, per_page=50), user)


def found(user, text):
    return sorted((hit.doc_type, hit.title) for hit in search(user, text).hits)


def type_counts(results):
    return dict(results.facets["type"])


@pytest.fixture
def committed(backend, django_capture_on_commit_callbacks):
    """Changes made inside commit as a request's would: their index tasks run, and the engine
    shows the result."""

    @contextmanager
    def run():
        with django_capture_on_commit_callbacks(execute=True):
            yield
        if backend.engine:
            backend.engine.refresh(alias_name())

    return run


@pytest.fixture
def queued(monkeypatch):
    """(model label, pk) of every index update queued by the signal handlers."""
    calls = []
    queue = signals.queue_index_update

    def spy(instance):
        calls.append((instance._meta.label, instance.pk))
        queue(instance)

    monkeypatch.setattr(signals, "queue_index_update", spy)
    return calls


def make_category(slug, **fields):
    return ForumCategory.objects.create(name=slug.replace("-", " ").title(), slug=slug, **fields)


@pytest.fixture
def open_category(db):
    return make_category("wetland-birds", audience=Audience.PRACTITIONERS)


@pytest.fixture
def police_only(db):
    return make_category(
        "police-birds",
        audience=Audience.RESTRICTED,
        restricted_to_kinds=[OrganisationKind.POLICE_FORCE],
        marking=Marking.OFFICIAL_SENSITIVE,
    )


@pytest.fixture
def kent_only(db):
    category = make_category(
        "kent-birds", audience=Audience.RESTRICTED, marking=Marking.OFFICIAL_SENSITIVE
    )
    category.restricted_to_organisations.set([seeded_organisation("kent-police")])
    category.save()
    return category


@pytest.fixture
def kent_officer(db):
    return PractitionerFactory()


@pytest.fixture
def probation_officer(db):
    return ProbationPractitionerFactory()


@pytest.fixture
def moderator(db):
    return staff_member("Moderators")


def start_thread(category, author, title, body):
    return forum_services.thread_create(category=category, author=author, title=title, body=body)


def reply(thread, author, body):
    return forum_services.post_reply(thread=thread, author=author, body=body)


def add_posts(thread, author, count):
    """``count`` more visible posts, straight into the database (no index update)."""
    thread.refresh_from_db()
    first = thread.last_post_number + 1
    posts = [
        Post.objects.create(
            thread=thread,
            number=number,
            author=author,
            body=f"Note {number}",
            body_html=render_markdown(f"Note {number}"),
        )
        for number in range(first, first + count)
    ]
    Thread.objects.filter(pk=thread.pk).update(
        last_post_number=first + count - 1, post_count=thread.post_count + count
    )
    return posts


def test_a_reply_is_found_by_its_own_words_and_links_to_the_post(
    backend, committed, open_category, kent_officer, probation_officer
):
    with committed():
        thread = start_thread(
            open_category, kent_officer, "Heron sightings", "Where do herons nest?"
        )
        answer = reply(thread, probation_officer, "Look along the **egret** marshes & reeds.")

    for _ in ("as the tasks left it", "after a rebuild"):
        results = search(probation_officer, "egret")
        assert [(h.doc_type, h.title) for h in results.hits] == [
            ("post", "Reply in: Heron sightings")
        ]
        hit = results.hits[0]
        assert hit.url == answer.get_absolute_url() == f"/forums/threads/{thread.pk}/#post-2"
        assert hit.type_label == "Forum reply"
        assert hit.summary == "Look along the egret marshes & reeds."
        assert hit.date == answer.created_at
        assert type_counts(results) == {"post": 1}
        backend.index()

    # A reply on a later page of the thread links to that page.
    later = add_posts(thread, kent_officer, 21)[-1]
    later.body_html = render_markdown("An avocet on the scrape.")
    later.save()
    backend.index()
    assert later.number == 23
    [hit] = search(probation_officer, "avocet").hits
    assert hit.url == f"/forums/threads/{thread.pk}/?page=2#post-23"


def test_the_thread_holds_its_opening_post_and_not_the_replies(
    backend, committed, open_category, kent_officer, probation_officer
):
    with committed():
        thread = start_thread(
            open_category, kent_officer, "Bittern booming", "Heard at dawn in the reedbed."
        )
        answer = reply(thread, probation_officer, "Mine was a grebe, not a bittern.")
    entry = SearchEntry.objects.get(key=f"thread:{thread.pk}")
    assert entry.summary == entry.body == "Heard at dawn in the reedbed."
    assert "grebe" not in entry.body
    post_entry = SearchEntry.objects.get(key=f"post:{answer.pk}")
    assert post_entry.parent_key == entry.key
    assert (post_entry.audience, post_entry.marking) == (entry.audience, entry.marking)
    assert found(probation_officer, "grebe") == [("post", "Reply in: Bittern booming")]
    assert found(probation_officer, "reedbed") == [("thread", "Bittern booming")]
    # The thread's date is its latest post's, brought up to date by the reply.
    thread.refresh_from_db()
    assert entry.date == thread.last_post_at


def test_pending_hidden_and_deleted_replies_are_never_found(
    backend, committed, open_category, kent_officer, probation_officer, moderator
):
    newcomer = PractitionerFactory(verification_method=VerificationMethod.APPROVAL)
    administrator = staff_member("superuser")
    with committed():
        thread = start_thread(open_category, kent_officer, "Wader counts", "Counts for May.")
        pending = reply(thread, newcomer, "Waiting: a shoveler on the pool.")
        hidden = reply(thread, probation_officer, "Hidden: a garganey in the ditch.")
        deleted = reply(thread, probation_officer, "Deleted: a whimbrel on the mud.")
        reply(thread, probation_officer, "Shown: a greenshank at the sluice.")
    with committed():
        forum_services.post_hide(post=hidden, moderator=moderator, reason="Off topic")
        forum_services.post_delete(post=deleted, user=probation_officer)
    assert pending.status == Post.Status.PENDING

    for _ in ("as the tasks left it", "after a rebuild"):
        for user in (probation_officer, administrator):
            assert found(user, "shoveler") == []
            assert found(user, "garganey") == []
            assert found(user, "whimbrel") == []
            assert found(user, "greenshank") == [("post", "Reply in: Wader counts")]
            assert type_counts(search(user, "")) == {"thread": 1, "post": 1}
        backend.index()

    with committed():
        forum_services.post_approve(post=pending, moderator=moderator)
        forum_services.post_restore(post=hidden, moderator=moderator)
    assert found(probation_officer, "shoveler") == [("post", "Reply in: Wader counts")]
    assert found(probation_officer, "garganey") == [("post", "Reply in: Wader counts")]
    assert not any(check.index_report().values())


def test_hiding_or_moving_the_thread_takes_its_replies_along(
    backend,
    committed,
    queued,
    open_category,
    police_only,
    kent_officer,
    probation_officer,
    moderator,
):
    with committed():
        thread = start_thread(open_category, kent_officer, "Estuary survey", "Plover nests.")
        reply(thread, probation_officer, "Ringed plover chicks seen.")
        reply(thread, kent_officer, "Golden plover flock overhead.")
    add_posts(thread, kent_officer, 30)
    backend.index()
    assert type_counts(search(probation_officer, "plover")) == {"post": 2, "thread": 1}
    assert search(probation_officer, "note").total == 30

    queued.clear()
    with committed():
        forum_services.thread_move(thread=thread, moderator=moderator, category=police_only)
    # One task rewrites the thread and its 32 replies, not one task per reply.
    assert queued == [("forums.Thread", thread.pk)]
    for user in (probation_officer, AnonymousUser()):
        results = search(user, "plover")
        assert (results.total, results.hits, type_counts(results)) == (0, [], {})
        assert search(user, "note").total == 0
    results = search(kent_officer, "plover")
    assert type_counts(results) == {"post": 2, "thread": 1}
    assert search(kent_officer, "note").total == 30
    replies = SearchEntry.objects.filter(parent_key=f"thread:{thread.pk}")
    assert set(replies.values_list("audience", flat=True)) == {Audience.RESTRICTED}

    # Hiding a thread: a bulk update, re-indexed as moderation asks for it.
    queued.clear()
    with committed():
        Thread.objects.filter(pk=thread.pk).update(is_visible=False)
        forum_services.reindex_moderated(thread=thread)
    assert queued == [("forums.Thread", thread.pk)]
    results = search(kent_officer, "plover")
    assert (results.total, type_counts(results)) == (0, {})
    assert not replies.exists()
    assert not any(check.index_report().values())


def test_a_category_audience_change_reaches_every_reply(
    backend, committed, queued, open_category, kent_officer, probation_officer
):
    with committed():
        first = start_thread(open_category, kent_officer, "Snipe drumming", "Snipe at dusk.")
        second = start_thread(open_category, kent_officer, "Snipe counts", "Snipe numbers.")
    add_posts(first, kent_officer, 10)
    add_posts(second, kent_officer, 10)
    backend.index()
    assert search(probation_officer, "note").total == 20

    queued.clear()
    with committed():
        open_category.audience = Audience.RESTRICTED
        open_category.restricted_to_kinds = [OrganisationKind.POLICE_FORCE]
        open_category.save()
    assert sorted(queued) == sorted([("forums.Thread", first.pk), ("forums.Thread", second.pk)])
    assert search(probation_officer, "note").total == 0
    assert search(kent_officer, "note").total == 20


@pytest.fixture
def restricted_reply(backend, committed, kent_only, kent_officer):
    with committed():
        thread = start_thread(kent_only, kent_officer, "Merlin roosts", "Roost sites in Kent.")
        return reply(thread, kent_officer, "A sparrowhawk took one at the roost.")


def test_restricted_replies_reach_no_one_outside_the_category(
    backend, client, restricted_reply, kent_officer, probation_officer
):
    outsiders = {
        "anonymous": AnonymousUser(),
        "unverified": UserFactory(email_verified=False),
        "registered": UserFactory(),
        "other force": PractitionerFactory(
            email="officer@bedfordshire.police.uk",
            organisation=seeded_organisation("bedfordshire-police"),
        ),
        "probation": probation_officer,
    }
    for who, user in outsiders.items():
        client.logout()
        if user.is_authenticated:
            client.force_login(user)
        for text in ("sparrowhawk", "merlin"):
            results = search(user, text)
            assert (results.total, results.hits, type_counts(results)) == (0, [], {}), who
            body = client.get("/api/search/", {"q": text, "type": "post"}).json()
            assert (body["total"], body["results"]) == (0, []), who
            body = client.get("/api/search/", {"q": text}).json()
            assert (body["total"], body["facets"]["type"]) == (0, []), who
        assert client.get("/search/suggest/", {"q": "merlin"}).json() == {"suggestions": []}
        html = client.get("/search/", {"q": "sparrowhawk"}).content.decode()
        assert "Merlin" not in html and "Forum reply" not in html, who

    client.force_login(kent_officer)
    body = client.get("/api/search/", {"q": "sparrowhawk"}).json()
    [result] = body["results"]
    assert (result["type"], result["type_label"]) == ("post", "Forum reply")
    assert result["url"] == restricted_reply.get_absolute_url()
    assert body["facets"]["type"] == [{"value": "post", "label": "Forum reply", "count": 1}]
    # Suggestions name the thread once, not again for each reply that repeats its title.
    suggestions = client.get("/search/suggest/", {"q": "merlin"}).json()["suggestions"]
    assert [(s["type"], s["title"]) for s in suggestions] == [("thread", "Merlin roosts")]
    html = client.get("/search/", {"q": "sparrowhawk"}).content.decode()
    assert "Reply in: Merlin roosts" in html and "Forum reply" in html


def test_editing_a_reply_updates_its_entry_alone(
    backend, committed, queued, open_category, kent_officer, probation_officer
):
    with committed():
        thread = start_thread(open_category, kent_officer, "Bridge nest", "Under the arch.")
        answer = reply(thread, probation_officer, "A dipper feeding young.")
    queued.clear()
    with committed():
        forum_services.post_edit(
            post=answer, editor=probation_officer, body="A grey wagtail feeding young."
        )
    assert queued == [("forums.Post", answer.pk)]
    assert found(probation_officer, "wagtail") == [("post", "Reply in: Bridge nest")]
    assert found(probation_officer, "dipper") == []
    assert not any(check.index_report().values())


def test_a_new_reply_queues_its_own_update_and_refreshes_the_thread_date(
    backend, committed, queued, open_category, kent_officer, probation_officer
):
    with committed():
        thread = start_thread(open_category, kent_officer, "Sand martins", "Back at the quarry.")
    add_posts(thread, kent_officer, 40)
    backend.index()
    before = SearchEntry.objects.filter(parent_key=f"thread:{thread.pk}").order_by("key")
    rewritten_at = dict(before.values_list("key", "indexed_at"))

    queued.clear()
    with committed():
        answer = reply(thread, probation_officer, "Swallows too.")
    assert queued == [("forums.Post", answer.pk)]
    thread.refresh_from_db()
    assert SearchEntry.objects.get(key=f"thread:{thread.pk}").date == thread.last_post_at
    # The other replies were left alone.
    assert dict(before.exclude(key=f"post:{answer.pk}").values_list("key", "indexed_at")) == (
        rewritten_at
    )
    assert found(probation_officer, "swallows") == [("post", "Reply in: Sand martins")]


def test_rebuild_and_check_cover_replies(backend, capsys, open_category, kent_officer):
    thread = start_thread(open_category, kent_officer, "Lapwing scrape", "Lapwing pairs.")
    answer = add_posts(thread, kent_officer, 3)[0]
    call_command("search_index", "--rebuild")
    assert "4 entries written" in capsys.readouterr().out
    assert SearchEntry.objects.filter(doc_type="post").count() == 3
    call_command("search_index", "--check")
    assert "up to date" in capsys.readouterr().out

    # Changed without signals: the check notices, the rebuild repairs.
    Post.objects.filter(pk=answer.pk).update(body_html=render_markdown("Redshank too."))
    with pytest.raises(CommandError):
        call_command("search_index", "--check")
    assert f"stale: 1\n  post:{answer.pk}" in capsys.readouterr().out
    call_command("search_index", "--rebuild")
    assert found(kent_officer, "redshank") == [("post", "Reply in: Lapwing scrape")]


def test_locking_and_pinning_reindex_nothing(
    backend, committed, queued, open_category, kent_officer, moderator
):
    with committed():
        thread = start_thread(open_category, kent_officer, "Stonechat", "On the gorse.")
    add_posts(thread, kent_officer, 5)
    queued.clear()

    with committed():
        forum_services.thread_set_locked(thread=thread, moderator=moderator, locked=True)
        forum_services.thread_set_pinned(thread=thread, moderator=moderator, pinned=True)

    assert queued == []


def test_a_word_in_the_thread_title_finds_the_thread_not_each_reply(
    backend, committed, open_category, kent_officer, probation_officer
):
    with committed():
        thread = start_thread(open_category, kent_officer, "Avocet colony", "On the lagoon.")
        reply(thread, probation_officer, "Twelve pairs this year.")
        reply(thread, kent_officer, "The avocet chicks have hatched.")
    add_posts(thread, kent_officer, 10)

    results = search(probation_officer, "avocet")

    # The thread, and the one reply that says the word itself; the API names the thread.
    assert found(probation_officer, "avocet") == [
        ("post", "Reply in: Avocet colony"),
        ("thread", "Avocet colony"),
    ]
    assert results.total == 2


def test_refreshing_a_thread_costs_the_same_for_30_replies_as_for_10(
    database_backend, open_category, kent_officer
):
    """A thread brings all its replies: they are written in bulk, not one by one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from search.services import search_entry_refresh

    def queries_to_refresh(thread):
        with CaptureQueriesContext(connection) as context:
            search_entry_refresh(model_label="forums.Thread", pk=thread.pk)
        return len(context.captured_queries)

    small = start_thread(open_category, kent_officer, "Small thread", "Opening words.")
    add_posts(small, kent_officer, 10)
    large = start_thread(open_category, kent_officer, "Large thread", "Opening words.")
    add_posts(large, kent_officer, 30)
    database_backend.index()

    assert queries_to_refresh(large) == queries_to_refresh(small)
    replies = SearchEntry.objects.filter(parent_key=f"thread:{large.pk}", removed=False)
    assert replies.count() == 30
    assert not any(check.index_report().values())


def test_replies_moved_into_a_one_force_category_reach_only_that_force(
    backend, committed, open_category, kent_only, kent_officer, moderator
):
    other_force = PractitionerFactory(
        email="officer@bedfordshire.police.uk",
        organisation=seeded_organisation("bedfordshire-police"),
    )
    with committed():
        thread = start_thread(open_category, kent_officer, "Ospreys", "Nest platform.")
        reply(thread, kent_officer, "The kestrel box is occupied.")
    assert found(other_force, "kestrel") == [("post", "Reply in: Ospreys")]

    with committed():
        forum_services.thread_move(thread=thread, moderator=moderator, category=kent_only)

    assert found(other_force, "kestrel") == []
    assert found(kent_officer, "kestrel") == [("post", "Reply in: Ospreys")]
