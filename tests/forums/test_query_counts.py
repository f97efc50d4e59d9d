"""The category list, a thread list of 500 threads and a thread of 2,000 posts run a fixed
number of queries, however much there is."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from forums.models import ForumSubscription, Post, Thread, ThreadReadState

from .conftest import make_category

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("production_caches")]


def queries_for(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


def add_threads(category, author, count):
    now = timezone.now()
    threads = Thread.objects.bulk_create(
        Thread(
            category=category,
            title=f"Thread {n}",
            author=author,
            post_count=1,
            last_post_number=1,
            last_post_at=now,
            is_pinned=n % 50 == 0,
        )
        for n in range(count)
    )
    Post.objects.bulk_create(
        Post(thread=thread, number=1, author=author, body="Hello", body_html="<p>Hello</p>")
        for thread in threads
    )
    ThreadReadState.objects.bulk_create(
        ThreadReadState(user=author, thread=thread, last_read_post_number=1)
        for thread in threads[::3]
    )
    return threads


def add_posts(thread, authors, count):
    Post.objects.bulk_create(
        Post(
            thread=thread,
            number=thread.last_post_number + n + 1,
            author=authors[n % len(authors)],
            body=f"Post {n}",
            body_html=f"<p>Post {n}</p>",
            status=Post.Status.HIDDEN if n % 97 == 0 else Post.Status.VISIBLE,
        )
        for n in range(count)
    )
    thread.last_post_number += count
    thread.post_count += count
    thread.save()


def test_the_category_list_runs_a_fixed_number_of_queries(
    client, police, django_assert_max_num_queries
):
    client.force_login(police)
    first = make_category("first")
    add_threads(first, police, 3)
    queries_for(client, reverse("forums:index"))
    small = queries_for(client, reverse("forums:index"))
    for n in range(10):
        add_threads(make_category(f"more-{n}"), police, 20)

    with django_assert_max_num_queries(small):
        response = client.get(reverse("forums:index"))
    assert len(response.context["categories"]) == 11


def test_a_thread_list_of_500_threads_runs_a_fixed_number_of_queries(
    client, police, probation, cross_agency, django_assert_max_num_queries
):
    client.force_login(police)
    add_threads(cross_agency, probation, 3)
    url = reverse("forums:category", args=[cross_agency.slug])
    queries_for(client, url)
    small = queries_for(client, url)
    add_threads(cross_agency, police, 497)
    ForumSubscription.objects.create(user=police, category=cross_agency, level="watch")

    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert response.context["page"].paginator.count == 500
    assert len(response.context["page"].object_list) == 30
    with django_assert_max_num_queries(small):
        assert client.get(url + "?page=17").status_code == 200


def test_a_thread_of_2000_posts_runs_a_fixed_number_of_queries(
    client, police, probation, cross_agency, django_assert_max_num_queries
):
    from forums import services

    client.force_login(police)
    [thread] = add_threads(cross_agency, police, 1)
    add_posts(thread, [police], 3)
    services.member_for(police)
    services.member_for(probation)
    url = reverse("forums:thread", args=[thread.pk])
    queries_for(client, url)
    small = queries_for(client, url)
    add_posts(thread, [police, probation], 1996)

    with django_assert_max_num_queries(small):
        response = client.get(url + "?page=50")
    assert response.context["page"].paginator.count == 2000
    assert [p.number for p in response.context["posts"]][:1] == [981]
    with django_assert_max_num_queries(small):
        assert client.get(url + "?page=100").status_code == 200
