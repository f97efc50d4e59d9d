#!/usr/bin/env python
# ruff: noqa: T201 - a command-line script: printing its figures is its job.
"""Benchmark: load on the production stack's pages, from concurrent clients.

Start the production stack on this machine and point the script at it::

    DATABASE_URL=postgres://kx:kx@127.0.0.1:5432/kx_bench PORT=8300 make serve &
    make bench-load BENCH_ARGS="--url http://127.0.0.1:8300 --clients 8 --duration 20"

Against gunicorn on production settings without ``make serve``'s KX_INSECURE_LOCAL_HTTP, say
that a TLS proxy is in front: ``--header 'X-Forwarded-Proto: https'``.

What it does, for each page kind in turn (``--kinds`` chooses):

- ``bare`` (/_bench/bare/): a view that does nothing, behind every middleware, routed only when
  the server runs with ``KX_BENCH_VIEWS=true``; every other kind's throughput is also given as a
  share of it ("of bare"), the figure the performance goals are set in;
- anonymous: ``home`` (/), the listings ``events``, ``library``, ``briefings``,
  ``recommendations`` (/briefings/recommendations/) and ``feed`` (/briefings/feed/), and the
  detail pages ``event``, ``practice``, ``briefing``, each the first item linked from its
  listing's headings (found once, before any load). Public pages for signed-out readers come
  from the page cache (kx_site.page_cache) after the first request;
- ``library-filtered``: the library filtered by "Does it work?" and a topic;
- ``search`` (/search/?q=arms) and ``api-search`` (/api/search/?q=risk), anonymous;
- ``<kind>-member``: the same pages signed in as a demo practitioner (``manage.py seed_demo``),
  through the real sign-in form (GET for the CSRF token, then POST), never cached; and
  ``my-events`` (/my-events/). Every client reuses that one session.

``--clients`` threads each send one request at a time and wait for the whole response, over a
kept-alive connection per client (``--new-connections`` opens one per request instead). After
one untimed warm-up request per client, a page kind runs until ``--duration`` seconds have passed
or ``--requests`` requests have been sent, whichever comes first, then the next kind starts.
Only 127.0.0.1 and localhost are accepted as targets.

Prints, per page kind: requests/s (200 answers over the wall time), p50 and p99 latency of those
answers in milliseconds, and errors (any other status, or no answer). ``--compare URL2`` runs the
same plan against a second server in the same run: each page kind's time is split into rounds
that alternate between the two (A B B A ...), so that a change in the machine's other load falls
on both alike; it prints both columns and the ratio B/A. The load average is printed before and
after: the clients share the machine with the server, so figures from a busy machine are noisy.

Standard library only.
"""

import argparse
import contextlib
import html.parser
import http.client
import http.cookies
import os
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

ALLOWED_HOSTS = {"127.0.0.1", "localhost"}
DEMO_EMAIL = "pc.jones@kent.police.uk"
DEMO_PASSWORD = "demo-password-kx-2026"
LOGIN_PATH = "/accounts/login/"

# (name, path or the listing whose first item it is, how it is reached, signed in?)
LISTING, DETAIL = "listing", "detail"
BARE = "bare"
PUBLIC_KINDS = [
    ("home", "/", LISTING),
    ("events", "/events/", LISTING),
    ("library", "/library/", LISTING),
    ("briefings", "/briefings/", LISTING),
    ("event", "/events/", DETAIL),
    ("practice", "/library/", DETAIL),
    ("briefing", "/briefings/", DETAIL),
    ("recommendations", "/briefings/recommendations/", LISTING),
    ("feed", "/briefings/feed/", LISTING),
]
KINDS = [
    # The limit: a do-nothing view behind every middleware (the server needs KX_BENCH_VIEWS=true).
    (BARE, "/_bench/bare/", LISTING, False),
    *[(name, path, how, False) for name, path, how in PUBLIC_KINDS],
    # Field names from practice_library.forms.PracticeFilterForm; the topic is a seeded slug.
    (
        "library-filtered",
        "/library/?does_it_work=promising&topics=risk-assessment-and-management",
        LISTING,
        False,
    ),
    ("search", "/search/?q=arms", LISTING, False),
    ("api-search", "/api/search/?q=risk", LISTING, False),
    # The same pages for a signed-in practitioner (never from the anonymous page cache).
    *[(f"{name}-member", path, how, True) for name, path, how in PUBLIC_KINDS],
    ("search-member", "/search/?q=arms", LISTING, True),
    ("my-events", "/my-events/", LISTING, True),
]
KIND_NAMES = [name for name, *_ in KINDS]


