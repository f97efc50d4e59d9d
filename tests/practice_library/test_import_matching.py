"""Tolerant topic and organisation names in imports: loose matching, aliases, "did you mean",
and ``--create-topics``."""

import io

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Organisation
from practice_library.importing import _Lookups, normalise, validate_rows
from practice_library.models import ImportAlias, PracticePage, Topic

from .test_import import row, run, write_csv

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Avon & Somerset Constabulary", "Avon and Somerset Constabulary"),
        ("  avon  and somerset   constabulary ", "Avon and Somerset Constabulary"),
        ("Avon and Somerset Police", "Avon and Somerset Constabulary"),
        ("KENT POLICE", "Kent Police"),
        ("Kent Constabulary", "Kent Police"),
        ("kent-police", "Kent Police"),
        ("Metropolitan Police", "Metropolitan Police Service"),
        ("Met Police Service", "Metropolitan Police Service"),
        ("the Met", "Metropolitan Police Service"),
        ("Dyfed Powys Police", "Dyfed-Powys Police"),
        ("National Police Chiefs Council", "National Police Chiefs' Council"),
        ("London Probation", "Probation Service – London"),
        ("Probation Service - London", "Probation Service – London"),
        ("HMPPS", "HM Prison and Probation Service"),
        # Part of one organisation's name, and of no other's.
        ("Avon & Somerset", "Avon and Somerset Constabulary"),
        ("Metropolitan", "Metropolitan Police Service"),
    ],
)
def test_organisation_names_match_loosely(written, expected):
    assert str(_Lookups().organisations.find(written)) == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("mappa", "MAPPA"),
        ("Mappa ", "MAPPA"),
        ("home visit", "Home visits"),
        ("Home-Visits", "Home visits"),
        ("Risk assessment & management", "Risk assessment and management"),
        ("PDPs", "Potentially dangerous persons (PDPs)"),
        ("potentially dangerous persons", "Potentially dangerous persons (PDPs)"),
        ("ViSOR", "Public protection information"),
        ("Joint police & probation working", "Joint police and probation working"),
    ],
)
def test_topic_names_match_loosely(written, expected):
    assert str(_Lookups().topics.find(written)) == expected


def test_a_name_that_fits_two_organisations_matches_neither_and_suggests_both():
    # Greater Manchester Police, or the Greater Manchester probation region?
    lookups = _Lookups()

    assert lookups.organisations.find("Greater Manchester") is None
    suggested = {str(o) for o in lookups.organisations.suggestions("Greater Manchester")}
    assert suggested == {"Greater Manchester Police", "Probation Service – Greater Manchester"}


@pytest.mark.parametrize("written", ["Kent", "West Midlands", "Police", "Atlantis Police"])
def test_a_name_that_fits_several_organisations_or_none_matches_none(written):
    assert _Lookups().organisations.find(written) is None


def test_topics_are_not_matched_by_part_of_their_name():
    # A topic's words are ordinary words: "Visits" may well be meant as a topic of its own.
    lookups = _Lookups()

    assert lookups.topics.find("Visits") is None
    assert [str(t) for t in lookups.topics.suggestions("Visits")] == ["Home visits"]


def test_normalise_ignores_case_accents_punctuation_and_ampersands():
    assert normalise("  Café & Co's  (Team)") == normalise("cafe and cos team")


def test_an_alias_added_by_an_editor_is_used_on_the_next_import(tmp_path, library):
    path = write_csv(tmp_path, [row(organisation="Garden of England Constabulary")])
    with pytest.raises(CommandError):
        run(path)

    ImportAlias.objects.create(
        name="Garden of England Constabulary",
        organisation=Organisation.objects.get(slug="kent-police"),
    )
    run(path)

    assert PracticePage.objects.get().organisation.slug == "kent-police"


def test_a_topic_alias_matches_loosely_too(tmp_path, library):
    ImportAlias.objects.create(name="SHPO", topic=Topic.objects.get(slug="court-orders"))

    run(write_csv(tmp_path, [row(topics="shpo.")]))

    assert [t.slug for t in PracticePage.objects.get().topics.all()] == ["court-orders"]


def test_messy_names_from_a_spreadsheet_are_imported(tmp_path, library):
    path = write_csv(
        tmp_path,
        [
            row(title="One", organisation="Metropolitan Police", topics="mappa; HOME VISITS"),
            row(
                title="Two", organisation="Avon & Somerset", topics="Risk assessment & management"
            ),
        ],
    )

    out, err = run(path)

    assert "2 practices were created" in out, err
    one = PracticePage.objects.get(title="One")
    assert one.organisation.name == "Metropolitan Police Service"
    assert sorted(t.name for t in one.topics.all()) == ["Home visits", "MAPPA"]
    two = PracticePage.objects.get(title="Two")
    assert two.organisation.name == "Avon and Somerset Constabulary"


