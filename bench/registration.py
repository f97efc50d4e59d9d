#!/usr/bin/env python
# ruff: noqa: T201 - a command-line script: printing its figures is its job.
"""Benchmark: delegate registrations against a running KX server, as a burst or at a steady rate.

Run it against the production stack (``make serve``) with the server's database and secret key
(the key signs the sessions it makes for the users allauth's sign-in rate limit turns away)::

    export DATABASE_URL=postgres://kx:kx@127.0.0.1:5432/kx_bench_reg
    make serve HOST=127.0.0.1 PORT=8310 &
    export DJANGO_SETTINGS_MODULE=kx_site.settings.dev SECRET_KEY=$(cat var/serve-secret-key)
    # 1,000 people register at the same moment for 400 places:
    .venv/bin/python bench/registration.py --url http://127.0.0.1:8310 --places 400 --users 1000
    # 20 registrations a second for 30 seconds, each timed on its own:
    .venv/bin/python bench/registration.py --url http://127.0.0.1:8310 --rate 20 --duration 30

or ``make bench BENCH_ARGS="--url http://127.0.0.1:8310"``.

What it does:

1. Through the Django ORM, creates bench-only data: online events (slug ``bench-<run>-<n>``)
   with ``--places`` places each, and ``--users`` verified practitioners
   (``bench-<run>-<n>@...``) with a known password, spread evenly over the events.
2. Signs every user in through the allauth login form (``/accounts/login/``, CSRF token from
   the form; a server-side session for those the sign-in rate limit refuses), and fetches each
   registration form for its CSRF token. This is set-up and is not timed.
3. Registers them: each registration is one POST of the form to
   ``/my-events/register/<event id>/`` on a new connection of its own (``Connection: close``:
   no keep-alive and no connection reuse, as a browser opening a fresh connection would be the
   worst case), timed from opening the connection to the last byte of the answer. The redirect
   to "My events" that follows is not fetched.

   - Burst (the default): every POST is sent at once (at most ``--concurrency`` in flight; by
     default all of them), as when registration opens for a conference.
   - Steady (``--rate R --duration S``): one POST every 1/R seconds for S seconds, each sent on
     time whether or not the earlier ones have been answered (an open loop, so that a slow
     server shows as latency rather than as a lower rate). ``--users`` defaults to R x S.

   The client is one asyncio event loop writing plain HTTP/1.1, so that it takes as little of
   the shared cores as it can (a thread per request cost the server much of its CPU).
4. Prints registrations per second (answered registrations / wall time), the p50, p95 and max
   latency and the errors (any answer but the redirect to "My events", or none in
   ``--timeout``), then checks each event in the database: confirmed places equal its capacity
   (never more) and everyone else is on the waiting list. Then it waits up to ``--drain``
   seconds for the task worker to send the registration emails and says how long that took.
5. Deletes everything it created (unless ``--keep``). The exit status is 0 only if there were no
   errors and every event's places came out exactly right.
"""

import argparse
import asyncio
import html.parser
import http.cookiejar
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
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

    def cookie_header(self):
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.jar)

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
    from django.db import IntegrityError

    from accounts.models import User
    from events.models import EventIndexPage, EventPage, Registration

    # A request that timed out on the client may still be registering on the server.
    for attempt in range(5):
        try:
            Registration.objects.filter(event__slug__startswith=f"bench-{run}-").delete()
            break
        except IntegrityError:
            time.sleep(2 * (attempt + 1))
    for page in EventPage.objects.filter(slug__startswith=f"bench-{run}-"):
        page.delete()
    for page in EventIndexPage.objects.filter(slug=f"bench-{run}-index"):
        page.delete()
    User.objects.filter(email__startswith=f"bench-{run}-").delete()


# --- Run ------------------------------------------------------------------------------------


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def post_form(base_url, path, cookies, body, timeout):
    """One POST on a new connection; (status, Location) of the answer, read to its end."""
    parts = urllib.parse.urlsplit(base_url)
    host, port = parts.hostname, parts.port or 80
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    try:
        head = (
            f"POST {path} HTTP/1.1\r\n"
            f"Host: {parts.netloc}\r\n"
            f"Cookie: {cookies}\r\n"
            # Django checks the Referer of unsafe requests over HTTPS; harmless over HTTP.
            f"Referer: {base_url}{path}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n"
        )
        writer.write(head.encode() + body)
        await writer.drain()
        # Connection: close, so the answer ends where the connection does.
        answer = await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
    head, _, _ = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return status, headers.get("Location", "")


async def send_registrations(base_url, posts, *, rate, concurrency, timeout):
    """Send every registration (a burst, or ``rate`` a second); [(ok, status, latency)], wall."""
    results = []
    limit = asyncio.Semaphore(concurrency or len(posts))

    async def register(path, cookies, body, due):
        if due:
            await asyncio.sleep(max(0.0, due - (time.perf_counter() - started)))
        async with limit:
            sent = time.perf_counter()
            try:
                status, location = await post_form(base_url, path, cookies, body, timeout)
            except (OSError, TimeoutError, ValueError, IndexError) as error:
                status, location = type(error).__name__, ""
            latency = time.perf_counter() - sent
        ok = status == 302 and location.rstrip("/").endswith("/my-events")
        results.append((ok, status, latency))

    started = time.perf_counter()
    await asyncio.gather(
        *(
            register(path, cookies, body, n / rate if rate else 0)
            for n, (path, cookies, body) in enumerate(posts)
        )
    )
    return results, time.perf_counter() - started


