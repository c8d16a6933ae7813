import pytest

from calculate_percentage import calculate_percentage


def test_fifteen_percent_of_300():
    assert calculate_percentage(15, 300) == pytest.approx(45.0)


def test_zero_percent():
    assert calculate_percentage(0, 120) == 0


def test_fraction_percent():
    assert calculate_percentage(12.5, 80) == pytest.approx(10.0)


def test_over_hundred_percent():
    assert calculate_percentage(150, 20) == pytest.approx(30.0)