# --- HTTP -----------------------------------------------------------------------------------


class Target:
    """One server under test: where it is, the extra headers, and the signed-in cookies."""

    def __init__(self, label, base_url, headers, timeout):
        parts = urllib.parse.urlsplit(base_url)
        self.label = label
        self.base_url = base_url.rstrip("/")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.netloc = parts.netloc
        self.headers = headers
        self.timeout = timeout
        self.session_cookies = {}
        # The scheme the application believes it is served on: a proxy's header wins.
        forwarded = {name.lower(): value for name, value in headers}.get("x-forwarded-proto")
        self.public_origin = f"{forwarded or self.scheme}://{self.netloc}"


class Client:
    """One connection's worth of requests; cookies are sent by hand, so that the Secure ones
    production sets behind a TLS proxy still go back over plain HTTP to 127.0.0.1."""

    def __init__(self, target, *, keep_alive=True, cookies=None):
        self.target = target
        self.keep_alive = keep_alive
        self.cookies = dict(cookies or {})
        self.connection = None

    def _connect(self):
        connection_class = (
            http.client.HTTPSConnection
            if self.target.scheme == "https"
            else http.client.HTTPConnection
        )
        return connection_class(self.target.host, self.target.port, timeout=self.target.timeout)

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def request(self, method, path, form=None):
        """Returns (status, headers, body); raises OSError or HTTPException if unanswered."""
        headers = {"User-Agent": "kx-bench-load", **dict(self.target.headers)}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if not self.keep_alive:
            headers["Connection"] = "close"
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            # Django's CSRF check compares these with the host on HTTPS.
            headers["Origin"] = self.target.public_origin
            headers["Referer"] = self.target.public_origin + path
        reused = self.connection is not None
        try:
            return self._send(method, path, body, headers)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # The server may close a kept-alive connection between two requests; a browser
            # then retries once on a new one. Any other failure is the server's answer.
            self.close()
            if not reused:
                raise
            return self._send(method, path, body, headers)

    def _send(self, method, path, body, headers):
        if self.connection is None:
            self.connection = self._connect()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            content = response.read()
        except BaseException:
            self.close()
            raise
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = http.cookies.SimpleCookie()
            with contextlib.suppress(http.cookies.CookieError):
                cookie.load(header)
            for name, morsel in cookie.items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:  # the server deletes it
                    self.cookies.pop(name, None)
        if response.will_close or not self.keep_alive:
            self.close()
        return response.status, response.headers, content


class _PageParser(html.parser.HTMLParser):
    """Finds the CSRF token of a form and the links inside headings (a listing's items)."""

    def __init__(self):
        super().__init__()
        self.csrf_token = None
        self.heading_links = []
        self._heading_depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in {"h1", "h2", "h3", "h4"}:
            self._heading_depth += 1
        elif tag == "a" and self._heading_depth and attrs.get("href"):
            self.heading_links.append(attrs["href"])
        elif tag == "input" and attrs.get("name") == "csrfmiddlewaretoken":
            self.csrf_token = self.csrf_token or attrs.get("value")

    def handle_endtag(self, tag):
        if tag in {"h1", "h2", "h3", "h4"} and self._heading_depth:
            self._heading_depth -= 1


