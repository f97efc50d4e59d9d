#!/usr/bin/env python
# ruff: noqa: T201 - a command-line script: printing its figures is its job.
"""Benchmark: a burst of delegate registrations against a running KX server.

Run it with the same settings and database as the server under test (PostgreSQL), e.g.::

    export DJANGO_SETTINGS_MODULE=kx_site.settings.dev
    export DATABASE_URL=postgres://kx:kx@127.0.0.1:5432/kx_bench
    .venv/bin/python manage.py runserver 127.0.0.1:8040 &
    .venv/bin/python bench/registration.py --url http://127.0.0.1:8040 --places 20 --users 60

or ``make bench BENCH_ARGS="--url http://127.0.0.1:8040"``.

What it does:

1. Through the Django ORM, creates bench-only data: online events (slug ``bench-<run>-<n>``)
   with ``--places`` places each, and ``--users`` verified practitioners
   (``bench-<run>-<n>@...``) with a known password, spread evenly over the events.
2. Signs every user in through the allauth login form (``/accounts/login/``, CSRF token from
   the form), ``--concurrency`` at a time. This is set-up and is not timed.
3. The burst: all users POST the registration form at ``/my-events/register/<event id>/`` at
   once, ``--concurrency`` requests in flight. Each request is timed from sending to the full
   response.
4. Prints registrations per second (answered registrations / wall time of the burst) and the
   p50, p95 and max latency, then checks each event in the database: confirmed places equal
   its capacity (never more) and everyone else is on the waiting list.
5. Deletes everything it created (unless ``--keep``).

Standard library and Django only: HTTP goes through ``urllib.request`` (one connection per
request, no keep-alive, as a browser opening a fresh connection would be the worst case).
"""

import argparse
import contextlib
import html.parser
import http.cookiejar
import os
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

PASSWORD = "bench-password-not-secret-42"


def setup_django():
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kx_site.settings.dev")
    import django

    django.setup()


# --- HTTP -----------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class _CsrfFinder(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.token = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") == "csrfmiddlewaretoken":
            self.token = self.token or attrs.get("value")


class Browser:
    """One user's cookies; every request a fresh connection; redirects are not followed."""

    def __init__(self, base_url, timeout):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def request(self, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, data=body)
        # Django checks the Referer of unsafe requests over HTTPS; harmless over HTTP.
        request.add_header("Referer", self.base_url + path)
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode(errors="replace")

    def csrf_token(self, path):
        status, _, page = self.request(path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
        finder = _CsrfFinder()
        finder.feed(page)
        if not finder.token:
            raise RuntimeError(f"no CSRF token in the form at {path}")
        return finder.token

    def log_in(self, email):
        """Sign in through the allauth form; False if the server refused (rate limit)."""
        token = self.csrf_token("/accounts/login/")
        status, headers, _ = self.request(
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "login": email, "password": PASSWORD},
        )
        # allauth limits sign-ins per IP address (429, or the form again with an error).
        return status == 302 and "/accounts/login" not in headers.get("Location", "")

    def use_session(self, user):
        """Sign in as ``user`` with a session made server-side, as Django's test client does."""
        from django.conf import settings
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
        from django.contrib.sessions.backends.db import SessionStore

        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        host = urllib.parse.urlsplit(self.base_url).hostname
        self.jar.set_cookie(
            http.cookiejar.Cookie(
                0,
                settings.SESSION_COOKIE_NAME,
                session.session_key,
                None,
                False,
                host,
                False,
                False,
                "/",
                True,
                False,
                None,
                True,
                None,
                None,
                {},
            )
        )


# --- Data -----------------------------------------------------------------------------------


def create_bench_data(run, *, events, places, users):
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import Organisation, User, VerificationMethod
    from events.models import EventIndexPage, EventPage
    from kx_site.audience import Audience, Marking
    from kx_site.models import HomePage

    index = EventIndexPage.objects.first()
    if index is None:
        index = HomePage.objects.first().add_child(
            instance=EventIndexPage(title="Bench events", slug=f"bench-{run}-index")
        )
    now = timezone.now()
    start = now + timedelta(days=30)
    event_pages = [
        index.add_child(
            instance=EventPage(
                title=f"Bench event {run} {n}",
                slug=f"bench-{run}-{n}",
                summary="Benchmark event: delete me.",
                start=start,
                end=start + timedelta(hours=7),
                is_online=True,
                joining_link="https://example.org/bench",
                capacity=places,
                registration_opens_at=now - timedelta(days=1),
                registration_closes_at=start - timedelta(days=1),
                audience=Audience.PRACTITIONERS,
                marking=Marking.OFFICIAL,
                live=True,
            )
        )
        for n in range(events)
    ]
    organisation = Organisation.objects.filter(is_active=True).order_by("pk").first()
    password = make_password(PASSWORD)  # hashed once: the hasher is deliberately slow
    User.objects.bulk_create(
        User(
            email=f"bench-{run}-{n}@bench.invalid",
            password=password,
            first_name="Bench",
            last_name=f"User {n}",
            job_title="Benchmark",
            organisation=organisation,
            verified_at=now,
            verification_method=VerificationMethod.DOMAIN,
        )
        for n in range(users)
    )
    people = list(User.objects.filter(email__startswith=f"bench-{run}-").order_by("pk"))
    EmailAddress.objects.bulk_create(
        EmailAddress(user=person, email=person.email, verified=True, primary=True)
        for person in people
    )
    # Spread the users evenly over the events.
    return event_pages, [(person, event_pages[n % events]) for n, person in enumerate(people)]


