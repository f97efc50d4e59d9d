#!/usr/bin/env python
# ruff: noqa: T201 - a command-line script: printing its figures is its job.
"""Benchmark: search on the engine and on the database, side by side.

    make search-engine
    make bench-search                      # 10,000 and 100,000 documents
    make bench-search BENCH_SEARCH_ARGS="--sizes 2000 --queries 10"

For each size it seeds synthetic search entries in a throwaway SQLite database
(``var/bench-search.sqlite3``, or ``--database-url``), which is the database fallback's index,
then fills a fresh engine index (``<--index>-*``, ``kx_bench-*`` by default) from them, and
prints indexing throughput (documents per second) and p50/p95 latency of a fixed mix of queries
(plain, faceted, filtered, phrase) run through the same selectors the search page uses, and the
practice library's question (``selectors.find``: one page, best first or by title), as a
verified practitioner, with the share of the documents each kind matched on average.
``--backends`` measures the engine, the database or both.
Engine: ``--engine-url`` (default ``SEARCH_URL`` or http://127.0.0.1:9201).

The entries are a mix of every doc type in the proportions of a busy site (forum replies most,
then threads, practices and recommendations; see DOC_TYPES), children pointing at their parent
(``parent_key``) and sharing its audience, over a vocabulary of 400 words drawn with Zipf-like
frequencies: a common word is in most documents, a rare one in few, so queries match realistic
fractions of the index. A third of the entries are public, the rest for registered users,
practitioners, or restricted to organisation kinds or named organisations (some the bench
practitioner's). The same size always gives the same entries and the same questions.
``--reuse`` keeps the entries (and the engine index) between runs; ``--force-merge`` merges the
filled index into one segment first, as a rebuild could.
"""

import argparse
import itertools
import os
import random
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

# The vocabulary: domain words first, then made-up words standing for the long tail of a real
# corpus (names, places, rarer terms). Word n (from 1) is drawn with a weight of
# 1/(n + 5)**1.05, as word frequencies in real text are: a few words are in most documents, most
# are rare, so a query matches a realistic fraction of the index instead of nearly all of it.
DOMAIN_WORDS = """
risk management plan home visit joint police probation offender manager notification
requirements travel abroad port mappa meeting level panel arms assessment review polygraph
licence condition order court breach evidence device monitoring online desistance supervision
accommodation housing victim exclusion zone disclosure scheme training induction mosovo visor
record audit quality referral pathway custody release mental health liaison media protocol
community partner agency sharing information safeguarding children family intelligence
analysis escalation threshold caseload workload officer inspector sergeant analyst
coordinator prison hostel approved premises curfew tag electronic location data retention
consent interview recall warrant arrest charge sentence conviction registration register
notice passport border airport ferry vessel employment volunteer education school college
university placement relationship partnership contract commissioning budget funding cost
outcome measure indicator survey feedback consultation briefing report finding
recommendation inspection thematic national regional local force region service unit team
""".split()  # noqa: SIM905 - a word list is easier to read as prose
_SYLLABLES = ["ka", "lo", "mi", "ru", "te", "vo", "san", "del", "bri", "gon", "pha", "tur"]
FILLER_WORDS = [a + b + c for a in _SYLLABLES for b in _SYLLABLES for c in ("x", "q", "z")]
WORDS = DOMAIN_WORDS + random.Random(7).sample(FILLER_WORDS, 400 - len(DOMAIN_WORDS))
# Zipf-Mandelbrot: the offset keeps the commonest words from being in every document.
ZIPF_S, ZIPF_OFFSET = 1.05, 5
CUMULATIVE = list(
    itertools.accumulate(1 / (rank + ZIPF_OFFSET) ** ZIPF_S for rank in range(1, len(WORDS) + 1))
)
TOPICS = [
    "mappa",
    "risk-assessment",
    "home-visits",
    "training",
    "court-orders",
    "travelling-abroad",
    "online-offending",
    "housing",
    "victims",
    "polygraph",
    "disclosure",
    "partnership-working",
]
DOES_IT_WORK = ["worked", "promising", "untested", "did_not_work"]
STAGES = ["untested", "evaluated_locally", "independently_evaluated"]
KINDS = ["police_force", "probation_region", "national_body", "other"]
# Who may see an entry: (audience, weight). Restricted entries name organisation kinds or
# organisations, some of them the bench practitioner's (kent-police, a police force).
AUDIENCES = [("public", 30), ("registered", 20), ("practitioners", 35), ("restricted", 15)]
ORGANISATIONS = 30  # bench organisations, besides kent-police
# (doc_type, share of the documents, body length range in words, has a title, practice facets)
DOC_TYPES = [
    ("practice", 12, (250, 600)),
    ("briefing", 3, (300, 900)),
    ("recommendation", 12, (30, 120)),
    ("event", 4, (80, 250)),
    ("session", 9, (30, 120)),
    ("thread", 15, (20, 200)),
    ("post", 45, (10, 150)),
]
# Each parent type's children (parent_key points at a parent entry of the same batch).
PARENTS = {"recommendation": "briefing", "session": "event", "post": "thread"}


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=20, help="runs of each query kind")
    parser.add_argument(
        "--engine-url", default=os.environ.get("SEARCH_URL") or "http://127.0.0.1:9201"
    )
    parser.add_argument(
        "--database-url",
        default=f"sqlite:///{BASE_DIR / 'var' / 'bench-search.sqlite3'}",
    )
    parser.add_argument(
        "--backends",
        nargs="+",
        choices=["engine", "database"],
        default=["engine", "database"],
        help="measure only these (the database alone needs no engine)",
    )
    parser.add_argument(
        "--force-merge",
        action="store_true",
        help="merge the filled index into one segment before measuring (what a rebuild could "
        "do before it moves the alias; see docs/performance.md)",
    )
    parser.add_argument(
        "--index",
        default="kx_bench",
        help="the engine alias to fill and ask (its versioned indexes are replaced): one of "
        "your own on a shared engine",
    )
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs of each kind first")
    parser.add_argument(
        "--reuse",
        choices=["database", "all"],
        help="keep the seeded entries when there are as many as the size asks (and with "
        "'all' the engine index too), and keep both afterwards: for repeated runs",
    )
    return parser.parse_args()