def parse(body):
    parser = _PageParser()
    parser.feed(body.decode(errors="replace"))
    return parser


def sign_in(target, email, password):
    """Signs in through the allauth form; keeps the session cookie on the target."""
    client = Client(target)
    try:
        status, _, body = client.request("GET", LOGIN_PATH)
        token = parse(body).csrf_token if status == 200 else None
        if not token:
            hint = ""
            if status == 301:
                hint = "; production redirects to HTTPS: add --header 'X-Forwarded-Proto: https'"
            raise SystemExit(
                f"{target.label}: GET {LOGIN_PATH} gave no form (status {status}{hint})"
            )
        status, headers, _ = client.request(
            "POST",
            LOGIN_PATH,
            {"csrfmiddlewaretoken": token, "login": email, "password": password},
        )
        location = headers.get("Location", "")
        if status != 302 or LOGIN_PATH in location:
            raise SystemExit(
                f"{target.label}: signing in as {email} failed (status {status}, to "
                f"{location or 'nowhere'}); has manage.py seed_demo run on this database?"
            )
        status, _, _ = client.request("GET", "/my-events/")
        if status != 200:
            raise SystemExit(f"{target.label}: /my-events/ answered {status} once signed in")
        target.session_cookies = dict(client.cookies)
    finally:
        client.close()


def first_item(target, listing):
    """The path of the first item a listing links to from a heading, or None."""
    client = Client(target)
    try:
        status, _, body = client.request("GET", listing)
    finally:
        client.close()
    if status != 200:
        return None
    for href in parse(body).heading_links:
        parts = urllib.parse.urlsplit(urllib.parse.urljoin(target.base_url + listing, href))
        same_site = parts.netloc in {"", target.netloc}
        if same_site and parts.path.startswith(listing) and parts.path != listing:
            return parts.path
    return None


# --- Load -----------------------------------------------------------------------------------


@dataclass
class Tally:
    """Everything measured for one page kind on one target, over all its rounds."""

    latencies: list = field(default_factory=list)
    errors: dict = field(default_factory=dict)
    wall: float = 0.0

    @property
    def requests_per_second(self):
        return len(self.latencies) / self.wall if self.wall else 0.0

    def error_count(self):
        return sum(self.errors.values())


