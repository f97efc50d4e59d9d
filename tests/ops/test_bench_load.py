"""bench/load.py: it loads only this machine, stops by itself, and measures real pages."""

import importlib.util
from pathlib import Path

import pytest

from kx_site.audience import Audience
from tests.events.factories import EventPageFactory
from tests.factories import PASSWORD, PractitionerFactory

# The live server answers from committed data, the seeded organisations included.
live_data = pytest.mark.django_db(transaction=True, serialized_rollback=True)
LOAD_SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "load.py"


@pytest.fixture(scope="module")
def bench_load():
    spec = importlib.util.spec_from_file_location("bench_load", LOAD_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org",
        "http://10.0.0.1:8000",
        "http://127.0.0.1@evil.example",
        "http://localhost.evil.example:8000",
        "ftp://127.0.0.1",
    ],
)
def test_any_host_but_this_machine_is_refused(bench_load, url, capsys):
    with pytest.raises(SystemExit) as refused:
        bench_load.arguments(["--url", url])
    assert refused.value.code == 2
    assert "refusing" in capsys.readouterr().err

    with pytest.raises(SystemExit):
        bench_load.arguments(["--url", "http://127.0.0.1:8300", "--compare", url])


def test_this_machine_is_accepted(bench_load):
    args = bench_load.arguments(
        ["--url", "http://127.0.0.1:8300", "--compare", "http://localhost:8301"]
    )
    assert (args.url, args.compare, args.rounds) == (
        "http://127.0.0.1:8300",
        "http://localhost:8301",
        2,
    )


def test_compared_servers_take_turns(bench_load):
    a, b = object(), object()
    assert bench_load.round_order([a, b], 3) == [a, b, b, a, a, b]
    assert bench_load.round_order([a], 2) == [a, a]


@live_data
def test_a_round_stops_at_its_request_count(bench_load, live_server):
    target = bench_load.Target("A", live_server.url, [], timeout=10)
    args = bench_load.arguments(["--url", "http://127.0.0.1:1", "--clients", "3"])
    tally = bench_load.Tally()

    bench_load.load(target, "/healthz", {}, tally, args, duration=60, requests=7)

    assert len(tally.latencies) + tally.error_count() == 7
    assert tally.errors == {}


@live_data
def test_a_round_stops_at_its_duration(bench_load, live_server):
    target = bench_load.Target("A", live_server.url, [], timeout=10)
    args = bench_load.arguments(["--url", "http://127.0.0.1:1", "--clients", "2"])
    tally = bench_load.Tally()

    bench_load.load(target, "/healthz", {}, tally, args, duration=0.3, requests=100_000)

    assert 0 < len(tally.latencies) < 100_000
    assert tally.wall >= 0.3


@live_data
def test_finds_a_detail_page_and_signs_in_through_the_form(bench_load, live_server, capsys):
    event = EventPageFactory(audience=Audience.PUBLIC)
    practitioner = PractitionerFactory()

    status = bench_load.main(
        [
            "--url",
            live_server.url,
            "--clients",
            "2",
            "--duration",
            "0.2",
            "--kinds",
            "events,event,my-events",
            "--email",
            practitioner.email,
            "--password",
            PASSWORD,
        ]
    )

    printed = capsys.readouterr().out
    assert status == 0
    rows = {line.split()[0]: line.split() for line in printed.splitlines()[-3:]}
    assert rows["event"][-1] == event.url
    assert rows["my-events"][-1] == "/my-events/"
    assert all(row[4] == "0" for row in rows.values())  # no errors


@live_data
def test_a_wrong_password_stops_the_run_before_any_load(bench_load, live_server):
    practitioner = PractitionerFactory()

    with pytest.raises(SystemExit, match="signing in as"):
        bench_load.main(
            [
                "--url",
                live_server.url,
                "--kinds",
                "my-events",
                "--email",
                practitioner.email,
                "--password",
                "not-the-password",
            ]
        )
