import pytest

from calculate_factorial import calculate_factorial


def test_zero():
    assert calculate_factorial(0) == 1


def test_five():
    assert calculate_factorial(5) == 120


def test_ten():
    assert calculate_factorial(10) == 3628800


def test_negative_raises():
    with pytest.raises(ValueError):
        calculate_factorial(-1)
