import pytest

from celsius_to_fahrenheit import celsius_to_fahrenheit


def test_freezing():
    assert celsius_to_fahrenheit(0) == pytest.approx(32.0)


def test_boiling():
    assert celsius_to_fahrenheit(100) == pytest.approx(212.0)


def test_minus_forty_is_the_same():
    assert celsius_to_fahrenheit(-40) == pytest.approx(-40.0)


def test_body_temperature():
    assert celsius_to_fahrenheit(37) == pytest.approx(98.6)
