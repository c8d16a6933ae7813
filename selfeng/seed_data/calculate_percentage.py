def calculate_percentage(percentage: float, base: float) -> float:
    """Calculate what a given percentage of a base number is (e.g. 15 percent of 300 is 45)."""
    return base * percentage / 100.0
