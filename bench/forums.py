#!/usr/bin/env python
# ruff: noqa: T201 - a command-line script: printing its figures is its job.
"""Benchmark: latency of the forum pages that grow with use, against a running KX server.

Run it with the same settings and database as the server under test, e.g. on PostgreSQL::

    export DJANGO_SETTINGS_MODULE=kx_site.settings.dev
    export DATABASE_URL=postgres://kx:kx@127.0.0.1:5432/kx_bench
    .venv/bin/python manage.py runserver 127.0.0.1:8040 &
    .venv/bin/python bench/forums.py --url http://127.0.0.1:8040

It also runs against the SQLite database that ``make run`` sets up (leave ``DATABASE_URL``
unset and point ``--url`` at ``make run``'s server).

What it does:

1. Through the Django ORM, creates bench-only data: a category (slug ``bench-<run>``) with
   ``--threads`` threads, one of which has ``--posts`` posts, and a verified practitioner
   signed in with a session made server-side (no login form, so no rate limit applies).
2. Requests each page ``--requests`` times, one after another, after one untimed warm-up:
   the category list (``/forums/``), the category's thread list (first page and a middle
   page) and the long thread (first page and a middle page).
3. Prints p50, p95 and max latency per page, in milliseconds.
4. Deletes everything it created (unless ``--keep``).
"""

import argparse
import statistics
import sys
import time
import uuid
from datetime import timedelta

from registration import Browser, setup_django


def create_bench_data(run, *, threads, posts):
    from allauth.account.models import EmailAddress
    from django.utils import timezone

    from accounts.models import Organisation, User, VerificationMethod
    from forums.models import ForumCategory, Post, Thread
    from forums.rendering import render_markdown

    organisation = Organisation.objects.filter(kind="police_force").order_by("pk").first()
    user = User.objects.create_user(
        email=f"bench-{run}@bench.invalid",
        first_name="Bench",
        last_name=run,
        organisation=organisation,
        verified_at=timezone.now(),
        verification_method=VerificationMethod.DOMAIN,
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    category = ForumCategory.objects.create(name=f"Bench {run}", slug=f"bench-{run}")
    now = timezone.now()
    created = Thread.objects.bulk_create(
        Thread(
            category=category,
            title=f"Bench thread {n}",
            author=user,
            post_count=1,
            last_post_number=1,
            last_post_at=now - timedelta(minutes=n),
        )
        for n in range(threads)
    )
    html = render_markdown("A **bench** post about planning home visits.")
    Post.objects.bulk_create(
        Post(thread=thread, number=1, author=user, body="bench", body_html=html)
        for thread in created
    )
    long_thread = created[0]
    Post.objects.bulk_create(
        (
            Post(thread=long_thread, number=n, author=user, body="bench", body_html=html)
            for n in range(2, posts + 1)
        ),
        batch_size=500,
    )
    Thread.objects.filter(pk=long_thread.pk).update(post_count=posts, last_post_number=posts)
    return user, category, long_thread


def delete_bench_data(user, category):
    from forums.models import ForumMember, Post, Thread, ThreadReadState

    ThreadReadState.objects.filter(user=user).delete()
    Post.objects.filter(thread__category=category).delete()
    Thread.objects.filter(category=category).delete()
    category.delete()
    ForumMember.objects.filter(user=user).delete()
    user.delete()


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def time_page(browser, path, requests):
    status, _, _ = browser.request(path)  # Warm-up, untimed.
    if status != 200:
        raise RuntimeError(f"GET {path} answered {status}")
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        status, _, _ = browser.request(path)
        timings.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
    return timings


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the running server")
    parser.add_argument("--threads", type=int, default=500, help="threads in the category")
    parser.add_argument("--posts", type=int, default=2000, help="posts in the long thread")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the bench data")
    args = parser.parse_args(argv)

    setup_django()
    from forums.selectors import POSTS_PER_PAGE, THREADS_PER_PAGE

    run = uuid.uuid4().hex[:8]
    user, category, long_thread = create_bench_data(run, threads=args.threads, posts=args.posts)
    try:
        browser = Browser(args.url, args.timeout)
        browser.use_session(user)
        middle_threads = max(1, args.threads // THREADS_PER_PAGE // 2)
        middle_posts = max(1, args.posts // POSTS_PER_PAGE // 2)
        pages = [
            ("category list", "/forums/"),
            (f"thread list ({args.threads} threads), page 1", f"/forums/{category.slug}/"),
            (
                f"thread list, page {middle_threads}",
                f"/forums/{category.slug}/?page={middle_threads}",
            ),
            (f"thread ({args.posts} posts), page 1", f"/forums/threads/{long_thread.pk}/"),
            (
                f"thread, page {middle_posts}",
                f"/forums/threads/{long_thread.pk}/?page={middle_posts}",
            ),
        ]
        print(f"{args.requests} requests per page against {args.url}")
        print(f"{'page':<40} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
        for label, path in pages:
            timings = time_page(browser, path, args.requests)
            print(
                f"{label:<40} {statistics.median(timings):>8.1f} "
                f"{percentile(timings, 0.95):>8.1f} {max(timings):>8.1f}"
            )
    finally:
        if not args.keep:
            delete_bench_data(user, category)
    return 0


if __name__ == "__main__":
    sys.exit(main())
