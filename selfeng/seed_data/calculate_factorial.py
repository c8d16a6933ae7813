def calculate_factorial(n: int) -> int:
    """Calculate the factorial n! of a non-negative integer n."""
    if n < 0:
        raise ValueError("factorial is not defined for negative numbers")
    result = 1
    for k in range(2, n + 1):
        result *= k
    return result
