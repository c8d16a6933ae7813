"""Check tests/registry/routing_tools_code.json against tests/registry/routing_set.json.

Run as a script: python tests/registry/check_routing_tools_code.py

For every tool of routing_set.json the JSON must hold a module source defining a
function of the tool's name whose parameters (names, order, annotations) and
return annotation are those of the tool's signature. Each function is then run on
hand-written example calls with expected values worked out by hand. Prints
"ok N tools" and exits non-zero on any failure.
"""

import ast
import inspect
import json
import math
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROUTING_SET = HERE / "routing_set.json"
CODE_FILE = HERE / "routing_tools_code.json"

failures: list[str] = []


def fail(message: str) -> None:
    failures.append(message)


def approx(a, b, rel=1e-9, abs_tol=1e-9) -> bool:
    return isinstance(a, (int, float)) and not isinstance(a, bool) and math.isclose(a, b, rel_tol=rel, abs_tol=abs_tol)


def signature_parts(func_def: ast.FunctionDef):
    args = func_def.args
    params = [(a.arg, ast.unparse(a.annotation) if a.annotation else None)
              for a in args.posonlyargs + args.args + args.kwonlyargs]
    ret = ast.unparse(func_def.returns) if func_def.returns else None
    return params, ret


def load_tools():
    tools = json.loads(ROUTING_SET.read_text(encoding="utf-8"))["tools"]
    code = json.loads(CODE_FILE.read_text(encoding="utf-8"))
    funcs = {}
    for tool in tools:
        name = tool["name"]
        if name not in code:
            fail(f"{name}: missing from {CODE_FILE.name}")
            continue
        source = code[name]
        expected_def = ast.parse(f"def {tool['signature']}: pass").body[0]
        want_params, want_ret = signature_parts(expected_def)
        if expected_def.name != name:
            fail(f"{name}: signature names another function ({expected_def.name})")
        try:
            module = ast.parse(source)
        except SyntaxError as exc:
            fail(f"{name}: syntax error: {exc}")
            continue
        defs = [n for n in module.body if isinstance(n, ast.FunctionDef) and n.name == name]
        if len(defs) != 1:
            fail(f"{name}: source defines {len(defs)} top-level functions of that name")
            continue
        got_params, got_ret = signature_parts(defs[0])
        if got_params != want_params or got_ret != want_ret:
            fail(f"{name}: signature {got_params} -> {got_ret}, expected {want_params} -> {want_ret}")
        namespace = {"__name__": f"routing_tool_{name}"}
        try:
            exec(compile(source, f"<{name}>", "exec"), namespace)
        except Exception as exc:  # noqa: BLE001
            fail(f"{name}: exec failed: {exc!r}")
            continue
        func = namespace.get(name)
        if not callable(func):
            fail(f"{name}: no callable {name} after exec")
            continue
        runtime_names = list(inspect.signature(func).parameters)
        if runtime_names != [p for p, _ in want_params]:
            fail(f"{name}: parameters {runtime_names}, expected {[p for p, _ in want_params]}")
        funcs[name] = func
    extra = set(code) - {t["name"] for t in tools}
    if extra:
        fail(f"unexpected names in {CODE_FILE.name}: {sorted(extra)}")
    return tools, funcs


