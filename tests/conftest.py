import pytest

from tests.factories import comparison_data


@pytest.fixture
def demo_data():
    return comparison_data()