def setup(args):
    os.environ["DJANGO_SETTINGS_MODULE"] = "kx_site.settings.dev"
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["SEARCH_URL"] = ""
    import django

    django.setup()
    from django.core.management import call_command

    (BASE_DIR / "var").mkdir(exist_ok=True)
    call_command("migrate", verbosity=0)


def words(rng, n):
    return " ".join(rng.choices(WORDS, cum_weights=CUMULATIVE, k=n))


def organisations():
    """kent-police (the bench practitioner's) and ORGANISATIONS others: [(id, slug, kind)]."""
    from accounts.models import Organisation

    found = [Organisation.objects.get(slug="kent-police")]
    for n in range(ORGANISATIONS):
        organisation, _ = Organisation.objects.get_or_create(
            slug=f"bench-organisation-{n}",
            defaults={"name": f"Bench organisation {n}", "kind": KINDS[n % len(KINDS)]},
        )
        found.append(organisation)
    return [(o.pk, o.slug, o.kind) for o in found]


def audience(rng, orgs):
    """(audience, restricted kinds, restricted organisation ids) drawn from AUDIENCES."""
    name = rng.choices([a for a, _ in AUDIENCES], weights=[w for _, w in AUDIENCES])[0]
    if name != "restricted":
        return name, [], []
    if rng.random() < 0.5:
        return name, rng.sample(KINDS, rng.randint(1, 2)), []
    return name, [], [pk for pk, _slug, _kind in rng.sample(orgs, rng.randint(1, 3))]


