def reverse_string(s: str) -> str:
    """Reverse the characters of a string (e.g. 'hello' becomes 'olleh')."""
    return s[::-1]
