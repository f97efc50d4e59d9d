#!/usr/bin/env python
# ruff: noqa: T201 - a command-line script: printing its figures is its job.
"""Ranking quality of the engine, PostgreSQL and SQLite on the graded judged set, side by side.

    .venv/bin/python bench/ranking.py \\
        --database-url postgres://kx:kx@127.0.0.1:5432/kx_ranking \\
        --engine-url http://127.0.0.1:9201

Runs ``tests/search/test_ranking_judged.py`` once per backend (each in its own pytest process,
since a process has one database): SQLite (the test settings' default), PostgreSQL
(``--database-url``, whose ``test_<name>`` database pytest creates) and the engine
(``--engine-url``, with PostgreSQL under it when a database URL is given). Each run indexes the
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


def run(backend, args):
    """The figures of one pytest run on ``backend``, and whether its checks passed."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SEARCH_URL")}
    if backend in ("postgresql", "engine") and args.database_url:
        env["DATABASE_URL"] = args.database_url
    if backend == "engine":
        env["SEARCH_URL"] = args.engine_url
    param = "engine" if backend == "engine" else "database"
    command = [
        str(BASE_DIR / ".venv" / "bin" / "pytest"),
        *("-n", "0", "-q", "-s", "-p", "no:cacheprovider"),
        f"{TEST}[{param}]",
    ]
    print(f"running {backend}…", file=sys.stderr)
    done = subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RANKING ")]
    if not lines:
        sys.exit(f"{backend}: no figures\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    figures = json.loads(lines[-1].removeprefix("RANKING "))
    if figures["backend"] != backend:
        sys.exit(f"asked for {backend}, measured {figures['backend']}: check --database-url")
    return figures, done.returncode == 0


def main():
    args = arguments()
    backends = [
        b
        for b in args.backends
        if not (b == "postgresql" and not args.database_url.startswith("postgres"))
        and not (b == "engine" and not args.engine_url)
    ]
    results, passed = {}, True
    for backend in backends:
        results[backend], ok = run(backend, args)
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