def main() -> int:
    tools, F = load_tools()
    counts: dict[str, int] = {}

    def eq(name, args, expected, check=None):
        counts[name] = counts.get(name, 0) + 1
        func = F.get(name)
        if func is None:
            return
        try:
            got = func(*args)
        except Exception as exc:  # noqa: BLE001
            fail(f"{name}{args!r}: raised {exc!r}, expected {expected!r}")
            return
        if check == "approx":
            ok = approx(got, expected)
        elif check is not None:
            ok = check(got, expected)
        else:
            ok = got == expected and type(got) is type(expected) if isinstance(expected, (str, bool, list, dict)) else got == expected
        if not ok:
            fail(f"{name}{args!r}: got {got!r}, expected {expected!r}")

    def close(name, args, expected):
        eq(name, args, expected, "approx")

    def raises(name, args, exc_type=ValueError):
        func = F.get(name)
        if func is None:
            return
        try:
            got = func(*args)
        except exc_type:
            return
        except Exception as exc:  # noqa: BLE001
            fail(f"{name}{args!r}: raised {exc!r}, expected {exc_type.__name__}")
            return
        fail(f"{name}{args!r}: returned {got!r}, expected {exc_type.__name__}")

    # temperature / units
    close("celsius_to_fahrenheit", (100,), 212)
    close("celsius_to_fahrenheit", (0,), 32)
    close("celsius_to_fahrenheit", (-40,), -40)
    close("celsius_to_fahrenheit", (37,), 98.6)
    close("fahrenheit_to_celsius", (212,), 100)
    close("fahrenheit_to_celsius", (32,), 0)
    close("fahrenheit_to_celsius", (-40,), -40)
    close("fahrenheit_to_celsius", (98.6,), 37)
    close("km_to_miles", (1.609344,), 1)
    close("km_to_miles", (16.09344,), 10)
    close("km_to_miles", (0,), 0)
    close("miles_to_km", (1,), 1.609344)
    close("miles_to_km", (26.2,), 42.1648128)
    close("kg_to_pounds", (0.45359237,), 1)
    close("kg_to_pounds", (4.5359237,), 10)
    close("kg_to_pounds", (1,), 1 / 0.45359237)
    close("pounds_to_kg", (1,), 0.45359237)
    close("pounds_to_kg", (10,), 4.5359237)
    close("seconds_to_minutes", (120,), 2)
    close("seconds_to_minutes", (90,), 1.5)
    close("minutes_to_seconds", (2,), 120)
    close("minutes_to_seconds", (1.5,), 90)
    close("inches_to_cm", (1,), 2.54)
    close("inches_to_cm", (12,), 30.48)
    close("cm_to_inches", (2.54,), 1)
    close("cm_to_inches", (30.48,), 12)
    close("liters_to_gallons", (3.785411784,), 1)
    close("liters_to_gallons", (7.570823568,), 2)
    close("gallons_to_liters", (1,), 3.785411784)
    close("gallons_to_liters", (2,), 7.570823568)
    close("meters_to_feet", (0.3048,), 1)
    close("meters_to_feet", (3.048,), 10)
    close("feet_to_meters", (1,), 0.3048)
    close("feet_to_meters", (10,), 3.048)

    # number bases and numerals
    eq("hex_to_decimal", ("ff",), 255)
    eq("hex_to_decimal", ("1A",), 26)
    eq("hex_to_decimal", ("0x10",), 16)
    raises("hex_to_decimal", ("xyz",))
    eq("decimal_to_hex", (255,), "ff")
    eq("decimal_to_hex", (0,), "0")
    eq("decimal_to_hex", (4096,), "1000")
    raises("decimal_to_hex", (-1,))
    eq("decimal_to_binary", (10,), "1010")
    eq("decimal_to_binary", (0,), "0")
    eq("decimal_to_binary", (255,), "11111111")
    raises("decimal_to_binary", (-3,))
    eq("binary_to_decimal", ("1010",), 10)
    eq("binary_to_decimal", ("0",), 0)
    eq("binary_to_decimal", ("11111111",), 255)
    raises("binary_to_decimal", ("102",))
    eq("roman_to_int", ("XIV",), 14)
    eq("roman_to_int", ("MCMXCIV",), 1994)
    eq("roman_to_int", ("iv",), 4)
    raises("roman_to_int", ("IIII",))
    raises("roman_to_int", ("ABC",))
    eq("int_to_roman", (14,), "XIV")
    eq("int_to_roman", (1994,), "MCMXCIV")
    eq("int_to_roman", (3999,), "MMMCMXCIX")
    raises("int_to_roman", (0,))

    # base64 / case
    eq("encode_base64", ("hello",), "aGVsbG8=")
    eq("encode_base64", ("Man",), "TWFu")
    eq("encode_base64", ("",), "")
    eq("decode_base64", ("aGVsbG8=",), "hello")
    eq("decode_base64", ("TWFu",), "Man")
    eq("decode_base64", ("aGVsbG8",), "hello")
    eq("to_uppercase", ("Hello World",), "HELLO WORLD")
    eq("to_uppercase", ("abc123",), "ABC123")
    eq("to_lowercase", ("Hello World",), "hello world")
    eq("to_lowercase", ("ABC123",), "abc123")

    # sorting
    data = [3, 1.5, 2, 10]
    eq("sort_numbers_descending", (data,), [10, 3, 2, 1.5])
    eq("sort_numbers_descending", ([-1, 5, 0],), [5, 0, -1])
    eq("sort_numbers_ascending", (data,), [1.5, 2, 3, 10])
    eq("sort_numbers_ascending", ([-1, 5, 0],), [-1, 0, 5])
    if data != [3, 1.5, 2, 10]:
        fail("sorting modified its input list")
    eq("sort_strings_alphabetically", (["banana", "Apple", "cherry"],), ["Apple", "banana", "cherry"])
    eq("sort_strings_alphabetically", (["b", "a", "c"],), ["a", "b", "c"])
    eq("sort_strings_by_length", (["ccc", "a", "bb"],), ["a", "bb", "ccc"])
    eq("sort_strings_by_length", (["bb", "aa", "c"],), ["c", "bb", "aa"])

    # primes and integer maths
    eq("first_n_primes", (5,), [2, 3, 5, 7, 11])
    eq("first_n_primes", (1,), [2])
    eq("first_n_primes", (0,), [])
    eq("primes_up_to", (20,), [2, 3, 5, 7, 11, 13, 17, 19])
    eq("primes_up_to", (2,), [2])
    eq("primes_up_to", (1,), [])
    eq("is_prime", (2,), True)
    eq("is_prime", (17,), True)
    eq("is_prime", (1,), False)
    eq("is_prime", (15,), False)
    eq("is_prime", (0,), False)
    eq("factorial", (0,), 1)
    eq("factorial", (5,), 120)
    eq("factorial", (10,), 3628800)
    raises("factorial", (-1,))
    eq("fibonacci_sequence", (7,), [0, 1, 1, 2, 3, 5, 8])
    eq("fibonacci_sequence", (1,), [0])
    eq("fibonacci_sequence", (0,), [])
    eq("gcd", (12, 18), 6)
    eq("gcd", (17, 5), 1)
    eq("gcd", (0, 5), 5)
    eq("lcm", (4, 6), 12)
    eq("lcm", (3, 5), 15)
    eq("lcm", (0, 5), 0)
    close("square_root", (16,), 4)
    close("square_root", (2.25,), 1.5)
    raises("square_root", (-4,))
    close("power", (2, 10), 1024)
    close("power", (9, 0.5), 3)
    close("power", (2, -1), 0.5)
    eq("is_even", (4,), True)
    eq("is_even", (7,), False)
    eq("is_even", (0,), True)
    eq("is_even", (-2,), True)
    eq("digit_sum", (1234,), 10)
    eq("digit_sum", (0,), 0)
    eq("digit_sum", (-56,), 11)
    eq("is_perfect_square", (16,), True)
    eq("is_perfect_square", (15,), False)
    eq("is_perfect_square", (0,), True)
    eq("is_perfect_square", (-4,), False)
    eq("round_up", (2.1,), 3)
    eq("round_up", (-2.1,), -2)
    eq("round_up", (3.0,), 3)
    eq("round_down", (2.9,), 2)
    eq("round_down", (-2.1,), -3)

    # dates
    eq("date_after_days", ("2024-02-28", 1), "2024-02-29")
    eq("date_after_days", ("2023-12-31", 1), "2024-01-01")
    eq("date_after_days", ("2024-01-01", 30), "2024-01-31")
    eq("date_before_days", ("2024-03-01", 1), "2024-02-29")
    eq("date_before_days", ("2023-03-01", 1), "2023-02-28")
    eq("date_before_days", ("2024-01-01", 1), "2023-12-31")
    eq("days_between_dates", ("2024-01-01", "2024-03-01"), 60)
    eq("days_between_dates", ("2023-01-01", "2024-01-01"), 365)
    eq("days_between_dates", ("2024-03-01", "2024-01-01"), 60)
    eq("day_of_week", ("2024-01-01",), "Monday")
    eq("day_of_week", ("2000-01-01",), "Saturday")
    eq("day_of_week", ("1969-07-20",), "Sunday")
    eq("is_leap_year", (2024,), True)
    eq("is_leap_year", (1900,), False)
    eq("is_leap_year", (2000,), True)
    eq("is_leap_year", (2023,), False)
    eq("age_from_birthdate", ("1990-05-15", "2024-05-14"), 33)
    eq("age_from_birthdate", ("1990-05-15", "2024-05-15"), 34)
    eq("age_from_birthdate", ("2000-02-29", "2023-02-28"), 22)
    eq("age_from_birthdate", ("2000-02-29", "2023-03-01"), 23)
    eq("seconds_to_hms", (3661,), "01:01:01")
    eq("seconds_to_hms", (0,), "00:00:00")
    eq("seconds_to_hms", (90000,), "25:00:00")

    # ciphers and whitespace
    eq("caesar_encrypt", ("abc", 3), "def")
    eq("caesar_encrypt", ("xyz", 3), "abc")
    eq("caesar_encrypt", ("Hello, World!", 3), "Khoor, Zruog!")
    eq("caesar_decrypt", ("def", 3), "abc")
    eq("caesar_decrypt", ("abc", 3), "xyz")
    eq("caesar_decrypt", ("Khoor, Zruog!", 3), "Hello, World!")
    eq("strip_leading_whitespace", ("  hi  ",), "hi  ")
    eq("strip_leading_whitespace", ("\t\nx",), "x")
    eq("strip_trailing_whitespace", ("  hi  ",), "  hi")
    eq("strip_trailing_whitespace", ("x \n",), "x")

    # text
    eq("reverse_string", ("hello",), "olleh")
    eq("reverse_string", ("",), "")
    eq("reverse_words", ("hello big world",), "world big hello")
    eq("reverse_words", ("one",), "one")
    eq("count_vowels", ("Hello World",), 3)
    eq("count_vowels", ("AEIOU xyz",), 5)
    eq("count_consonants", ("Hello World",), 7)
    eq("count_consonants", ("rhythm",), 6)
    eq("count_words", ("hello world",), 2)
    eq("count_words", ("  a  b   c ",), 3)
    eq("count_words", ("",), 0)
    eq("count_characters", ("hello world",), 11)
    eq("count_characters", ("",), 0)
    eq("count_sentences", ("Hi. How are you? Fine!",), 3)
    eq("count_sentences", ("Hello world",), 1)
    eq("count_sentences", ("Wait... what?!",), 2)
    eq("count_sentences", ("",), 0)
    eq("count_letter", ("banana", "a"), 3)
    eq("count_letter", ("Eevee", "e"), 4)
    eq("count_letter", ("xyz", "a"), 0)
    eq("word_frequencies", ("the cat and the hat",), {"the": 2, "cat": 1, "and": 1, "hat": 1})
    eq("word_frequencies", ("Hi, hi! HI.",), {"hi": 3})
    eq("longest_word", ("The quick brown fox",), "quick")
    eq("longest_word", ("Hello, wonderful world!",), "wonderful")
    eq("is_palindrome", ("Racecar",), True)
    eq("is_palindrome", ("Never odd or even",), True)
    eq("is_palindrome", ("A man, a plan, a canal: Panama",), True)
    eq("is_palindrome", ("hello",), False)
    eq("is_anagram", ("listen", "silent"), True)
    eq("is_anagram", ("Dormitory", "dirty room"), True)
    eq("is_anagram", ("abc", "abd"), False)
    eq("capitalize_words", ("hello world",), "Hello World")
    eq("capitalize_words", ("the NASA mission",), "The NASA Mission")
    eq("remove_punctuation", ("Hello, world!",), "Hello world")
    eq("remove_punctuation", ("it's ok.",), "its ok")
    eq("slugify", ("Hello, World!",), "hello-world")
    eq("slugify", ("  My First   Post ",), "my-first-post")
    eq("slugify", ("Don't Stop",), "dont-stop")
    eq("slugify", ("Café au lait",), "cafe-au-lait")

    # percentages and money
    close("percent_of", (20, 50), 10)
    close("percent_of", (15, 200), 30)
    close("percentage_of_total", (10, 50), 20)
    close("percentage_of_total", (1, 4), 25)
    close("discounted_price", (100, 20), 80)
    close("discounted_price", (50, 10), 45)
    close("add_sales_tax", (100, 8), 108)
    close("add_sales_tax", (50, 10), 55)
    close("compound_interest", (1000, 10, 2), 1210)
    close("compound_interest", (1000, 5, 0), 1000)
    close("simple_interest", (1000, 5, 2), 100)
    close("simple_interest", (500, 4, 1.5), 30)
    close("loan_monthly_payment", (1200, 0, 1), 100)
    eq("loan_monthly_payment", (100000, 6, 30), 599.55, lambda g, e: abs(g - e) < 0.005)
    # 12000 at 12%/yr over 1 year: r = 0.01, n = 12, payment = 120 / (1 - 1.01**-12)
    close("loan_monthly_payment", (12000, 12, 1), 120 / (1 - 1.01 ** -12))

    # statistics and lists
    close("calculate_mean", ([1, 2, 3, 4],), 2.5)
    close("calculate_mean", ([10],), 10)
    raises("calculate_mean", ([],))
    close("calculate_median", ([3, 1, 2],), 2)
    close("calculate_median", ([4, 1, 3, 2],), 2.5)
    close("standard_deviation", ([2, 4, 4, 4, 5, 5, 7, 9],), 2.0)
    close("standard_deviation", ([5, 5],), 0)
    close("find_max", ([3, 9, 2],), 9)
    close("find_max", ([-1, -5],), -1)
    close("find_min", ([3, 9, 2],), 2)
    close("find_min", ([-1, -5],), -5)
    close("second_largest", ([3, 9, 2],), 3)
    close("second_largest", ([5, 5, 4],), 4)
    raises("second_largest", ([7, 7],))
    close("product_of_numbers", ([2, 3, 4],), 24)
    close("product_of_numbers", ([1.5, 2],), 3)
    close("product_of_numbers", ([],), 1)
    eq("remove_duplicates", ([1, 2, 1, 3, 2],), [1, 2, 3])
    eq("remove_duplicates", (["a", "b", "a"],), ["a", "b"])
    eq("remove_duplicates", ([[1], [1], [2]],), [[1], [2]])
    eq("flatten_list", ([1, [2, [3, 4]], 5],), [1, 2, 3, 4, 5])
    eq("flatten_list", ([[], [1], [[2]]],), [1, 2])
    eq("chunk_list", ([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]])
    eq("chunk_list", ([1, 2, 3], 3), [[1, 2, 3]])
    raises("chunk_list", ([1], 0))

    # web and hashing
    eq("validate_email", ("user@example.com",), True)
    eq("validate_email", ("first.last+tag@sub.example.co.uk",), True)
    eq("validate_email", ("userexample.com",), False)
    eq("validate_email", ("user@",), False)
    eq("validate_email", ("user@example",), False)
    eq("validate_email", ("a..b@example.com",), False)
    eq("validate_email", (".a@example.com",), False)
    eq("extract_emails", ("Contact alice@example.com or bob.smith@mail.org.",),
       ["alice@example.com", "bob.smith@mail.org"])
    eq("extract_emails", ("no emails here",), [])
    eq("url_encode", ("hello world",), "hello%20world")
    eq("url_encode", ("a/b?c=d&e",), "a%2Fb%3Fc%3Dd%26e")
    eq("url_encode", ("é",), "%C3%A9")
    eq("sha256_hash", ("abc",), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    eq("sha256_hash", ("",), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")

    # geometry and health
    close("calculate_bmi", (80, 2), 20)
    close("calculate_bmi", (70, 1.75), 70 / 3.0625)
    close("circle_area", (1,), math.pi)
    close("circle_area", (2,), 4 * math.pi)
    close("circle_circumference", (1,), 2 * math.pi)
    close("circle_circumference", (0.5,), math.pi)
    close("rectangle_area", (3, 4), 12)
    close("rectangle_area", (2.5, 2), 5)
    close("sphere_volume", (1,), 4 / 3 * math.pi)
    close("sphere_volume", (3,), 36 * math.pi)
    close("hypotenuse", (3, 4), 5)
    close("hypotenuse", (5, 12), 13)

    # CSV files
    with tempfile.TemporaryDirectory() as tmp:
        prices = os.path.join(tmp, "prices.csv")
        with open(prices, "w", newline="", encoding="utf-8") as handle:
            handle.write("name,price,qty\nA,10,1\nB,20,2\nC,30,6\n\n")
        header_only = os.path.join(tmp, "header.csv")
        with open(header_only, "w", newline="", encoding="utf-8") as handle:
            handle.write("name,price\n")
        close("csv_column_mean", (prices, "price"), 20)
        close("csv_column_mean", (prices, "qty"), 3)
        raises("csv_column_mean", (prices, "missing"), KeyError)
        eq("count_csv_rows", (prices,), 3)
        eq("count_csv_rows", (header_only,), 0)

    for tool in tools:
        if counts.get(tool["name"], 0) < 2:
            fail(f"{tool['name']}: fewer than two example calls")

    if failures:
        for message in failures:
            print("FAIL", message)
        print(f"{len(failures)} failure(s)")
        return 1
    print(f"ok {len(tools)} tools")
    return 0


if __name__ == "__main__":
    sys.exit(main())