def seed(size, rng):
    """Replace the search entries with ``size`` synthetic ones of every doc type; returns the
    rate in entries per second. Children (recommendations, sessions, forum replies) point at a
    parent of their type (``parent_key``) and share its audience and topics, as the real
    documents (search/documents/*.py) do."""
    from django.utils import timezone

    from search.models import SearchEntry

    through = SearchEntry.restricted_to_organisations.through
    through.objects.all().delete()
    SearchEntry.objects.all().delete()
    orgs = organisations()
    now = timezone.now()
    started = time.perf_counter()
    types = [doc_type for doc_type, share, _ in DOC_TYPES for _ in range(share)]
    lengths = {doc_type: span for doc_type, _share, span in DOC_TYPES}
    parents = {}  # doc_type -> [(key, audience fields, topics)] of the last few parents
    batch, links = [], []

    def flush():
        created = SearchEntry.objects.bulk_create(batch)
        through.objects.bulk_create(
            through(searchentry_id=created[i].pk, organisation_id=org)
            for i, org_ids in links
            for org in org_ids
        )
        batch.clear()
        links.clear()

    for n in range(size):
        doc_type = types[n % len(types)]
        parent_type = PARENTS.get(doc_type)
        if parent_type and parents.get(parent_type):
            parent_key, (aud, kinds, org_ids), topics = rng.choice(parents[parent_type])
        else:
            parent_key, (aud, kinds, org_ids) = "", audience(rng, orgs)
            topics = (
                rng.sample(TOPICS, rng.randint(1, 3)) if doc_type not in ("thread", "post") else []
            )
        when = now - timezone.timedelta(days=rng.randint(0, 11 * 365), minutes=n % 1440)
        body = words(rng, rng.randint(*lengths[doc_type]))
        title = "" if doc_type == "post" else words(rng, rng.randint(3, 9)).capitalize()
        entry = SearchEntry(
            key=f"{doc_type}:{n}",
            parent_key=parent_key,
            doc_type=doc_type,
            title=title,
            summary=body[:300] if doc_type in ("thread", "post") else words(rng, 25),
            body=body,
            topic_names=" ".join(t.replace("-", " ") for t in topics),
            topics=f",{','.join(topics)}," if topics else "",
            year=when.year,
            date=when,
            object_id=n,
            published_at=when,
            url=f"/bench/{doc_type}/{n}/",
            audience=aud,
            restricted_to_kinds=kinds,
            marking="official",
        )
        if doc_type == "practice":
            _pk, slug, kind = rng.choice(orgs)
            entry.does_it_work = rng.choice(DOES_IT_WORK)
            entry.evidence_stage = rng.choice(STAGES)
            entry.organisation_kind = kind
            entry.organisation = slug
            entry.listing_rank = rng.randint(11, 34)
        if doc_type in PARENTS.values():
            recent = parents.setdefault(doc_type, [])
            recent.append((entry.key, (aud, kinds, org_ids), topics))
            del recent[:-20]
        if org_ids:
            links.append((len(batch), org_ids))
        batch.append(entry)
        if len(batch) == 2000:
            flush()
    flush()
    return size / (time.perf_counter() - started)


def drop_indexes(engine, alias):
    from search.index import is_versioned_index

    for old in engine.indices(f"{alias}-*"):
        if is_versioned_index(old, alias):
            engine.delete_index(old)


def fill_engine(engine, alias):
    from search import services
    from search.index import index_body, new_index_name

    drop_indexes(engine, alias)
    name = new_index_name(alias)
    engine.create_index(name, index_body(name))
    started = time.perf_counter()
    sent = services.search_engine_fill(engine=engine, index=name)
    rate = sent / (time.perf_counter() - started)
    engine.point_alias(alias, name)
    return rate


def phrases(rng, count=200):
    """Two-word phrases from the seeded titles, as someone quotes words they have seen."""
    from search.models import SearchEntry

    titles = SearchEntry.objects.exclude(title="").order_by("key").values_list("title", flat=True)
    found = []
    for title in rng.sample(list(titles[: count * 10]), count):
        title = title.lower().split()
        start = rng.randrange(len(title) - 1)
        found.append(" ".join(title[start : start + 2]))
    return found


