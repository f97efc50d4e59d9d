"""ChoiceSetField stores a set of choices that every database can search."""

import pytest
from django import forms
from django.db import connection

from accounts.models import OrganisationKind
from kx_site.audience import Audience
from kx_site.models import StandardPage
from tests.factories import StandardPageFactory

pytestmark = pytest.mark.django_db

FIELD = StandardPage._meta.get_field("restricted_to_kinds")


def stored_value(page):
    with connection.cursor() as cursor:
        table = StandardPage._meta.db_table
        cursor.execute(
            f"SELECT restricted_to_kinds FROM {table} WHERE page_ptr_id = %s", [page.pk]
        )
        return cursor.fetchone()[0]


def test_a_set_round_trips_sorted_and_without_duplicates():
    page = StandardPageFactory(
        audience=Audience.RESTRICTED,
        restricted_to_kinds=["probation_region", "police_force", "police_force"],
    )

    assert stored_value(page) == ",police_force,probation_region,"
    assert StandardPage.objects.get(pk=page.pk).restricted_to_kinds == [
        "police_force",
        "probation_region",
    ]


def test_an_empty_set_is_stored_empty_and_reads_back_as_a_list():
    page = StandardPageFactory(restricted_to_kinds=[])

    assert stored_value(page) == ""
    assert StandardPage.objects.get(pk=page.pk).restricted_to_kinds == []


def test_contains_finds_pages_holding_a_member():
    both = StandardPageFactory(restricted_to_kinds=["police_force", "probation_region"])
    police = StandardPageFactory(restricted_to_kinds=["police_force"])
    StandardPageFactory(restricted_to_kinds=["national_body"])
    StandardPageFactory(restricted_to_kinds=[])

    found = StandardPage.objects.filter(restricted_to_kinds__contains=",police_force,")
    assert set(found) == {both, police}
    found = StandardPage.objects.filter(restricted_to_kinds__contains=",probation_region,")
    assert set(found) == {both}
    assert not StandardPage.objects.filter(restricted_to_kinds__contains=",other,").exists()


def test_a_member_is_not_found_by_part_of_another():
    StandardPageFactory(restricted_to_kinds=["police_force"])

    assert not StandardPage.objects.filter(restricted_to_kinds__contains=",police,").exists()


def test_to_python_accepts_strings_and_collections():
    assert FIELD.to_python(",a,b,") == ["a", "b"]
    assert FIELD.to_python("") == []
    assert FIELD.to_python(None) == []
    assert FIELD.to_python({"b", "a"}) == ["a", "b"]


def test_validation_refuses_unknown_choices():
    FIELD.validate(["police_force"], None)
    FIELD.validate([], None)  # the field may be blank
    with pytest.raises(forms.ValidationError, match="Unknown choice: spies"):
        FIELD.validate(["police_force", "spies"], None)


def test_full_clean_refuses_unknown_choices_on_a_page():
    page = StandardPageFactory.build(restricted_to_kinds=["spies"], slug="x", path="0", depth=3)

    with pytest.raises(Exception, match="spies"):
        page.clean_fields()


def test_the_form_field_offers_each_kind_as_a_checkbox():
    form_field = FIELD.formfield()

    assert isinstance(form_field, forms.MultipleChoiceField)
    assert isinstance(form_field.widget, forms.CheckboxSelectMultiple)
    assert {value for value, _label in form_field.choices} == set(OrganisationKind.values)
    assert not form_field.required


def test_serialisation_for_revisions_keeps_the_set():
    page = StandardPageFactory(restricted_to_kinds=["probation_region", "police_force"])

    revision = page.save_revision()

    assert revision.as_object().restricted_to_kinds == ["police_force", "probation_region"]