def test_an_unknown_name_is_reported_with_did_you_mean(tmp_path, library):
    path = write_csv(
        tmp_path, [row(organisation="Kent Polise", topics="Home vists; Knitting; Mapa")]
    )

    err = io.StringIO()
    with pytest.raises(CommandError, match="1 of 1 rows are invalid: nothing was imported"):
        call_command("import_practices", str(path), stderr=err)

    lines = err.getvalue().splitlines()
    assert (
        "row 2, organisation: no organisation called “Kent Polise”: did you mean “Kent Police”?"
        in lines
    )
    assert "row 2, topics: no topic called “Home vists”: did you mean “Home visits”?" in lines
    assert "row 2, topics: no topic called “Mapa”: did you mean “MAPPA”?" in lines
    # Nothing near it: no suggestion rather than a wild guess.
    assert "row 2, topics: no topic called “Knitting”" in lines
    assert not PracticePage.objects.exists()


def test_suggestions_are_kept_on_the_problem_for_the_admin_preview(library):
    _valid, problems = validate_rows([(2, row(organisation="Kent Polise"))])

    assert [str(s) for s in problems[0].suggestions] == ["Kent Police"]


def test_create_topics_creates_unknown_topics_once_and_imports(tmp_path, library):
    path = write_csv(
        tmp_path,
        [
            row(title="One", topics="MAPPA; Knitting circles"),
            row(title="Two", topics="knitting circles; Polygraph testing"),
        ],
    )

    out, _err = run(path, "--create-topics")

    assert "2 topics were created: Knitting circles, Polygraph testing." in out
    assert "2 practices were created" in out
    knitting = Topic.objects.get(name="Knitting circles")
    assert knitting.slug == "knitting-circles"
    assert sorted(p.title for p in knitting.practices.all()) == ["One", "Two"]
    assert sorted(t.name for t in PracticePage.objects.get(title="One").topics.all()) == [
        "Knitting circles",
        "MAPPA",
    ]


def test_without_create_topics_an_unknown_topic_still_refuses_the_file(tmp_path, library):
    topics_before = Topic.objects.count()

    with pytest.raises(CommandError):
        run(write_csv(tmp_path, [row(topics="Knitting circles")]))

    assert Topic.objects.count() == topics_before
    assert not PracticePage.objects.exists()


def test_create_topics_creates_nothing_when_another_row_is_invalid(tmp_path, library):
    topics_before = Topic.objects.count()
    path = write_csv(
        tmp_path, [row(title="One", topics="Knitting circles"), row(title="Two", scale="huge")]
    )

    with pytest.raises(CommandError, match="1 of 2 rows are invalid"):
        run(path, "--create-topics")

    assert Topic.objects.count() == topics_before
    assert not PracticePage.objects.exists()


def test_create_topics_with_skip_invalid_creates_only_the_valid_rows_topics(tmp_path, library):
    path = write_csv(
        tmp_path,
        [row(title="One", topics="Knitting circles"), row(title="Two", topics="Bad", scale="x")],
    )

    run(path, "--create-topics", "--skip-invalid")

    assert Topic.objects.filter(name="Knitting circles").exists()
    assert not Topic.objects.filter(name="Bad").exists()


def test_a_dry_run_with_create_topics_reports_them_and_writes_nothing(tmp_path, library):
    topics_before = Topic.objects.count()

    out, _err = run(
        write_csv(tmp_path, [row(topics="Knitting circles")]), "--create-topics", "--dry-run"
    )

    assert "1 topics would be created: Knitting circles." in out
    assert "1 practices would be created" in out
    assert Topic.objects.count() == topics_before
    assert not PracticePage.objects.exists()


def test_create_topics_does_not_create_a_name_that_fits_two_topics(tmp_path, library):
    # "Visits, home" fits "Home visits" and "Home visit" alike: it is neither, nor new.
    Topic.objects.create(name="Home visit", slug="home-visit")
    topics_before = Topic.objects.count()

    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_practices",
            str(write_csv(tmp_path, [row(topics="Visits, home")])),
            "--create-topics",
            stderr=err,
        )

    assert "no topic called “Visits, home”: did you mean “Home visit” or “Home visits”?" in (
        err.getvalue()
    )
    assert Topic.objects.count() == topics_before
