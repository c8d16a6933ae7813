import pytest

from calculate_square_root import calculate_square_root


def test_perfect_square():
    assert calculate_square_root(64) == pytest.approx(8.0)


def test_zero():
    assert calculate_square_root(0) == 0


def test_non_perfect_square():
    assert calculate_square_root(2) == pytest.approx(1.41421356)


def test_negative_raises():
    with pytest.raises(ValueError):
        calculate_square_root(-4)
