"""Fixtures shared by every test package (the browser journeys included)."""

import pytest
from django.core.cache import cache

from .factories import PractitionerFactory, UserFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate limits live in the local-memory cache: start every test with none used."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def user(db):
    """Signed up with a verified email address, but not a practitioner."""
    return UserFactory()


@pytest.fixture
def practitioner(db):
    return PractitionerFactory()


@pytest.fixture
def user_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def practitioner_client(client, practitioner):
    client.force_login(practitioner)
    return client


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
