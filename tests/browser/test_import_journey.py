"""A senior editor imports practices from a spreadsheet in the admin: a first upload has a typo
and is refused with a "did you mean", row by row, changing nothing; the corrected file is
previewed, confirmed, and its practices are in the library."""

import csv
import re

from django.contrib.auth.models import Group
from playwright.sync_api import expect

from practice_library.importing import COLUMNS
from practice_library.models import PracticePage, Topic
from tests.factories import TOTP_SECRET, with_second_factor
from tests.practice_library.factories import PracticeIndexPageFactory
from tests.practice_library.test_import import row

from .conftest import assert_accessible, browser_journey, make_user, sign_in


def spreadsheet(path, rows):
    columns = [c for c in COLUMNS if any(c in r for r in rows)]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


@browser_journey
def test_senior_editor_previews_corrects_and_imports_a_spreadsheet(new_page, tmp_path):
    PracticeIndexPageFactory()
    editor = make_user("senior.editor@kx.example", first_name="Sam", last_name="Senior")
    editor.groups.add(Group.objects.get(name="Senior editors"))
    with_second_factor(editor)
    page = new_page()
    sign_in(page, editor.email, totp_secret=TOTP_SECRET)
    expect(page).not_to_have_url(re.compile(r"/accounts/(login|2fa)/"))

    page.goto("/admin/")
    page.get_by_role("link", name="Import practices").click()
    expect(page.get_by_role("button", name="Check the file")).to_be_visible()
    assert_accessible(page)

    # The first file spells the force wrongly: the preview says where and what was meant.
    typo = spreadsheet(
        tmp_path / "typo.csv",
        [
            row(title="Joint ARMS visits", organisation="Metropolitan Police", topics="mappa"),
            row(title="Polygraph pilot", organisation="Kent Polise", topics="Polygraph testing"),
        ],
    )
    page.get_by_label("File").set_input_files(typo)
    page.get_by_role("button", name="Check the file").click()
    problem = "Row 3, organisation: no organisation called “Kent Polise”"
    expect(page.get_by_text(f"{problem}: did you mean “Kent Police”?")).to_be_visible()
    expect(
        page.get_by_text(re.compile("Row 3, topics: no topic called “Polygraph testing”"))
    ).to_be_visible()
    expect(page.get_by_text("Nothing will be imported from this file.")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Import"))).to_have_count(0)
    assert_accessible(page)
    assert not PracticePage.objects.exists()

    # Corrected, and allowed to create the new topic: the preview shows what will happen.
    page.get_by_role("link", name="Upload a file").click()
    fixed = spreadsheet(
        tmp_path / "fixed.csv",
        [
            row(
                title="Joint ARMS visits",
                organisation="Metropolitan Police",
                topics="mappa",
                audience="public",
            ),
            row(title="Polygraph pilot", organisation="Kent Police", topics="Polygraph testing"),
        ],
    )
    page.get_by_label("File").set_input_files(fixed)
    page.get_by_label("Create topics that do not exist yet").check()
    page.get_by_role("button", name="Check the file").click()
    expect(
        page.get_by_text(re.compile("2 practices will be created and 0 updated"))
    ).to_be_visible()
    expect(page.get_by_role("cell", name="Metropolitan Police Service")).to_be_visible()
    expect(page.get_by_role("cell", name="Polygraph testing (new)")).to_be_visible()
    assert_accessible(page)
    assert not Topic.objects.filter(name="Polygraph testing").exists()

    page.get_by_role("button", name="Import 2 practices").click()
    expect(
        page.get_by_text("2 practices created and 0 updated; new topics: Polygraph testing.")
    ).to_be_visible()
    assert_accessible(page)

    practice = PracticePage.objects.get(title="Joint ARMS visits")
    assert practice.live
    assert practice.organisation.name == "Metropolitan Police Service"
    assert [t.name for t in practice.topics.all()] == ["MAPPA"]
    # Published: a public practice is on the site at once.
    page.goto(practice.url)
    expect(page.get_by_role("heading", name="Joint ARMS visits")).to_be_visible()
