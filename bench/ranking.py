#!/usr/bin/env python
# ruff: noqa: T201 - a command-line script: printing its figures is its job.
"""Ranking quality of the engine, PostgreSQL and SQLite on the graded judged set, side by side.

    .venv/bin/python bench/ranking.py \\
        --database-url postgres://kx:kx@127.0.0.1:5432/kx_ranking \\
        --engine-url http://127.0.0.1:9201

Runs ``tests/search/test_ranking_judged.py`` on each backend: SQLite (the test settings'
default) in one pytest process, then PostgreSQL (``--database-url``, whose ``test_<name>``
database pytest creates) and the engine (``--engine-url``, with PostgreSQL under it when a
database URL is given) together in a second one (a process has one database). Each run indexes the
judged corpus (``tests/search/judged_graded.py``) through the search services, asks every query
through ``selectors.search`` and prints its figures on a ``RANKING {json}`` line; this script
reads those lines and prints a Markdown table of nDCG@10 per query and the means of nDCG@10,
precision@5 and MRR, then each backend's weakest queries with its top results. A backend without
a URL is left out (``--backends`` chooses). Exits 1 if a run's floor or must-win check failed.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
TEST = "tests/search/test_ranking_judged.py::test_ranking_stays_above_the_floor"
LABELS = {"engine": "Engine", "postgresql": "PostgreSQL", "sqlite": "SQLite"}
WEAK = 0.9  # queries below this nDCG@10 are listed under the table


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="a PostgreSQL URL for the PostgreSQL column (and under the engine)",
    )
    parser.add_argument("--engine-url", default=os.environ.get("SEARCH_URL", ""))
    parser.add_argument(
        "--backends",
        nargs="+",
        choices=list(LABELS),
        default=list(LABELS),
    )
    return parser.parse_args()


def run(backends, args):
    """The figures of one pytest run on ``backends`` ({backend: figures}), and whether its
    checks passed. PostgreSQL and the engine (over PostgreSQL) share a run: one test database
    to create, and one corpus (the test builds it once per module)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SEARCH_URL")}
    if {"postgresql", "engine"} & set(backends) and args.database_url:
        env["DATABASE_URL"] = args.database_url
    if "engine" in backends:
        env["SEARCH_URL"] = args.engine_url
    params = ["engine" if backend == "engine" else "database" for backend in backends]
    command = [
        str(BASE_DIR / ".venv" / "bin" / "pytest"),
        *("-n", "0", "-q", "-s", "-p", "no:cacheprovider"),
        *(f"{TEST}[{param}]" for param in params),
    ]
    print(f"running {' and '.join(backends)}…", file=sys.stderr)
    done = subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RANKING ")]
    found = {}
    for line in lines:
        figures = json.loads(line.removeprefix("RANKING "))
        found[figures["backend"]] = figures
    for backend in backends:
        if backend not in found:
            sys.exit(
                f"{backend}: no figures (measured {', '.join(found) or 'nothing'}: check "
                f"--database-url)\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
            )
    return found, done.returncode == 0


def runs(backends):
    """The backends in pytest runs: SQLite alone, PostgreSQL with the engine (a process has
    one database, and the engine runs over the PostgreSQL one when a URL is given)."""
    together = [b for b in backends if b in ("postgresql", "engine")]
    alone = [[b] for b in backends if b not in together]
    return alone + ([together] if together else [])


def main():
    args = arguments()
    backends = [
        b
        for b in args.backends
        if not (b == "postgresql" and not args.database_url.startswith("postgres"))
        and not (b == "engine" and not args.engine_url)
    ]
    results, passed = {}, True
    for group in runs(backends):
        found, ok = run(group, args)
        results.update(found)
        passed &= ok
    queries = list(next(iter(results.values()))["queries"])
    header = "| query | " + " | ".join(LABELS[b] for b in backends) + " |"
    print(header)
    print("|" + "---|" * (len(backends) + 1))
    for query in queries:
        cells = " | ".join(f"{results[b]['queries'][query]['ndcg']:.2f}" for b in backends)
        print(f"| `{query}` | {cells} |")
    for metric, label in (("ndcg", "mean nDCG@10"), ("p5", "mean precision@5"), ("mrr", "MRR")):
        cells = " | ".join(f"**{results[b][metric]:.3f}**" for b in backends)
        print(f"| {label} | {cells} |")
    for backend in backends:
        weak = [(q, f) for q, f in results[backend]["queries"].items() if f["ndcg"] < WEAK]
        print(f"\n{LABELS[backend]}: {len(weak)} queries below {WEAK} nDCG@10")
        for query, found in weak:
            top = ", ".join(found["top"][:3]) or "nothing"
            print(f"  {query!r}: {found['ndcg']:.2f} (top: {top})")
    if not passed:
        print("\na floor or must-win check failed (run the test for details)", file=sys.stderr)
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
