"""The signed-in user is loaded in one query with what every request asks of it
(accounts.backends, ``User.objects.for_request()``), and the answers are those the separate
checks give."""

import re

import pytest
from django.contrib.auth import get_user
from django.contrib.auth.models import Group, Permission
from django.test import RequestFactory

from accounts.backends import AuthenticationBackend, ModelBackend
from accounts.models import User
from kx_site.audience import user_has_verified_email
from kx_site.staff import has_staff_powers, is_staff_account
from tests.factories import PractitionerFactory, UserFactory, staff_member

pytestmark = pytest.mark.django_db

# Each reader, and the queries that loading them and answering the checks takes: the session
# and the user; for an account in a group or with permissions of its own, the admin permission
# is looked up too (staff only: most members have neither).
READERS = {
    "unverified member": (lambda: UserFactory(email_verified=False), 2),
    "member": (UserFactory, 2),
    "practitioner": (PractitionerFactory, 2),
    "editor": (lambda: staff_member("Editors"), 3),
    "moderator without a second factor": (
        lambda: staff_member("Moderators", second_factor=False),
        3,
    ),
    "superuser": (lambda: staff_member("superuser"), 2),
    "is_staff without a second factor": (
        lambda: staff_member("is_staff", second_factor=False),
        2,
    ),
    "granted access_admin directly": (lambda: granted_admin_access(UserFactory()), 3),
    "in a group without the admin": (lambda: in_a_group_without_the_admin(UserFactory()), 3),
}


def granted_admin_access(user):
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    return user


def in_a_group_without_the_admin(user):
    user.groups.add(Group.objects.create(name="Readers"))
    return user


def answers(user):
    return (
        user.organisation,
        is_staff_account(user),
        has_staff_powers(user),
        user_has_verified_email(user),
    )


def main_table(sql):
    """The table a query reads from, its subqueries (the checks in the user's query) left out."""
    while re.search(r"\([^()]*\)", sql):
        sql = re.sub(r"\([^()]*\)", "", sql)
    return re.search(r'FROM "(\w+)"', sql).group(1)


def signed_in_request(client, user):
    client.force_login(user)
    request = RequestFactory().get("/")
    request.session = client.session
    return request


@pytest.mark.parametrize("reader", READERS)
def test_one_query_answers_as_the_separate_checks_do(client, reader, django_assert_num_queries):
    make, queries = READERS[reader]
    user = make()
    request = signed_in_request(client, user)

    with django_assert_num_queries(queries):
        loaded = get_user(request)
        loaded_answers = answers(loaded)

    assert loaded == user
    assert loaded_answers == answers(User.objects.get(pk=user.pk))


@pytest.mark.parametrize("backend", [ModelBackend, AuthenticationBackend])
def test_both_backends_refuse_an_inactive_account(backend):
    user = UserFactory(is_active=False)

    assert backend().get_user(user.pk) is None
    assert backend().get_user(user.pk + 1000) is None


def test_a_signed_in_page_asks_for_the_user_once(client, django_assert_max_num_queries):
    """The home page signed in as a practitioner: the staff, second-factor, verified-email and
    organisation checks add no query to the user's own."""
    client.force_login(PractitionerFactory())

    with django_assert_max_num_queries(50) as captured:
        assert client.get("/").status_code == 200

    tables = [main_table(query["sql"]) for query in captured]
    assert tables.count("accounts_user") == 1
    for asked_separately_before in [
        "auth_permission",
        "mfa_authenticator",
        "account_emailaddress",
        "accounts_organisation",
    ]:
        assert asked_separately_before not in tables
