#!/usr/bin/env python
# ruff: noqa: T201 - a command-line script: printing its figures is its job.
"""Profile: where a signed-in page's time goes, in one process on production settings.

Needs a PostgreSQL database migrated and seeded (``make migrate seed``: the cache table must
exist before the demo content is added) and the static files collected (the production settings
read their manifest)::

    PGPASSWORD=kx createdb -h 127.0.0.1 -U kx kx_bench
    export DATABASE_URL=postgres://kx:kx@127.0.0.1:5432/kx_bench
    make migrate seed collectstatic
    .venv/bin/python bench/profile_pages.py --requests 200
    .venv/bin/python bench/profile_pages.py --profile event --top 40   # cProfile of one page
    .venv/bin/python bench/profile_pages.py --show-queries event --width 2000

What it does: sets up Django with ``kx_site.settings.production`` (a throwaway SECRET_KEY,
ALLOWED_HOSTS=127.0.0.1, plain HTTP as ``make serve`` does), signs in the demo practitioner
(``pc.jones@kent.police.uk``, ``force_login``) with Django's test client, finds the first item
of the events, library and briefings listings, warms every page up, then for each page kind
(/, /events/, /library/, /briefings/, an event, a practice, a briefing) prints the queries one
request runs and the mean milliseconds of ``--requests`` requests, signed in (and signed out with
``--anonymous``). ``--profile KIND`` runs cProfile over that kind's requests instead and prints the
functions sorted by cumulative time (``--sort tottime`` for own time). The test client skips the
WSGI server and the network, so the figures are the application's own Python and database time.
"""

import argparse
import cProfile
import os
import pstats
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO_EMAIL = "pc.jones@kent.police.uk"
LISTINGS = {"event": "/events/", "practice": "/library/", "briefing": "/briefings/"}
PAGES = ["home", "events", "library", "briefings", "event", "practice", "briefing"]
PATHS = {"home": "/", "events": "/events/", "library": "/library/", "briefings": "/briefings/"}


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "kx_site.settings.production"
    os.environ.setdefault("SECRET_KEY", "profile-pages-throwaway-key-0123456789abcdefghijklmnop")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    os.environ.setdefault("KX_INSECURE_LOCAL_HTTP", "true")
    os.environ.setdefault("KX_ALLOW_NON_SMTP_EMAIL", "true")
    os.environ.setdefault("DATABASE_CONN_MAX_AGE", "60")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a seeded PostgreSQL database (see the docstring).")
    import logging

    import django

    django.setup()
    # The request log writes one JSON line a request to stdout: keep it, but out of the way.
    logging.getLogger().handlers[0].stream = open(os.devnull, "w")  # noqa: SIM115


def first_item(client, listing):
    """The first detail page linked from a heading of ``listing``."""
    body = client.get(listing).content.decode()
    for match in re.finditer(r"<h[23][^>]*>\s*<a[^>]*href=\"([^\"]+)\"", body):
        href = match.group(1)
        if href.startswith(listing) and href != listing:
            return href
    raise SystemExit(f"No item found on {listing}")


def count_queries(client, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(captured), captured


def timed(client, path, requests):
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.mean(times), statistics.median(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--profile", choices=PAGES, help="cProfile this page kind")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--top", type=int, default=50)
    parser.add_argument("--anonymous", action="store_true", help="also time signed out")
    parser.add_argument("--show-queries", choices=PAGES, help="print this page's SQL")
    parser.add_argument("--width", type=int, default=300, help="characters of each query shown")
    args = parser.parse_args(argv)

    setup_django()
    from django.contrib.auth import get_user_model
    from django.test import Client

    user = get_user_model().objects.get(email=DEMO_EMAIL)
    member = Client(HTTP_HOST="127.0.0.1")
    member.force_login(user)
    paths = dict(PATHS)
    for kind, listing in LISTINGS.items():
        paths[kind] = first_item(member, listing)
    for path in paths.values():  # warm up: imports, template loading, connections
        for _ in range(3):
            member.get(path)

    if args.show_queries:
        count, captured = count_queries(member, paths[args.show_queries])
        for query in captured.captured_queries:
            print(f"{query['time']:>6} {query['sql'][: args.width]}")
        print(f"{count} queries")
        return
    if args.profile:
        path = paths[args.profile]
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.requests):
            member.get(path)
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats(args.sort).print_stats(args.top)
        return

    anonymous = Client(HTTP_HOST="127.0.0.1") if args.anonymous else None
    print(f"{'page':<10} {'path':<48} {'queries':>7} {'mean ms':>8} {'p50 ms':>7}")
    for kind in PAGES:
        path = paths[kind]
        queries, _ = count_queries(member, path)
        mean, p50 = timed(member, path, args.requests)
        print(f"{kind:<10} {path[:48]:<48} {queries:>7} {mean:>8.1f} {p50:>7.1f}")
        if anonymous is not None and anonymous.get(path).status_code == 200:
            queries, _ = count_queries(anonymous, path)
            mean, p50 = timed(anonymous, path, args.requests)
            print(f"{kind + '-anon':<10} {'':<48} {queries:>7} {mean:>8.1f} {p50:>7.1f}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