def query_mix(rng, size):
    """Each kind's query maker. Words come from the domain vocabulary, common and rare alike."""
    from search.queries import SearchQuery

    quoted = phrases(rng)
    years = sorted({2026 - n for n in range(11)})
    return {
        "plain": lambda: SearchQuery(
            text=f"{rng.choice(DOMAIN_WORDS)} {rng.choice(DOMAIN_WORDS)}"
        ),
        "faceted": lambda: SearchQuery(
            text=rng.choice(DOMAIN_WORDS), filters={"topic": (rng.choice(TOPICS),)}
        ),
        "filtered": lambda: SearchQuery(
            text=rng.choice(DOMAIN_WORDS),
            filters={"does_it_work": ("worked",), "year": (rng.choice(years),)},
            sort="date",
        ),
        "phrase": lambda: SearchQuery(text=f'"{rng.choice(quoted)}"'),
        # The practice library's question (``selectors.find``): a page of its matches, best
        # first, their total and the facets; then sorted by title (a field sort).
        "library": lambda: SearchQuery(
            text=rng.choice(DOMAIN_WORDS), filters={"type": ("practice",)}
        ),
        "lib-title": lambda: SearchQuery(
            text=rng.choice(DOMAIN_WORDS), filters={"type": ("practice",)}, sort="title"
        ),
    }


def percentiles(samples):
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def practitioner():
    from allauth.account.models import EmailAddress
    from django.utils import timezone

    from accounts.models import Organisation, User

    user, _ = User.objects.get_or_create(
        email="bench.search@kent.police.uk",
        defaults={
            "organisation": Organisation.objects.get(slug="kent-police"),
            "verified_at": timezone.now(),
        },
    )
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


def indexed(engine, alias):
    """How many documents the bench index holds (None without one)."""
    from search.engine import EngineUnavailable

    try:
        response = engine.search(alias, {"size": 0, "track_total_hits": True})
    except EngineUnavailable:
        return None
    return response["hits"]["total"]["value"]


def matched(results):
    """How many documents a question matched (the library's answer may list only a page)."""
    total = getattr(results, "total", None)
    return total if total is not None else len(results.keys)


def main():
    args = arguments()
    setup(args)
    from django.conf import settings

    from search import selectors
    from search.engine import connect
    from search.models import SearchEntry

    use_engine = "engine" in args.backends
    engine = connect(args.engine_url, timeout=60) if use_engine else None
    user = practitioner()
    print(
        f"backends: {', '.join(args.backends)}; engine: {args.engine_url}; "
        f"database: {args.database_url}"
    )
    settings.SEARCH_INDEX = args.index
    settings.SEARCH_TIMEOUT = 60
    for size in args.sizes:
        print(f"\n{size:,} documents")
        # The same documents and questions for a size on every run, whatever ran before.
        rng = random.Random(f"seed-{size}")
        reuse = args.reuse and SearchEntry.objects.count() == size
        indexing = []
        if not reuse:
            indexing.append(f"database {seed(size, rng):,.0f} docs/s")
        if use_engine and not (
            reuse and args.reuse == "all" and indexed(engine, args.index) == size
        ):
            indexing.append(f"engine {fill_engine(engine, args.index):,.0f} docs/s")
        if use_engine and args.force_merge:
            started = time.perf_counter()
            engine.force_merge(args.index)
            indexing.append(f"merged in {time.perf_counter() - started:,.0f} s")
        print(f"  indexing: {', '.join(indexing) or 'reused'}")
        header = "".join(f" {b + ' p50':>13} {'p95':>8} {'matched':>8}" for b in args.backends)
        print(f"  {'query':<10}{header}")
        rng = random.Random(f"queries-{size}")
        for kind, make in query_mix(rng, size).items():
            ask = selectors.find if kind.startswith("lib") else selectors.search
            questions = [make() for _ in range(args.warmup + args.queries)]
            timings = {backend: [] for backend in args.backends}
            found = {backend: [] for backend in args.backends}
            for n, query in enumerate(questions):
                for backend in args.backends:
                    settings.SEARCH_URL = args.engine_url if backend == "engine" else ""
                    started = time.perf_counter()
                    results = ask(query, user)
                    elapsed = time.perf_counter() - started
                    assert backend == "database" or results.source == "engine"
                    if n >= args.warmup:
                        timings[backend].append(elapsed)
                        found[backend].append(matched(results))
            cells = ""
            for backend in args.backends:
                p50, p95 = percentiles(timings[backend])
                share = statistics.mean(found[backend]) / size
                cells += f" {p50:>11.0f}ms {p95:>6.0f}ms {share:>8.1%}"
            print(f"  {kind:<10}{cells}")
    if use_engine and not args.reuse:
        drop_indexes(engine, args.index)


if __name__ == "__main__":
    main()
