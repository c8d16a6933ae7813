import math


def calculate_square_root(number: float) -> float:
    """Calculate the square root of a non-negative number."""
    if number < 0:
        raise ValueError("cannot take the square root of a negative number")
    return math.sqrt(number)