def wait_for_emails(since, patience):
    """Wait for the task worker to send the registration emails queued since ``since``."""
    from django.db import connection
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    if connection.vendor != "postgresql":
        return
    # The registration emails' tasks, and the sending tasks of emails rendered in the request.
    tasks = DBTaskResult.objects.filter(
        enqueued_at__gte=since,
        task_path__in=[
            "events.sending.send_registration_email",
            "kx_site.notifications.send_email",
        ],
    )
    started = time.perf_counter()
    while True:
        queued = tasks.filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING])
        left = queued.count()
        if left == 0 or time.perf_counter() - started > patience:
            break
        time.sleep(1)
    done = tasks.filter(status=TaskResultStatus.SUCCESSFUL).count()
    failed = tasks.filter(status=TaskResultStatus.FAILED).count()
    print(
        f"emails:        {done} email tasks done, {failed} failed, {left} still "
        f"queued {time.perf_counter() - started:.0f}s after the last answer"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8040", help="base URL of the server")
    parser.add_argument("--events", type=int, default=1, help="events registered for at once")
    parser.add_argument("--places", type=int, default=20, help="places per event")
    parser.add_argument("--users", type=int, help="people registering, in all [60; steady: R x S]")
    parser.add_argument("--rate", type=float, help="steady mode: registrations a second")
    parser.add_argument("--duration", type=float, default=30, help="steady mode: seconds")
    parser.add_argument(
        "--concurrency", type=int, default=0, help="most registrations in flight [all]"
    )
    parser.add_argument(
        "--setup-concurrency", type=int, default=20, help="sign-ins and form fetches in flight"
    )
    parser.add_argument("--timeout", type=float, default=120, help="seconds per request")
    parser.add_argument(
        "--drain", type=float, default=120, help="seconds to wait for the emails to be sent"
    )
    parser.add_argument("--keep", action="store_true", help="keep the bench data afterwards")
    args = parser.parse_args(argv)
    if args.users is None:
        args.users = round(args.rate * args.duration) if args.rate else 60

    setup_django()
    from django.db import connection
    from django.utils import timezone

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
        connection.close()  # no transaction or connection held open during the run
        print(
            f"bench run {run}: {len(events)} event(s) x {args.places} places, "
            f"{len(attempts)} users, server {args.url}"
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
        with ThreadPoolExecutor(max_workers=args.setup_concurrency) as pool:
            by_form = sum(pool.map(log_in, [person for person, _ in attempts]))
        connection.close()
        print(
            f"signed in {len(browsers)} users in {time.perf_counter() - started:.1f}s "
            f"({by_form} through the login form; the rest, refused by allauth's sign-in "
            "rate limit, with a server-side session)"
        )

        # Fetch each form's CSRF token first, so that only the POSTs are timed.
        def prepare(attempt):
            person, event = attempt
            path = f"/my-events/register/{event.pk}/"
            browser = browsers[person.pk]
            body = urllib.parse.urlencode({"csrfmiddlewaretoken": browser.csrf_token(path)})
            return path, browser.cookie_header(), body.encode()

        with ThreadPoolExecutor(max_workers=args.setup_concurrency) as pool:
            posts = list(pool.map(prepare, attempts))

        if args.rate:
            print(f"steady: {args.rate:g} registrations/s for {len(posts) / args.rate:.0f}s")
        else:
            in_flight = min(args.concurrency or len(posts), len(posts))
            print(f"burst: {len(posts)} registrations at once, {in_flight} in flight")
        run_started = timezone.now()
        results, wall = asyncio.run(
            send_registrations(
                args.url, posts, rate=args.rate, concurrency=args.concurrency, timeout=args.timeout
            )
        )

        latencies = [latency for _, _, latency in results]
        succeeded = sum(ok for ok, _, _ in results)
        failed = [status for ok, status, _ in results if not ok]
        print(
            f"registrations: {succeeded} answered, {len(failed)} errors in {wall:.2f}s "
            "(one POST each, on a new connection, no keep-alive)"
        )
        print(f"throughput:    {succeeded / wall:.1f} registrations/s")
        print(
            f"latency:       p50 {percentile(latencies, 0.50) * 1000:.0f} ms, "
            f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms, "
            f"max {max(latencies) * 1000:.0f} ms"
        )
        if failed:
            print(f"errors:        {dict(Counter(failed))}")

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
        wait_for_emails(run_started, args.drain)
        return 0 if correct else 1
    finally:
        if not args.keep:
            delete_bench_data(run)
            print(f"bench data of run {run} deleted")


if __name__ == "__main__":
    sys.exit(main())
