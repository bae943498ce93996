import pytest

from tests.territoires.factories import DepartementFactory


@pytest.fixture
def val_de_marne(db):
    return DepartementFactory(code="94", nom="Val-de-Marne")
