import pytest

from .factories import BriefingIndexPageFactory


@pytest.fixture
def index(db):
    return BriefingIndexPageFactory()