def delete_bench_data(run):
    from accounts.models import User
    from events.models import EventIndexPage, EventPage, Registration

    Registration.objects.filter(event__slug__startswith=f"bench-{run}-").delete()
    for page in EventPage.objects.filter(slug__startswith=f"bench-{run}-"):
        page.delete()
    for page in EventIndexPage.objects.filter(slug=f"bench-{run}-index"):
        page.delete()
    User.objects.filter(email__startswith=f"bench-{run}-").delete()


# --- Run ------------------------------------------------------------------------------------


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8040", help="base URL of the server")
    parser.add_argument("--events", type=int, default=1, help="events registered for at once")
    parser.add_argument("--places", type=int, default=20, help="places per event")
    parser.add_argument("--users", type=int, default=60, help="people registering, in all")
    parser.add_argument("--concurrency", type=int, default=20, help="requests in flight")
    parser.add_argument("--timeout", type=float, default=60, help="seconds per request")
    parser.add_argument("--keep", action="store_true", help="keep the bench data afterwards")
    args = parser.parse_args(argv)

    setup_django()
    from django.db import connection

    from events.models import Registration

    if connection.vendor != "postgresql":
        print(
            f"warning: the database is {connection.vendor}, not PostgreSQL; set DATABASE_URL "
            "to the server's PostgreSQL database.",
            file=sys.stderr,
        )
    run = uuid.uuid4().hex[:8]
    try:
        events, attempts = create_bench_data(
            run, events=args.events, places=args.places, users=args.users
        )
        connection.close()  # no transaction or connection held open during the burst
        print(
            f"bench run {run}: {len(events)} event(s) x {args.places} places, "
            f"{len(attempts)} users, concurrency {args.concurrency}, server {args.url}"
        )

        browsers = {}

        def log_in(person):
            browser = Browser(args.url, args.timeout)
            by_form = browser.log_in(person.email)
            if not by_form:
                browser.use_session(person)
                connection.close()  # this thread's own connection
            browsers[person.pk] = browser
            return by_form

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            by_form = sum(pool.map(log_in, [person for person, _ in attempts]))
        connection.close()
        print(
            f"signed in {len(browsers)} users in {time.perf_counter() - started:.1f}s "
            f"({by_form} through the login form; the rest, refused by allauth's sign-in "
            "rate limit, with a server-side session)"
        )

        # Fetch each form's CSRF token first, so that the burst is only the POSTs.
        def prepare(attempt):
            person, event = attempt
            path = f"/my-events/register/{event.pk}/"
            return path, browsers[person.pk].csrf_token(path)

        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            forms = list(pool.map(prepare, attempts))

        lock = threading.Lock()
        results = []

        gate = threading.Barrier(min(args.concurrency, len(attempts)), timeout=30)

        def register_together(item):
            attempt, form = item
            with contextlib.suppress(threading.BrokenBarrierError):
                gate.wait()
            register_once(attempt, form)

        def register_once(attempt, form):
            person, _ = attempt
            path, token = form
            sent = time.perf_counter()
            status, headers, _ = browsers[person.pk].request(path, {"csrfmiddlewaretoken": token})
            latency = time.perf_counter() - sent
            ok = status == 302 and headers.get("Location", "").rstrip("/").endswith("/my-events")
            with lock:
                results.append((ok, status, latency))

        items = list(zip(attempts, forms, strict=True))
        wave = min(args.concurrency, len(items))
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            # The first wave waits at a barrier so that it hits the server at once.
            futures = [pool.submit(register_together, item) for item in items[:wave]]
            futures += [pool.submit(register_once, *item) for item in items[wave:]]
            for future in futures:
                future.result()
        wall = time.perf_counter() - started

        latencies = [latency for _, _, latency in results]
        succeeded = sum(ok for ok, _, _ in results)
        failed = [(status, latency) for ok, status, latency in results if not ok]
        print(f"registrations: {succeeded} answered, {len(failed)} failed in {wall:.2f}s")
        print(f"throughput:    {succeeded / wall:.1f} registrations/s")
        print(
            f"latency:       p50 {percentile(latencies, 0.50) * 1000:.0f} ms, "
            f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms, "
            f"max {max(latencies) * 1000:.0f} ms"
        )
        if failed:
            print(f"failed statuses: {sorted({status for status, _ in failed})}")

        correct = not failed
        for event in events:
            statuses = list(
                Registration.objects.filter(event=event).values_list("status", flat=True)
            )
            confirmed = statuses.count(Registration.Status.CONFIRMED)
            waiting = statuses.count(Registration.Status.WAITING)
            expected = min(event.capacity, len(statuses))
            event_ok = confirmed == expected and waiting == len(statuses) - expected
            correct &= event_ok
            print(
                f"event {event.pk}: capacity {event.capacity}, {confirmed} confirmed, "
                f"{waiting} waiting, {len(statuses)} registrations - "
                f"{'OK, no oversell' if event_ok else 'WRONG'}"
            )
        return 0 if correct else 1
    finally:
        if not args.keep:
            delete_bench_data(run)
            print(f"bench data of run {run} deleted")


if __name__ == "__main__":
    sys.exit(main())
