"""Writes the everyday request set (`requests.json`) and its data files (`data/`).

Every `expect` is computed here with Python, never typed by hand. The split into `tune` and `holdout`
is random with a fixed seed, balanced within each category, so both halves cover every category.
Requests that repeat or rephrase an earlier one come after it, in the shape of a real user's day.

    python benchmarks/requests/make_requests.py      # rewrites requests.json and data/
"""
from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import json
import math
import random
import statistics
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
SEED = 20240607

SALES_CSV = """id,region,amount
1,North,120.50
2,South,80.00
3,East,95.25
4,North,210.00
5,West,60.75
6,South,145.00
7,East,33.10
8,North,99.99
9,West,180.00
10,South,72.40
"""

INVENTORY_CSV = """item,category,price,quantity
stapler,office,7.99,25
notebook,office,2.49,120
desk lamp,furniture,24.90,8
chair,furniture,89.00,4
mouse,electronics,15.50,30
keyboard,electronics,32.00,12
headphones,electronics,59.99,6
pen,office,0.99,500
"""

EMPLOYEES = [  # names in alphabetical order, so "the names of ..." has one natural order
    {"name": "Alice", "department": "Engineering", "salary": 95000},
    {"name": "Bob", "department": "Sales", "salary": 52000},
    {"name": "Carla", "department": "Engineering", "salary": 88000},
    {"name": "Dmitri", "department": "Support", "salary": 41000},
    {"name": "Erin", "department": "Sales", "salary": 73000},
    {"name": "Farid", "department": "Engineering", "salary": 67000},
    {"name": "Grace", "department": "Support", "salary": 45500},
]

ORDERS = {"orders": [
    {"order_id": "A100", "customer": "acme", "total": 250.0, "status": "shipped"},
    {"order_id": "A101", "customer": "globex", "total": 99.5, "status": "pending"},
    {"order_id": "A102", "customer": "acme", "total": 40.25, "status": "shipped"},
    {"order_id": "A103", "customer": "initech", "total": 310.0, "status": "cancelled"},
    {"order_id": "A104", "customer": "globex", "total": 12.75, "status": "shipped"},
    {"order_id": "A105", "customer": "umbrella", "total": 505.0, "status": "pending"},
]}


def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def _date(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def _prime(n: int) -> bool:
    return n > 1 and all(n % d for d in range(2, math.isqrt(n) + 1))


def _fib(n: int) -> int:
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def _group(rows, key, value, how):
    groups: dict[str, list[float]] = {}
    for r in rows:
        groups.setdefault(r[key], []).append(float(r[value]))
    return {k: how(v) for k, v in groups.items()}


def _snake(text: str) -> str:
    import re
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text).replace(" ", "_").lower()


