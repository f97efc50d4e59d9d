#!/usr/bin/env python
# ruff: noqa: T201 - a command-line script: printing its figures is its job.
"""Benchmark: search on the engine and on the database, side by side.

    make search-engine
    make bench-search                      # 10,000 and 100,000 documents
    make bench-search BENCH_SEARCH_ARGS="--sizes 2000 --queries 10"

For each size it seeds synthetic search entries in a throwaway SQLite database
(``var/bench-search.sqlite3``, or ``--database-url``), which is the database fallback's index,
then fills a fresh engine index (``kx_bench-*``) from them, and prints indexing throughput
(documents per second) and p50/p95 latency of a fixed mix of queries (plain, faceted, filtered,
phrase) run through the same selectors the search page uses, and the practice library's
question (every matching id and the facets, ``selectors.find``), as a verified practitioner.
Engine: ``--engine-url`` (default ``SEARCH_URL`` or http://127.0.0.1:9201).
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

WORDS = [
    "risk",
    "management",
    "plan",
    "home",
    "visit",
    "joint",
    "police",
    "probation",
    "offender",
    "manager",
    "notification",
    "requirements",
    "travel",
    "abroad",
    "port",
    "mappa",
    "meeting",
    "level",
    "panel",
    "arms",
    "assessment",
    "review",
    "polygraph",
    "licence",
    "condition",
    "order",
    "court",
    "breach",
    "evidence",
    "device",
    "monitoring",
    "online",
    "desistance",
    "supervision",
    "accommodation",
    "housing",
    "victim",
    "exclusion",
    "zone",
    "disclosure",
    "scheme",
    "training",
    "induction",
    "mosovo",
    "visor",
    "record",
    "audit",
    "quality",
    "referral",
    "pathway",
    "custody",
    "release",
    "mental",
    "health",
    "liaison",
    "media",
    "protocol",
    "community",
    "partner",
    "agency",
    "sharing",
    "information",
]
TOPICS = ["mappa", "risk", "home-visits", "training", "court-orders", "travelling-abroad"]
DOES_IT_WORK = ["worked", "promising", "untested", "did_not_work"]
STAGES = ["untested", "evaluated_locally", "independently_evaluated"]
KINDS = ["police_force", "probation_region", "national_body"]
AUDIENCES = ["public", "registered", "practitioners"]


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


def sentence(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def seed(size, rng):
    from django.utils import timezone

    from search.models import SearchEntry

    SearchEntry.objects.all().delete()
    now = timezone.now()
    started = time.perf_counter()
    batch = []
    for n in range(size):
        when = now.replace(year=2015 + n % 11)
        topics = rng.sample(TOPICS, 2)
        batch.append(
            SearchEntry(
                key=f"practice:{n}",
                doc_type="practice",
                title=sentence(rng, 6).capitalize(),
                summary=sentence(rng, 25),
                body=sentence(rng, 200),
                topic_names=" ".join(topics),
                topics=f",{','.join(topics)},",
                does_it_work=rng.choice(DOES_IT_WORK),
                evidence_stage=rng.choice(STAGES),
                organisation_kind=rng.choice(KINDS),
                organisation="kent-police",
                year=when.year,
                date=when,
                url=f"/library/bench-{n}/",
                audience=rng.choice(AUDIENCES),
                marking="official",
            )
        )
        if len(batch) == 2000:
            SearchEntry.objects.bulk_create(batch)
            batch = []
    SearchEntry.objects.bulk_create(batch)
    return size / (time.perf_counter() - started)


def fill_engine(engine):
    from search import services
    from search.index import index_body, new_index_name

    for old in engine.indices("kx_bench*"):
        engine.delete_index(old)
    name = new_index_name("kx_bench")
    engine.create_index(name, index_body(name))
    started = time.perf_counter()
    sent = services.search_engine_fill(engine=engine, index=name)
    rate = sent / (time.perf_counter() - started)
    engine.point_alias("kx_bench", name)
    return rate


def query_mix(rng):
    from search.queries import SearchQuery

    return {
        "plain": lambda: SearchQuery(text=f"{rng.choice(WORDS)} {rng.choice(WORDS)}"),
        "faceted": lambda: SearchQuery(
            text=rng.choice(WORDS), filters={"topic": (rng.choice(TOPICS),)}
        ),
        "filtered": lambda: SearchQuery(
            text=rng.choice(WORDS),
            filters={"does_it_work": ("worked",), "year": (2020,)},
            sort="date",
        ),
        "phrase": lambda: SearchQuery(text=f'"{rng.choice(WORDS)} {rng.choice(WORDS)}"'),
        # The practice library's question: every matching id (up to 10,000) and the facets.
        "library": lambda: SearchQuery(text=rng.choice(WORDS), filters={"type": ("practice",)}),
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


def main():
    args = arguments()
    setup(args)
    from django.conf import settings

    from search import selectors
    from search.engine import connect

    engine = connect(args.engine_url, timeout=60)
    user = practitioner()
    rng = random.Random(2026)
    print(f"engine: {args.engine_url}; database: {args.database_url}")
    for size in args.sizes:
        print(f"\n{size:,} documents")
        db_rate = seed(size, rng)
        engine_rate = fill_engine(engine)
        print(f"  indexing: database {db_rate:,.0f} docs/s, engine {engine_rate:,.0f} docs/s")
        print(f"  {'query':<10} {'engine p50':>11} {'p95':>8} {'database p50':>13} {'p95':>8}")
        for kind, make in query_mix(rng).items():
            timings = {"engine": [], "database": []}
            for _ in range(args.queries):
                query = make()
                for backend in ("engine", "database"):
                    settings.SEARCH_URL = args.engine_url if backend == "engine" else ""
                    settings.SEARCH_INDEX = "kx_bench"
                    settings.SEARCH_TIMEOUT = 60
                    started = time.perf_counter()
                    ask = selectors.find if kind == "library" else selectors.search
                    results = ask(query, user)
                    timings[backend].append(time.perf_counter() - started)
                    assert backend == "database" or results.source == "engine"
            e50, e95 = percentiles(timings["engine"])
            d50, d95 = percentiles(timings["database"])
            print(f"  {kind:<10} {e50:>9.0f}ms {e95:>6.0f}ms {d50:>11.0f}ms {d95:>6.0f}ms")
    for old in engine.indices("kx_bench*"):
        engine.delete_index(old)


if __name__ == "__main__":
    main()
