"""Categories are snippets in the Wagtail admin with an audience rule and a handling marking."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Organisation
from forums.models import ForumCategory
from forums.selectors import visible_categories
from kx_site.audience import Audience

from .conftest import make_category

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.REGISTERED])
def test_categories_are_only_for_practitioners(audience):
    category = ForumCategory(name="Open", slug="open", audience=audience)

    with pytest.raises(ValidationError) as error:
        category.full_clean()
    assert "audience" in error.value.message_dict


def test_a_category_cannot_take_a_path_the_forums_use():
    with pytest.raises(ValidationError) as error:
        ForumCategory(name="Threads", slug="threads").full_clean()
    assert "slug" in error.value.message_dict


def test_named_organisations_see_their_category(police, probation):
    category = make_category("kent-and-london", audience=Audience.RESTRICTED)
    category.restricted_to_organisations.set([Organisation.objects.get(slug="kent-police")])
    category.save()  # A parental many-to-many is written on save.

    assert list(visible_categories(police)) == [category]
    assert list(visible_categories(probation)) == []


def test_moderators_add_categories_in_the_admin(client, moderator):
    client.force_login(moderator)
    url = reverse("wagtailsnippets_forums_forumcategory:add")

    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "Police only",
            "slug": "police-only",
            "description": "For police forces.",
            "sort_order": "1",
            "audience": "restricted",
            "restricted_to_kinds": ["police_force"],
            "marking": "official_sensitive",
        },
    )

    assert response.status_code == 302, response.content[:2000]
    category = ForumCategory.objects.get(slug="police-only")
    assert category.restricted_to_kinds == ["police_force"]
    assert category.is_sensitive


def test_the_digest_command_reports_what_it_sent(capsys):
    call_command("send_forum_digests")

    assert "Sent 0 forum digest(s)." in capsys.readouterr().out
