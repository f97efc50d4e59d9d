import pytest

from .audience_cases import make_page, make_user


@pytest.fixture
def page_for_level(db):
    return make_page


@pytest.fixture
def user_of_kind(db):
    return make_user
