"""The admin import page: upload, a preview that changes nothing, confirm, progress; and who may
use it."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Organisation
from practice_library import import_views
from practice_library.importing import COLUMNS, practice_import_run, practice_import_run_now
from practice_library.models import ImportAlias, PracticeImport, PracticePage, Topic
from tests.factories import UserFactory, staff_member, with_second_factor

from .factories import PracticePageFactory
from .test_import import row

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/admin/practices/import/"


def csv_upload(rows, name="practices.csv"):
    columns = [c for c in COLUMNS if any(c in r for r in rows)]
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile(name, text.getvalue().encode("utf-8"), content_type="text/csv")


@pytest.fixture
def senior_editor():
    return staff_member("Senior editors")


@pytest.fixture
def editor_client(client, senior_editor):
    client.force_login(senior_editor)
    return client


class RecordingTask:
    """The import task, noting each time it is enqueued (tasks themselves cannot be patched)."""

    def __init__(self, enqueued):
        self.enqueued = enqueued

    def enqueue(self, **kwargs):
        self.enqueued.append(kwargs)
        return practice_import_run.enqueue(**kwargs)


def upload(client, rows, **options):
    response = client.post(UPLOAD_URL, {"file": csv_upload(rows), **options})
    assert response.status_code == 302, response.content.decode()[:2000]
    return PracticeImport.objects.latest("pk"), client.get(response["Location"])


# Who may import


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(UPLOAD_URL)

    assert response.status_code == 302
    assert "login" in response["Location"]
    assert "next=/admin/practices/import/" in response["Location"]


@pytest.mark.parametrize("role", ["Editors", "Moderators", "Event organisers"])
def test_staff_without_the_import_permission_are_refused(client, role, library):
    # Editors may not publish, and an import publishes: importing is for senior editors.
    record = PracticeImport.objects.create(file_name="x.csv", rows=[[2, row()]])
    client.force_login(staff_member(role))
    # Wagtail turns a refusal in the admin into a redirect to the dashboard with a message.
    refused = reverse("wagtailadmin_home")

    for response in [
        client.get(UPLOAD_URL),
        client.post(UPLOAD_URL, {"file": csv_upload([row()])}),
        # Refused, not "not found": an outsider learns nothing about which imports exist.
        client.get(f"{UPLOAD_URL}{record.pk}/"),
        client.post(f"{UPLOAD_URL}{record.pk}/"),
        client.get(f"{UPLOAD_URL}{record.pk}/progress/"),
        client.get(f"{UPLOAD_URL}{record.pk + 1}/"),
    ]:
        assert response.status_code == 302
        assert response["Location"] == refused
    assert "Import practices" not in client.get(reverse("wagtailadmin_home")).content.decode()
    assert not PracticePage.objects.exists()


def test_a_senior_editor_without_a_second_factor_is_sent_to_set_one_up(client):
    client.force_login(staff_member("Senior editors", second_factor=False))

    response = client.get(UPLOAD_URL)

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.parametrize("role", ["Senior editors", "superuser"])
def test_senior_editors_and_superusers_may_import(client, role):
    client.force_login(staff_member(role))

    response = client.get(UPLOAD_URL)

    assert response.status_code == 200
    assert "Check the file" in response.content.decode()
    assert "Import practices" in client.get(reverse("wagtailadmin_home")).content.decode()


def test_the_permission_can_be_given_to_any_staff_group(client):
    user = with_second_factor(UserFactory(is_staff=True))
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="import_practices"),
    )
    client.force_login(user)

    assert client.get(UPLOAD_URL).status_code == 200


# Preview and confirm


def test_the_preview_lists_each_row_and_changes_nothing(editor_client, library):
    PracticePageFactory(title="Already here", organisation__slug="kent-police")
    record, preview = upload(
        editor_client,
        [
            row(title="New one", organisation="Metropolitan Police", topics="mappa"),
            row(title="Already here", organisation="KENT POLICE"),
        ],
    )

    page = preview.content.decode()
    assert preview.status_code == 200
    assert "1 practice will be created and 1 updated" in page
    assert "Metropolitan Police Service" in page
    assert "Create" in page
    assert "Update" in page
    assert "Import 2 practices" in page
    assert record.status == PracticeImport.Status.PREVIEWED
    assert PracticePage.objects.count() == 1


def test_problems_are_listed_by_row_with_suggestions_and_block_the_import(editor_client, library):
    record, preview = upload(
        editor_client,
        [row(title="Good"), row(title="Typo", organisation="Kent Polise", topics="Home vists")],
    )

    page = preview.content.decode()
    assert (
        "Row 3, organisation: no organisation called “Kent Polise”: did you mean “Kent Police”?"
        in page
    )
    assert "Row 3, topics: no topic called “Home vists”: did you mean “Home visits”?" in page
    assert "Nothing will be imported from this file." in page
    assert "Import 1 practice" not in page

    response = editor_client.post(f"{UPLOAD_URL}{record.pk}/")

    assert response.status_code == 302
    assert not PracticePage.objects.exists()
    record.refresh_from_db()
    assert record.status == PracticeImport.Status.PREVIEWED


def test_confirming_imports_and_shows_the_outcome(editor_client, senior_editor, library):
    record, _preview = upload(
        editor_client,
        [row(title="One", topics="Knitting circles"), row(title="Two")],
        create_topics="on",
    )
    assert not Topic.objects.filter(name="Knitting circles").exists()

    response = editor_client.post(f"{UPLOAD_URL}{record.pk}/", follow=True)

    page = response.content.decode()
    assert "2 practices created and 0 updated; new topics: Knitting circles." in page
    record.refresh_from_db()
    assert record.status == PracticeImport.Status.DONE
    assert (record.done, record.total) == (2, 2)
    one = PracticePage.objects.get(title="One")
    assert one.live
    assert one.owner == senior_editor
    assert [t.name for t in one.topics.all()] == ["Knitting circles"]


def test_skip_invalid_lets_the_valid_rows_be_confirmed(editor_client, library):
    record, preview = upload(
        editor_client, [row(title="Good"), row(title="Bad", scale="galactic")], skip_invalid="on"
    )
    assert "1 row has problems and will be skipped" in preview.content.decode()

    editor_client.post(f"{UPLOAD_URL}{record.pk}/")

    assert list(PracticePage.objects.values_list("title", flat=True)) == ["Good"]


def test_confirming_twice_imports_once(editor_client, library):
    record, _preview = upload(editor_client, [row()])

    editor_client.post(f"{UPLOAD_URL}{record.pk}/")
    PracticePage.objects.all().delete()
    response = editor_client.post(f"{UPLOAD_URL}{record.pk}/")

    assert response["Location"] == f"{UPLOAD_URL}{record.pk}/progress/"
    assert not PracticePage.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("practices.csv", "title\nCaf\xe9\n".encode("latin-1"), "is not UTF-8 text"),
        ("practices.xlsx", b"PK", "must be a .csv or .json file"),
        ("practices.csv", b"title,colour\nx,red\n", "has unknown columns: colour"),
    ],
)
def test_a_bad_file_is_refused_on_the_upload_page(editor_client, name, content, message):
    response = editor_client.post(UPLOAD_URL, {"file": SimpleUploadedFile(name, content)})

    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert name in page
    assert "/tmp" not in page
    assert not PracticeImport.objects.exists()


def test_a_file_over_the_size_limit_is_refused(editor_client, settings):
    settings.KX_IMPORT_MAX_BYTES = 100

    response = editor_client.post(UPLOAD_URL, {"file": csv_upload([row()])})

    assert "larger than the limit of 100 bytes" in response.content.decode()
    assert not PracticeImport.objects.exists()


# Background imports and progress


def test_a_large_import_runs_as_a_task(editor_client, library, monkeypatch):
    # The test settings run tasks at once: what matters is that the task is what ran it.
    monkeypatch.setattr(import_views, "INLINE_ROWS", 2)
    enqueued = []
    monkeypatch.setattr(import_views, "practice_import_run", RecordingTask(enqueued))
    record, _preview = upload(editor_client, [row(title=f"Practice {n}") for n in range(5)])

    editor_client.post(f"{UPLOAD_URL}{record.pk}/")

    assert enqueued == [{"import_id": record.pk}]
    record.refresh_from_db()
    assert record.status == PracticeImport.Status.DONE
    assert (record.done, record.total) == (5, 5)
    assert PracticePage.objects.count() == 5


def test_a_small_import_runs_in_the_request(editor_client, library, monkeypatch):
    enqueued = []
    monkeypatch.setattr(import_views, "practice_import_run", RecordingTask(enqueued))
    record, _preview = upload(editor_client, [row()])

    editor_client.post(f"{UPLOAD_URL}{record.pk}/")

    assert enqueued == []
    assert PracticePage.objects.count() == 1


def test_progress_is_recorded_after_each_batch(library, senior_editor, monkeypatch):
    monkeypatch.setattr("practice_library.importing.BATCH_SIZE", 2)
    record = PracticeImport.objects.create(
        file_name="x.csv",
        rows=[[n + 2, row(title=f"Practice {n}")] for n in range(5)],
        status=PracticeImport.Status.QUEUED,
        total=5,
        created_by=senior_editor,
    )
    seen = []
    original_save_revision = PracticePage.save_revision

    def save_revision(self, *args, **kwargs):
        # What the progress page would read from another connection while this row is written.
        fresh = PracticeImport.objects.get(pk=record.pk)
        seen.append((fresh.status, fresh.done))
        return original_save_revision(self, *args, **kwargs)

    monkeypatch.setattr(PracticePage, "save_revision", save_revision)

    assert practice_import_run_now(import_id=record.pk) == "done"

    assert seen == [("running", 0), ("running", 0), ("running", 2), ("running", 2), ("running", 4)]


def test_the_progress_page_refreshes_itself_while_running(editor_client, senior_editor):
    record = PracticeImport.objects.create(
        file_name="big.csv",
        status=PracticeImport.Status.RUNNING,
        total=200,
        done=50,
        created_by=senior_editor,
    )

    page = editor_client.get(f"{UPLOAD_URL}{record.pk}/progress/").content.decode()

    assert "Running: 50 of 200 practices imported." in page
    assert '<progress max="200" value="50"' in page
    assert 'http-equiv="refresh"' in page

    record.status = PracticeImport.Status.DONE
    record.report = {"created": ["a"], "updated": [], "new_topics": [], "problems": []}
    record.save()
    page = editor_client.get(f"{UPLOAD_URL}{record.pk}/progress/").content.decode()
    assert "1 practice created and 0 updated." in page
    assert 'http-equiv="refresh"' not in page


def test_a_queued_import_runs_once(library, senior_editor):
    record = PracticeImport.objects.create(
        file_name="x.csv",
        rows=[[2, row()]],
        status=PracticeImport.Status.QUEUED,
        created_by=senior_editor,
    )

    assert practice_import_run_now(import_id=record.pk) == "done"
    assert practice_import_run_now(import_id=record.pk) == "not queued"
    assert PracticePage.objects.count() == 1


def test_the_task_refuses_an_import_whose_editor_lost_the_permission(library, senior_editor):
    record = PracticeImport.objects.create(
        file_name="x.csv",
        rows=[[2, row()]],
        status=PracticeImport.Status.QUEUED,
        created_by=senior_editor,
    )
    senior_editor.groups.clear()

    assert practice_import_run_now(import_id=record.pk) == "refused"
    record.refresh_from_db()
    assert record.status == PracticeImport.Status.FAILED
    assert not PracticePage.objects.exists()


def test_a_failed_import_says_why(library, senior_editor):
    record = PracticeImport.objects.create(
        file_name="x.csv",
        rows=[[2, row()]],
        status=PracticeImport.Status.QUEUED,
        created_by=senior_editor,
    )
    library.delete()

    assert practice_import_run_now(import_id=record.pk) == "failed"
    record.refresh_from_db()
    assert record.status == PracticeImport.Status.FAILED
    assert "no practice library page" in record.report["error"]


# Aliases


def test_an_editor_adds_an_alias_in_the_admin(client):
    client.force_login(staff_member("Editors"))
    url = reverse("wagtailsnippets_practice_library_importalias:add")
    kent = Organisation.objects.get(slug="kent-police")

    response = client.post(url, {"name": "Kent Constab.", "organisation": kent.pk})

    assert response.status_code == 302
    assert ImportAlias.objects.get(name="Kent Constab.").organisation == kent


def test_an_alias_names_a_topic_or_an_organisation_not_both(client):
    client.force_login(staff_member("Editors"))
    url = reverse("wagtailsnippets_practice_library_importalias:add")
    kent = Organisation.objects.get(slug="kent-police")
    mappa = Topic.objects.get(slug="mappa")

    both = client.post(url, {"name": "X", "organisation": kent.pk, "topic": mappa.pk})
    neither = client.post(url, {"name": "X"})

    for response in (both, neither):
        assert response.status_code == 200
        assert "Choose either a topic or an organisation" in response.content.decode()
    assert not ImportAlias.objects.filter(name="X").exists()


def test_the_preview_takes_as_many_queries_for_many_rows_as_for_few(editor_client, library):
    def queries_for(count):
        record, _preview = upload(
            editor_client,
            [
                row(title=f"Practice {n}", organisation="Met Police", topics="mappa; visits home")
                for n in range(count)
            ],
        )
        with CaptureQueriesContext(connection) as queries:
            assert editor_client.get(f"{UPLOAD_URL}{record.pk}/").status_code == 200
        return len(queries)

    assert queries_for(30) == queries_for(2)