def items() -> list[dict]:
    """(category, request, expect, extra) in writing order; `repeat` marks a rephrasing of an earlier one."""
    sales, inv = _rows(SALES_CSV), _rows(INVENTORY_CSV)
    amounts = [float(r["amount"]) for r in sales]
    emp, orders = EMPLOYEES, ORDERS["orders"]
    r2 = lambda x: round(x, 2)  # noqa: E731 - expects the request asks to round, or a human would accept rounded
    conv = [
        ("Convert 5 miles to kilometers, rounded to 2 decimals", r2(5 * 1.609344)),
        ("Convert 25 °C to Fahrenheit", 25 * 9 / 5 + 32),
        ("What is 98.6 degrees Fahrenheit in Celsius?", r2((98.6 - 32) * 5 / 9)),
        ("I have 150 euros. How many US dollars is that at a rate of 1.08 dollars per euro?", r2(150 * 1.08)),
        ("Convert 72 inches to centimeters", r2(72 * 2.54)),
        ("How many pounds is 3.5 kg?", r2(3.5 / 0.45359237)),
        ("Convert 2.5 hours to minutes", 2.5 * 60),
        ("Convert 100 km/h to miles per hour", r2(100 / 1.609344)),
        ("What's 30 degrees Celsius in Fahrenheit? For example 25 °C is 77 °F.", 30 * 9 / 5 + 32),
        ("How many liters are in 3 US gallons?", r2(3 * 3.785411784)),
        ("How many seconds are there in 3 days?", 3 * 24 * 3600),
        ("Convert 500 grams to ounces", r2(500 / 28.349523125)),
    ]
    conv_repeat = [
        ("How many kilometers is 26.2 miles?", r2(26.2 * 1.609344)),
        ("Convert -40 Celsius to Fahrenheit", -40 * 9 / 5 + 32),
        ("what is 212 F in celsius", r2((212 - 32) * 5 / 9)),
        ("Change 80 euros into dollars, 1 euro = 1.08 dollars", r2(80 * 1.08)),
    ]
    text = [
        ("Convert 'Hello World' to snake_case", _snake("Hello World")),
        ("Reverse the string 'hello world'", "hello world"[::-1]),
        ("How many words are in 'the quick brown fox jumps over the lazy dog'?",
         len("the quick brown fox jumps over the lazy dog".split())),
        ("Count the vowels in 'programming is fun'", sum(c in "aeiou" for c in "programming is fun")),
        ("Is 'racecar' a palindrome?", "racecar" == "racecar"[::-1]),
        ("Turn 'make this title case' into Title Case", "make this title case".title()),
        ("Convert 'user_first_name' to camelCase",
         "user_first_name".split("_")[0] + "".join(w.title() for w in "user_first_name".split("_")[1:])),
        ("Make 'shout this' all uppercase", "shout this".upper()),
        ("Count how many times the letter 's' appears in 'mississippi'", "mississippi".count("s")),
        ("Remove all the spaces from 'a b c d e'", "a b c d e".replace(" ", "")),
        ("How many characters are in 'hello, world!'?", len("hello, world!")),
        ("Convert 'helloWorldFooBar' from camelCase to snake_case", _snake("helloWorldFooBar")),
        ("Turn 'Quick Brown Fox' into kebab case, e.g. 'Big Cat' becomes 'big-cat'", "-".join("Quick Brown Fox".lower().split())),
    ]
    s = "A man, a plan, a canal: Panama"
    clean = "".join(c.lower() for c in s if c.isalnum())
    text_repeat = [
        ("Reverse 'Python'", "Python"[::-1]),
        ("Convert 'Another Example Here' to snake_case", _snake("Another Example Here")),
        ("Is 'A man, a plan, a canal: Panama' a palindrome if you ignore spaces, punctuation and case?",
         clean == clean[::-1]),
        ("how many words in 'to be or not to be'", len("to be or not to be".split())),
    ]
    dates = [
        ("What day of the week was 2000-01-01?", calendar.day_name[_date("2000-01-01").weekday()]),
        ("How many days are there between 2024-01-01 and 2024-12-25?",
         (_date("2024-12-25") - _date("2024-01-01")).days),
        ("What date is 45 days after 2024-01-15?", (_date("2024-01-15") + dt.timedelta(days=45)).isoformat()),
        ("Is 2024 a leap year?", calendar.isleap(2024)),
        ("How old is someone born on 1990-05-15 on 2024-03-01, in whole years?",
         2024 - 1990 - ((3, 1) < (5, 15))),
        ("Which day of the year is 2023-12-31? (2023-01-01 is day 1)", _date("2023-12-31").timetuple().tm_yday),
        ("How many whole weeks are there between 2024-01-01 and 2024-03-25?",
         (_date("2024-03-25") - _date("2024-01-01")).days // 7),
        ("What was the date 100 days before 2024-03-01?", (_date("2024-03-01") - dt.timedelta(days=100)).isoformat()),
    ]
    dates_repeat = [
        ("Is 1900 a leap year?", calendar.isleap(1900)),
        ("What day of the week is 2024-07-04?", calendar.day_name[_date("2024-07-04").weekday()]),
        ("How many days from 2023-03-01 to 2023-10-31?", (_date("2023-10-31") - _date("2023-03-01")).days),
        ("Will 2100 be a leap year?", calendar.isleap(2100)),
        ("what's the date 10 days after 2023-12-25", (_date("2023-12-25") + dt.timedelta(days=10)).isoformat()),
    ]
    lists = [
        ("Sort these numbers in ascending order: 5, 3, 9, 1, 7", sorted([5, 3, 9, 1, 7])),
        ("Sort [12, 4, 56, 23, 8] from largest to smallest", sorted([12, 4, 56, 23, 8], reverse=True)),
        ("Remove the duplicates from [1, 2, 2, 3, 1, 4], keeping the first occurrence of each",
         list(dict.fromkeys([1, 2, 2, 3, 1, 4]))),
        ("What is the largest number in [3, 17, 8, 42, 15]?", max([3, 17, 8, 42, 15])),
        ("Find the smallest value in 8, -3, 5, 0, 12", min([8, -3, 5, 0, 12])),
        ("What is the median of [7, 1, 3, 9, 5, 11]?", statistics.median([7, 1, 3, 9, 5, 11])),
        ("What's the second largest number in [10, 20, 4, 45, 99]?", sorted([10, 20, 4, 45, 99])[-2]),
        ("What is the average of 4, 8, 15, 16, 23, 42?", statistics.mean([4, 8, 15, 16, 23, 42])),
        ("What is the sum of [1.5, 2.25, 3.75]?", sum([1.5, 2.25, 3.75])),
        ("Count how many even numbers are in [1, 2, 3, 4, 5, 6, 7, 8]", sum(x % 2 == 0 for x in range(1, 9))),
        ("Flatten [[1, 2], [3], [4, 5]] into one list", [x for xs in [[1, 2], [3], [4, 5]] for x in xs]),
    ]
    words = "banana apple cherry date"
    lists_repeat = [
        ("Sort 3, 1, 2 in ascending order", sorted([3, 1, 2])),
        ("median of 2, 8, 4", statistics.median([2, 8, 4])),
        ("Sort the words 'banana apple cherry date' alphabetically",
         {"any_of": [sorted(words.split()), " ".join(sorted(words.split()))]}),
        ("biggest number in [-5, -2, -9]", max([-5, -2, -9])),
    ]
    numbers = [
        ("Is 97 a prime number?", _prime(97)),
        ("What is the greatest common divisor of 48 and 180?", math.gcd(48, 180)),
        ("Calculate 10 factorial", math.factorial(10)),
        ("What is 15% of 240?", 0.15 * 240),
        ("Round 3.14159 to 2 decimal places", round(3.14159, 2)),
        ("Convert 255 to binary", {"any_of": [bin(255)[2:], bin(255)]}),
        ("Convert the binary number 101101 to decimal", int("101101", 2)),
        ("What is the least common multiple of 4 and 6?", math.lcm(4, 6)),
        ("What is the sum of the digits of 98765?", sum(int(d) for d in "98765")),
        ("What percentage of 180 is 45?", 45 / 180 * 100),
        ("List the prime numbers below 30", [n for n in range(30) if _prime(n)]),
        ("What is the 10th Fibonacci number? The 1st is 1, the 2nd is 1 and the 3rd is 2.", _fib(10)),
        ("What is the square root of 144?", math.sqrt(144)),
    ]
    numbers_repeat = [
        ("Is 91 prime?", _prime(91)),
        ("gcd of 17 and 5", math.gcd(17, 5)),
        ("What is 7 factorial?", math.factorial(7)),
        ("What is 255 in hexadecimal?", {"any_of": ["ff", "FF", "0xff", "0xFF"]}),
    ]
    data = [
        ("What is the total of the amount column in sales.csv?", r2(sum(amounts)), ["sales.csv"]),
        ("What is the average amount in sales.csv?", r2(statistics.mean(amounts)), ["sales.csv"]),
        ("What is the total amount per region in sales.csv?",
         {k: r2(v) for k, v in _group(sales, "region", "amount", sum).items()}, ["sales.csv"]),
        ("How many sales in sales.csv are from the North region?",
         sum(r["region"] == "North" for r in sales), ["sales.csv"]),
        ("What is the average salary in employees.json?", r2(statistics.mean(e["salary"] for e in emp)),
         ["employees.json"]),
        ("How many employees are in each department in employees.json?",
         {d: sum(e["department"] == d for e in emp) for d in dict.fromkeys(e["department"] for e in emp)},
         ["employees.json"]),
        ("List the names of the employees earning more than 70000 in employees.json",
         [e["name"] for e in emp if e["salary"] > 70000], ["employees.json"]),
        ("What is the total value of the stock in inventory.csv (price times quantity)?",
         r2(sum(float(r["price"]) * int(r["quantity"]) for r in inv)), ["inventory.csv"]),
        ("How many items in inventory.csv have a quantity below 10?",
         sum(int(r["quantity"]) < 10 for r in inv), ["inventory.csv"]),
        ("What is the average price per category in inventory.csv?",
         {k: r2(v) for k, v in _group(inv, "category", "price", statistics.mean).items()}, ["inventory.csv"]),
        ("How many orders in orders.json have the status shipped?",
         sum(o["status"] == "shipped" for o in orders), ["orders.json"]),
        ("What is the total of all orders in orders.json?", r2(sum(o["total"] for o in orders)), ["orders.json"]),
    ]
    data_repeat = [
        ("Sum the amount column of sales.csv", r2(sum(amounts)), ["sales.csv"]),
        ("What is the largest amount in sales.csv?", max(amounts), ["sales.csv"]),
        ("What's the total salary of the Engineering department in employees.json?",
         sum(e["salary"] for e in emp if e["department"] == "Engineering"), ["employees.json"]),
        ("What is the total order value per customer in orders.json?",
         {k: r2(v) for k, v in _group(orders, "customer", "total", sum).items()}, ["orders.json"]),
    ]
    out = []
    for category, first, later in (("conversion", conv, conv_repeat), ("text", text, text_repeat),
                                   ("dates", dates, dates_repeat), ("lists", lists, lists_repeat),
                                   ("numbers", numbers, numbers_repeat), ("data", data, data_repeat)):
        for repeat, group in ((False, first), (True, later)):
            for row in group:
                item = {"request": row[0], "expect": row[1], "category": category}
                if len(row) > 2:
                    item["data_files"] = row[2]
                if repeat:
                    item["note"] = "rephrases or reuses an earlier request of its category"
                out.append(item)
    return out


def order_and_split(rows: list[dict], seed: int = SEED) -> list[dict]:
    """A user's day: first requests shuffled, each repeat placed somewhere after every first request of its
    category (so the tool it may reuse exists); tune/holdout alternate within each category after a seeded
    shuffle, so both halves cover every category."""
    rng = random.Random(seed)
    for category in dict.fromkeys(r["category"] for r in rows):
        group = [r for r in rows if r["category"] == category]
        rng.shuffle(group)
        for i, r in enumerate(group):
            r["split"] = "tune" if i % 2 == 0 else "holdout"
    firsts = [r for r in rows if "note" not in r]
    repeats = [r for r in rows if "note" in r]
    rng.shuffle(firsts)
    day = list(firsts)
    for r in repeats:
        last_first = max(i for i, x in enumerate(day) if x["category"] == r["category"] and "note" not in x)
        day.insert(rng.randint(last_first + 1, len(day)), r)
    return [{"request": r["request"], "expect": r["expect"], "split": r["split"], "category": r["category"],
             **({"data_files": r["data_files"]} if "data_files" in r else {}),
             **({"note": r["note"]} if "note" in r else {})} for r in day]


def main() -> None:
    DATA.mkdir(parents=True, exist_ok=True)
    (DATA / "sales.csv").write_text(SALES_CSV)
    (DATA / "inventory.csv").write_text(INVENTORY_CSV)
    (DATA / "employees.json").write_text(json.dumps(EMPLOYEES, indent=2) + "\n")
    (DATA / "orders.json").write_text(json.dumps(ORDERS, indent=2) + "\n")
    rows = order_and_split(items())
    (HERE / "requests.json").write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n")
    counts = {s: sum(r["split"] == s for r in rows) for s in ("tune", "holdout")}
    print(f"{len(rows)} requests written to {HERE / 'requests.json'}: {counts}")


if __name__ == "__main__":
    main()