def load(target, path, cookies, tally, args, *, duration, requests):
    """One round: args.clients clients on one path for ``duration`` s or ``requests`` sends."""
    clients = [
        Client(target, keep_alive=not args.new_connections, cookies=cookies)
        for _ in range(args.clients)
    ]
    lock = threading.Lock()
    sent = 0

    def warm_up(client):
        with contextlib.suppress(OSError, http.client.HTTPException):
            client.request("GET", path)

    def work(client, deadline):
        nonlocal sent
        while True:
            with lock:
                if sent >= requests or time.perf_counter() >= deadline:
                    return
                sent += 1
            started = time.perf_counter()
            try:
                status, _, _ = client.request("GET", path)
                outcome = status
            except (OSError, http.client.HTTPException) as error:
                outcome = type(error).__name__
            latency = time.perf_counter() - started
            with lock:
                if outcome == 200:
                    tally.latencies.append(latency)
                else:
                    tally.errors[outcome] = tally.errors.get(outcome, 0) + 1

    def run_all(function, *extra):
        threads = [
            threading.Thread(target=function, args=(client, *extra), daemon=True)
            for client in clients
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    try:
        run_all(warm_up)
        started = time.perf_counter()
        run_all(work, started + duration)
        tally.wall += time.perf_counter() - started
    finally:
        for client in clients:
            client.close()


def round_order(targets, rounds):
    """Each server ``rounds`` times, A B B A A B ...: a drift in the machine's load evens out."""
    order = []
    for n in range(rounds):
        order.extend(targets if n % 2 == 0 else list(reversed(targets)))
    return order


# --- Figures --------------------------------------------------------------------------------


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def figures(tally):
    """(requests/s, p50 ms, p99 ms, errors) as printed; dashes where nothing was answered."""
    if not tally.latencies:
        return "-", "-", "-", str(tally.error_count())
    return (
        f"{tally.requests_per_second:.1f}",
        f"{percentile(tally.latencies, 0.50) * 1000:.0f}",
        f"{percentile(tally.latencies, 0.99) * 1000:.0f}",
        str(tally.error_count()),
    )


def ratio(a, b):
    try:
        return f"{float(b) / float(a):.2f}"
    except (ValueError, ZeroDivisionError):
        return "-"


def load_average():
    try:
        return ", ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def share_of_bare(tallies, label, name):
    """A page kind's throughput as a share of the bare view's on the same server, or "-"."""
    bare = tallies.get((label, BARE))
    if bare is None or not bare.latencies or name == BARE:
        return "-"
    return f"{tallies[label, name].requests_per_second / bare.requests_per_second:.1%}"


def print_table(plan, tallies, targets):
    if len(targets) == 1:
        (target,) = targets
        print(
            f"{'page kind':<22}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'errors':>8}"
            f"{'of bare':>9}  path"
        )
        for name, path in plan:
            row = [*figures(tallies[target.label, name])]
            row.append(share_of_bare(tallies, target.label, name))
            cells = "".join(f"{cell:>8}" for cell in row[:4])
            print(f"{name:<22}{cells}{row[4]:>9}  {path}")
    else:
        header = ["A req/s", "B req/s", "B/A", "A p50", "B p50", "B/A", "A p99", "B p99", "B/A"]
        header += ["A err", "B err"]
        print(f"{'page kind (ms)':<22}" + "".join(f"{cell:>8}" for cell in header))
        for name, _ in plan:
            a = figures(tallies[targets[0].label, name])
            b = figures(tallies[targets[1].label, name])
            cells = []
            for n in range(3):
                cells += [a[n], b[n], ratio(a[n], b[n])]
            cells += [a[3], b[3]]
            print(f"{name:<22}" + "".join(f"{cell:>8}" for cell in cells))
    for (label, name), tally in tallies.items():
        if tally.errors:
            found = ", ".join(
                f"{key}: {count}" for key, count in sorted(tally.errors.items(), key=str)
            )
            print(f"errors on {label} {name}: {found}")


# --- Run ------------------------------------------------------------------------------------


def write_json(filename, plan, tallies, targets):
    """The figures, for bench/all.py's table."""
    import json

    result = {}
    for target in targets:
        for name, path in plan:
            rps, p50, p99, errors = figures(tallies[target.label, name])
            result.setdefault(target.label, {})[name] = {
                "path": path,
                "requests_per_second": rps,
                "p50_ms": p50,
                "p99_ms": p99,
                "errors": errors,
                "share_of_bare": share_of_bare(tallies, target.label, name),
            }
    with open(filename, "w") as out:
        json.dump(result, out, indent=2)


def loopback_url(parser, url):
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in {"http", "https"} or parts.hostname not in ALLOWED_HOSTS:
        parser.error(f"refusing {url}: only http(s)://127.0.0.1 or localhost may be loaded")
    if parts.path not in {"", "/"} or parts.query or parts.fragment:
        parser.error(f"give the server's base URL without a path: {url}")
    return url


def header(value):
    name, colon, content = value.partition(":")
    if not colon or not name.strip():
        raise argparse.ArgumentTypeError(f"expected 'Name: value', got {value!r}")
    return name.strip(), content.strip()


def bounded(kind, low, high):
    def check(value):
        number = kind(value)
        if not low <= number <= high:
            raise argparse.ArgumentTypeError(f"must be from {low} to {high}")
        return number

    return check


def arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="server A's base URL")
    parser.add_argument("--compare", metavar="URL2", help="server B's base URL, run alongside")
    parser.add_argument(
        "--clients", type=bounded(int, 1, 64), default=8, help="concurrent clients [8]"
    )
    parser.add_argument(
        "--duration",
        type=bounded(float, 0.1, 600),
        default=20,
        help="seconds per page kind and server [20]",
    )
    parser.add_argument(
        "--requests",
        type=bounded(int, 1, 100_000),
        default=5000,
        help="most requests per page kind and server [5000]",
    )
    parser.add_argument(
        "--rounds",
        type=bounded(int, 1, 20),
        help="rounds each page kind's time is split into, alternating servers [2 with "
        "--compare, else 1]",
    )
    parser.add_argument(
        "--kinds",
        type=lambda value: value.split(","),
        default=KIND_NAMES,
        help=f"comma-separated page kinds [all: {','.join(KIND_NAMES)}]",
    )
    parser.add_argument(
        "--header",
        type=header,
        action="append",
        default=[],
        help="extra request header, e.g. 'X-Forwarded-Proto: https' (repeatable)",
    )
    parser.add_argument("--email", default=DEMO_EMAIL, help="account for the -member kinds")
    parser.add_argument("--password", default=DEMO_PASSWORD, help="its password")
    parser.add_argument("--timeout", type=float, default=30, help="seconds per request [30]")
    parser.add_argument(
        "--new-connections", action="store_true", help="a new connection for every request"
    )
    parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE")
    args = parser.parse_args(argv)
    loopback_url(parser, args.url)
    if args.compare:
        loopback_url(parser, args.compare)
    unknown = set(args.kinds) - set(KIND_NAMES)
    if unknown:
        parser.error(f"unknown page kinds: {', '.join(sorted(unknown))}")
    if args.rounds is None:
        args.rounds = 2 if args.compare else 1
    return args


