import pytest

from .factories import PracticeIndexPageFactory


@pytest.fixture
def library(db):
    return PracticeIndexPageFactory()
