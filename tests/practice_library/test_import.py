"""``manage.py import_practices``: every row checked first, all or nothing, re-import updates."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from accounts.models import OrganisationKind
from kx_site.audience import Audience
from practice_library.importing import COLUMNS
from practice_library.models import PracticePage

pytestmark = pytest.mark.django_db


def row(**overrides):
    data = {
        "title": "Joint ARMS visits",
        "summary": "Police and probation visit together.",
        "does_it_work": "worked",
        "evidence_stage": "Evaluated locally",
        "focus": "Risk management",
        "topics": "ARMS practice; home-visits",
        "target_group": "Adult men",
        "organisation": "Kent Police",
        "partners": "",
        "region": "South East",
        "scale": "local",
        "start_date": "2023-04-01",
        "end_date": "31/03/2024",
        "aim": "Better visits.",
        "intended_outcome": "",
        "description": "We visit together.",
        "evaluation": "",
        "contact_name": "Alex",
        "contact_email": "alex@kent.police.uk",
        "audience": "practitioners",
    }
    data.update(overrides)
    return data


def write_csv(tmp_path, rows, name="practices.csv"):
    path = tmp_path / name
    columns = [c for c in COLUMNS if any(c in r for r in rows)]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def run(path, *args):
    """(stdout, stderr) of the command; CommandError propagates."""

    out, err = io.StringIO(), io.StringIO()
    call_command("import_practices", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_valid_csv_is_imported_and_published(tmp_path, library):
    path = write_csv(tmp_path, [row(), row(title="Second practice", organisation="")])

    out, _err = run(path)

    assert "2 practices were created and 0 were updated." in out
    practice = PracticePage.objects.get(title="Joint ARMS visits")
    assert practice.live
    assert practice.get_parent().specific == library
    assert practice.evidence_stage == "evaluated_locally"
    assert practice.end_date.isoformat() == "2024-03-31"
    assert sorted(t.slug for t in practice.topics.all()) == ["arms-practice", "home-visits"]
    assert practice.organisation.name == "Kent Police"
    assert PracticePage.objects.get(title="Second practice").organisation is None


def test_a_valid_json_list_is_imported(tmp_path, library):
    path = tmp_path / "practices.json"
    path.write_text(
        json.dumps(
            [
                row(
                    topics=["MAPPA", "home-visits"],
                    audience="restricted",
                    restricted_to_kinds="police_force",
                    marking="OFFICIAL-SENSITIVE",
                )
            ]
        ),
        encoding="utf-8",
    )

    run(path)

    practice = PracticePage.objects.get()
    assert practice.audience == Audience.RESTRICTED
    assert practice.restricted_to_kinds == [OrganisationKind.POLICE_FORCE]
    assert practice.is_sensitive
    assert sorted(t.slug for t in practice.topics.all()) == ["home-visits", "mappa"]


def test_every_problem_is_reported_by_row_and_column_and_nothing_is_imported(tmp_path, library):
    path = write_csv(
        tmp_path,
        [
            row(title="Good row"),
            row(title="", does_it_work="maybe"),
            row(title="Bad dates", start_date="2024-02-30", end_date=""),
            row(title="Unknowns", topics="MAPPA; Knitting", organisation="Atlantis Police"),
            row(title="Bad email and audience", contact_email="alex@", audience="everyone"),
            row(title="Restricted to nobody", audience="restricted"),
            row(title="Good row"),
        ],
    )

    with pytest.raises(CommandError, match="6 of 7 rows are invalid: nothing was imported"):
        run(path)

    assert not PracticePage.objects.exists()


def test_the_problem_messages(tmp_path, library, capsys):
    path = write_csv(
        tmp_path,
        [
            row(title="", does_it_work="maybe"),
            row(title="Bad dates", start_date="2024-02-30", end_date=""),
            row(title="Unknowns", topics="MAPPA; Knitting", organisation="Atlantis Police"),
            row(title="Bad email and audience", contact_email="alex@", audience="everyone"),
            row(title="Restricted to nobody", audience="restricted"),
            row(title="Twice"),
            row(title="Twice"),
            row(title="Backwards", start_date="2024-01-02", end_date="2024-01-01"),
        ],
    )

    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_practices", str(path), stderr=err)

    lines = err.getvalue().splitlines()
    expected = [
        "row 2, title: is required",
        "row 2, does_it_work: “maybe” is not one of: worked, promising, untested, did_not_work",
        "row 3, start_date: “2024-02-30” is not a date like 2024-03-31",
        "row 4, organisation: no organisation called “Atlantis Police”",
        "row 4, topics: no topic called “Knitting”",
        "row 5, contact_email: “alex@” is not an email address",
        "row 5, audience: “everyone” is not one of: public, registered, practitioners, restricted",
        "row 6, restricted_to_kinds: is required when the audience is restricted",
        "row 8, title: same title and organisation as row 7",
        "row 9, end_date: is before start_date",
    ]
    for line in expected:
        assert line in lines, (line, lines)


def test_skip_invalid_imports_the_valid_rows_and_reports_the_rest(tmp_path, library):
    path = write_csv(tmp_path, [row(title="Good one"), row(title="Bad one", scale="galactic")])

    out, err = run(path, "--skip-invalid")

    assert "1 practices were created" in out
    assert "1 invalid rows were skipped." in out
    assert "row 3, scale:" in err
    assert list(PracticePage.objects.values_list("title", flat=True)) == ["Good one"]


def test_importing_again_updates_rather_than_duplicates(tmp_path, library):
    run(write_csv(tmp_path, [row()]))

    out, _err = run(write_csv(tmp_path, [row(summary="A new summary.", topics="MAPPA")]))

    assert "0 practices were created and 1 were updated." in out
    practice = PracticePage.objects.get()
    assert practice.summary == "A new summary."
    assert [t.slug for t in practice.topics.all()] == ["mappa"]
    assert practice.live
    assert practice.get_latest_revision().content["summary"] == "A new summary."


def test_a_dry_run_writes_nothing(tmp_path, library):
    out, _err = run(write_csv(tmp_path, [row()]), "--dry-run")

    assert "1 practices would be created" in out
    assert not PracticePage.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("practices.csv", "title,summary\n".encode("utf-16"), "is not UTF-8 text"),
        ("practices.csv", "title,summary\nCaf\xe9,x\n".encode("latin-1"), "is not UTF-8 text"),
        ("practices.json", b'{"title": "not a list"}', "must hold a JSON list of objects"),
        ("practices.json", b"[1, 2]", "item 1 is not an object"),
        ("practices.json", b"[{", "is not valid JSON"),
        ("practices.xlsx", b"PK", "must be a .csv or .json file"),
        ("practices.csv", b"", "is empty"),
        ("practices.csv", b"title,colour\nx,red\n", "has unknown columns: colour"),
    ],
)
def test_bad_files_are_refused_with_a_clear_error(tmp_path, library, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(CommandError, match=message):
        run(path)

    assert not PracticePage.objects.exists()


def test_a_file_over_the_size_limit_is_refused(tmp_path, library, settings):
    settings.KX_IMPORT_MAX_BYTES = 100
    path = write_csv(tmp_path, [row()])

    with pytest.raises(CommandError, match="is larger than the limit of 100 bytes"):
        run(path)


def test_a_missing_file_is_refused(tmp_path, library):
    with pytest.raises(CommandError, match="does not exist"):
        run(tmp_path / "nowhere.csv")


def test_a_utf8_file_with_a_byte_order_mark_and_accents_is_read(tmp_path, library):
    path = tmp_path / "practices.csv"
    content = (
        "title,summary,does_it_work,evidence_stage,description\nCafé visits,S,worked,untested,D\n"
    )
    path.write_bytes(content.encode("utf-8-sig"))

    run(path)

    assert PracticePage.objects.get().title == "Café visits"