def main(argv=None):
    args = arguments(argv)
    targets = [Target("A", args.url, args.header, args.timeout)]
    if args.compare:
        targets.append(Target("B", args.compare, args.header, args.timeout))
    kinds = [kind for kind in KINDS if kind[0] in args.kinds]

    # Find each detail page and sign in before any load, on every server.
    paths = {}
    for target in targets:
        for name, path, how, _ in kinds:
            paths[target.label, name] = first_item(target, path) if how == DETAIL else path
        if any(member for *_, member in kinds):
            sign_in(target, args.email, args.password)

    connections = "a new connection per request" if args.new_connections else "kept alive"
    print(
        f"load: {args.clients} clients, up to {args.duration:g} s or {args.requests} requests "
        f"per page kind and server, connections {connections}"
    )
    for target in targets:
        print(f"server {target.label}: {target.base_url}")
    if args.header:
        print("headers: " + "; ".join(f"{name}: {value}" for name, value in args.header))
    print(f"load average before: {load_average()} ({os.cpu_count()} cores)")

    plan = []
    tallies = {}
    for name, _, _, member in kinds:
        for target in targets:
            tallies[target.label, name] = Tally()
        missing = [t.label for t in targets if paths[t.label, name] is None]
        if missing:
            print(f"{name}: no item linked from the listing on {', '.join(missing)}; skipped")
            continue
        shown = {paths[t.label, name] for t in targets}
        plan.append((name, " | ".join(sorted(shown))))
        order = round_order(targets, args.rounds)
        # Each server gets the whole bound, shared out over its rounds.
        per_round_duration = args.duration / args.rounds
        per_round_requests = max(1, args.requests // args.rounds)
        for target in order:
            load(
                target,
                paths[target.label, name],
                target.session_cookies if member else {},
                tallies[target.label, name],
                args,
                duration=per_round_duration,
                requests=per_round_requests,
            )
        print(f"  {name} done, load average {load_average()}", file=sys.stderr)

    print(f"load average after:  {load_average()}")
    print()
    print_table(plan, tallies, targets)
    if args.json:
        write_json(args.json, plan, tallies, targets)
    failed = any(tally.errors for tally in tallies.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
