#!/usr/bin/env python
# ruff: noqa: T201 - a command-line script: printing its figures is its job.
"""Every benchmark in one run, against one running server, and one table of the figures.

Start the production stack with the bare view routed, on PostgreSQL, then run::

    KX_BENCH_VIEWS=true DATABASE_URL=postgres://kx:kx@127.0.0.1:5432/kx_bench \\
        make serve HOST=127.0.0.1 PORT=8300 &
    DATABASE_URL=postgres://kx:kx@127.0.0.1:5432/kx_bench \\
        make bench-all BENCH_ARGS="--url http://127.0.0.1:8300"

In turn it runs, each as its own process, with its own output kept:

1. ``bench/load.py``: every page kind, anonymous and signed in, against the bare view;
2. ``bench/registration.py``: a burst of registrations for a conference, then a steady rate
   (needs the server's DATABASE_URL: it creates and removes its own events and users);
3. ``bench/search.py``: search on the engine and on the database at the given sizes (its own
   throwaway data; the engine at ``SEARCH_URL``, ``--search-backends database`` without one).

and writes ``var/bench/results.md`` (or ``--out``): the load table in Markdown, then each
benchmark's printed figures. ``--skip`` leaves benchmarks out; ``--quick`` shortens them all.
"""

import argparse
import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BENCHMARKS = ["load", "registration", "search"]


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8300", help="the running server")
    parser.add_argument("--out", default=str(BASE_DIR / "var" / "bench" / "results.md"))
    parser.add_argument("--skip", nargs="*", choices=BENCHMARKS, default=[])
    parser.add_argument("--quick", action="store_true", help="short runs, for a first look")
    parser.add_argument("--load-args", default="", help="more arguments for bench/load.py")
    parser.add_argument(
        "--registration-args", default="", help="more arguments for bench/registration.py"
    )
    parser.add_argument("--search-args", default="", help="more arguments for bench/search.py")
    parser.add_argument(
        "--search-backends",
        nargs="+",
        choices=["engine", "database"],
        default=["engine", "database"] if os.environ.get("SEARCH_URL") else ["database"],
    )
    parser.add_argument("--header", action="append", default=[], help="passed to load.py")
    return parser.parse_args()


def run(title, command, report):
    """Runs one benchmark, shows its output as it comes, and keeps it for the report."""
    print(f"\n=== {title}: {shlex.join(command)}", flush=True)
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    for line in process.stdout:
        print(line, end="", flush=True)
        lines.append(line)
    returncode = process.wait()
    seconds = time.perf_counter() - started
    status = "ok" if returncode == 0 else f"FAILED (exit {returncode})"
    report.append(f"## {title}\n\n`{shlex.join(command)}`: {status}, {seconds:.0f} s\n")
    report.append("```\n" + "".join(lines).rstrip() + "\n```\n")
    return returncode


def load_table(figures_file):
    """The load figures as a Markdown table."""
    figures = json.loads(Path(figures_file).read_text())["A"]
    rows = [
        "| page kind | req/s | p50 ms | p99 ms | errors | of bare | path |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, row in figures.items():
        rows.append(
            f"| {name} | {row['requests_per_second']} | {row['p50_ms']} | {row['p99_ms']} "
            f"| {row['errors']} | {row['share_of_bare']} | `{row['path']}` |"
        )
    return "\n".join(rows) + "\n"


def main():
    args = arguments()
    python = sys.executable
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    report = [
        f"# KX benchmarks, {time.strftime('%Y-%m-%d %H:%M')}\n",
        f"Server {args.url}; {os.cpu_count()} cores; load average before "
        f"{', '.join(f'{v:.2f}' for v in os.getloadavg())}.\n",
    ]
    failures = 0

    if "load" not in args.skip:
        figures_file = out.with_suffix(".load.json")
        command = [python, "bench/load.py", "--url", args.url, "--json", str(figures_file)]
        if args.quick:
            command += ["--duration", "3"]
        for header in args.header:
            command += ["--header", header]
        command += shlex.split(args.load_args)
        failures += run("Pages (bench/load.py)", command, report) != 0
        if figures_file.exists():
            report.insert(2, "## Pages\n\n" + load_table(figures_file))

    if "registration" not in args.skip:
        command = [python, "bench/registration.py", "--url", args.url]
        if args.quick:
            command += ["--places", "40", "--users", "100"]
        command += shlex.split(args.registration_args)
        failures += run("Registration (bench/registration.py)", command, report) != 0

    if "search" not in args.skip:
        sizes = ["2000"] if args.quick else ["10000", "100000"]
        command = [python, "bench/search.py", "--sizes", *sizes]
        command += ["--backends", *args.search_backends]
        if args.quick:
            command += ["--queries", "5"]
        command += shlex.split(args.search_args)
        failures += run("Search (bench/search.py)", command, report) != 0

    report.append(f"Load average after: {', '.join(f'{v:.2f}' for v in os.getloadavg())}.\n")
    out.write_text("\n".join(report))
    print(f"\nwrote {out}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
