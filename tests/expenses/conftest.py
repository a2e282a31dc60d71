import pytest


@pytest.fixture(autouse=True)
def _mileage_rates(starting_mileage_rates):
    pass
