"""Fixture data files for tools that read data files: shapes read from real files, fixtures that copy them."""
from __future__ import annotations

import csv
import io
import json
import os
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import pytest

from selfeng.data_fixtures import (DataShape, Fixture, data_files_in_request, describe_fixture, make_fixtures,
                                   read_shape)

SALES = ("id,date,region,product,amount,price,active\n"
         "1,2024-03-02,North,\"Widget, large\",12,25.50,true\n"
         "2,2024-03-05,South,Gadget,7,40.25,false\n"
         "3,2024-04-11,North,Gizmo,30,12.75,true\n"
         "4,2024-04-19,East,Doohickey,5,80.00,true\n"
         "5,2024-05-01,South,Thing,18,9.99,false\n"
         "6,2024-05-09,West,Gadget,21,40.25,true\n")
EURO = ('name;city;score\r\n"Anna";"Köln";12,5\r\n"Ben";"Bonn";7,25\r\n"Cleo";"Köln";3,75\r\n'
        '"Dora";"Bonn";8,5\r\n')
ITEMS = {"generated": "2024-01-01",
         "items": [{"sku": "A1", "category": "tools", "qty": 3, "price": 2.5, "in_stock": True},
                   {"sku": "B2", "category": "toys", "qty": 10, "price": 12.0, "in_stock": False},
                   {"sku": "C3", "category": "tools", "qty": 1, "price": 100.25, "in_stock": True},
                   {"sku": "D4", "category": "garden", "qty": 4, "price": 7.75, "in_stock": True}]}


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    p = tmp_path / name
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content, encoding="utf-8", newline="")
    return p


def parse_csv(fixture: Fixture, shape: DataShape) -> tuple[list[str], list[dict]]:
    text = fixture.content.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=shape.delimiter)
    return list(reader.fieldnames or []), list(reader)


def is_easy(x: float) -> bool:
    """Easy to add up in one's head: a whole number, a half or a quarter."""
    return (x * 4) == int(x * 4)


# -- reading shapes ---------------------------------------------------------------------------------

def test_comma_csv_with_quoted_commas_dates_floats_and_bools(tmp_path):
    shape = read_shape(write(tmp_path, "sales.csv", SALES))
    assert (shape.format, shape.layout, shape.delimiter, shape.row_count) == ("csv", "comma", ",", 6)
    assert shape.columns == ["id", "date", "region", "product", "amount", "price", "active"]
    assert shape.kinds == {"id": "int", "date": "date", "region": "str", "product": "str", "amount": "int",
                           "price": "float", "active": "bool"}
    assert shape.samples["region"] == ["North", "South", "East", "West"]
    assert "Widget, large" in shape.samples["product"]
    assert shape.date_formats["date"] == "%Y-%m-%d"
    assert shape.decimals["price"] == 2
    assert shape.bool_tokens["active"] == ("true", "false")


def test_semicolon_csv_with_decimal_commas_crlf_and_quoted_text(tmp_path):
    shape = read_shape(write(tmp_path, "scores.csv", EURO))
    assert (shape.layout, shape.delimiter, shape.decimal, shape.line_terminator) == ("semicolon", ";", ",", "\r\n")
    assert shape.kinds == {"name": "str", "city": "str", "score": "float"}
    assert shape.samples["score"] == [12.5, 7.25, 3.75, 8.5]
    assert shape.quoting == "nonnumeric" and shape.header_quoted is False


def test_tsv_quote_all_bom_and_day_first_dates(tmp_path):
    text = '\ufeff"day"\t"team"\t"goals"\r\n"25/12/2023"\t"Reds"\t"3"\r\n"02/01/2024"\t"Blues"\t"1"\r\n'
    shape = read_shape(write(tmp_path, "games.tsv", text))
    assert (shape.layout, shape.quoting, shape.header_quoted, shape.bom) == ("tab", "all", True, True)
    assert shape.columns == ["day", "team", "goals"]
    assert shape.kinds == {"day": "date", "team": "str", "goals": "int"}
    assert shape.date_formats["day"] == "%d/%m/%Y" and not shape.ambiguous_dates


def test_blank_cells_and_short_rows_keep_rows_aligned(tmp_path):
    shape = read_shape(write(tmp_path, "gaps.csv", "item,low,high\nA,1,9\nB,,8\nC,3\nD,2,7\n"))
    assert shape.kinds == {"item": "str", "low": "int", "high": "int"} and shape.row_count == 4
    assert shape.orders == [("high", "low")] and shape.ranges == {"low": (1, 3), "high": (7, 9)}


def test_leading_zero_codes_stay_text_and_yes_no_is_bool(tmp_path):
    shape = read_shape(write(tmp_path, "codes.csv", "zip,member\n02134,Yes\n10001,No\n"))
    assert shape.kinds == {"zip": "str", "member": "bool"}
    assert shape.bool_tokens["member"] == ("Yes", "No")


@pytest.mark.parametrize("layout,data", [
    ("records", ITEMS["items"]),
    ("object:items", ITEMS),
    ("mapping", {r["sku"]: {k: v for k, v in r.items() if k != "sku"} for r in ITEMS["items"]}),
])
def test_json_layouts(tmp_path, layout, data):
    shape = read_shape(write(tmp_path, "items.json", json.dumps(data, indent=2)))
    assert (shape.format, shape.layout, shape.row_count, shape.indent) == ("json", layout, 4, 2)
    keys = ["category", "qty", "price", "in_stock"]
    assert shape.columns == (keys if layout == "mapping" else ["sku", *keys])
    assert {k: shape.kinds[k] for k in keys} == {"category": "str", "qty": "int", "price": "float",
                                                "in_stock": "bool"}
    assert shape.samples["category"] == ["tools", "toys", "garden"]
    if layout == "mapping":
        assert shape.key_samples == ["A1", "B2", "C3", "D4"]


def test_json_lines(tmp_path):
    shape = read_shape(write(tmp_path, "events.jsonl", '{"kind": "a", "n": 1}\n{"kind": "b", "n": 2}\n'))
    assert (shape.layout, shape.columns, shape.kinds) == ("lines", ["kind", "n"], {"kind": "str", "n": "int"})


@pytest.mark.parametrize("name,content,message", [
    ("empty.csv", "", "empty"),
    ("blank.json", "  \n", "empty"),
    ("image.csv", bytes(range(256)), "binary"),
    ("latin.csv", "name\ncaf\xe9\n".encode("latin-1"), "UTF-8"),
    ("scalar.json", "42", "single int"),
    ("strings.json", '["a", "b"]', "list of str"),
    ("empty_list.json", "[]", "empty list"),
    ("broken.json", '{"a": [1,', "not valid JSON"),
    ("header_only.csv", "a,b\n", "no data rows"),
    ("numbers.csv", "1,2\n3,4\n", "no header"),
    ("prose.txt", "Just a sentence with no table in it.\nAnd another one.\n", "not a table"),
    ("bad_lines.jsonl", '{"a": 1}\n[1, 2]\n', "JSON object"),
])
def test_files_that_are_not_tables_are_refused_clearly(tmp_path, name, content, message):
    with pytest.raises(ValueError, match=message) as err:
        read_shape(write(tmp_path, name, content))
    assert name in str(err.value)


# -- fixtures keep the user's format ----------------------------------------------------------------

def test_csv_fixtures_keep_header_dialect_and_values_are_small(tmp_path):
    shape = read_shape(write(tmp_path, "sales.csv", SALES))
    fixtures = make_fixtures(shape)
    assert [f.name for f in fixtures] == ["sales_fixture_1.csv", "sales_fixture_2.csv"]
    for f in fixtures:
        header, parsed = parse_csv(f, shape)
        assert header == shape.columns and 3 <= len(parsed) <= 5
        assert read_shape(write(tmp_path, f.name, f.content)).kinds == shape.kinds  # same types, re-read
        for text_row, row in zip(parsed, f.rows):
            assert int(text_row["amount"]) == row["amount"] and float(text_row["price"]) == row["price"]
            assert text_row["active"] == ("true" if row["active"] else "false")
            datetime.strptime(text_row["date"], "%Y-%m-%d")
            assert len(text_row["price"].split(".")[1]) == 2  # the user's two decimals
        assert all(r["amount"] % 5 == 0 and 0 < r["amount"] <= 60 for r in f.rows)  # round, near the user's
        assert all(is_easy(r["price"]) and r["price"] < 100 for r in f.rows)
        assert {r["active"] for r in f.rows} == {True, False}
        assert len({r["id"] for r in f.rows}) == len(f.rows)  # ids stay ids


def test_categories_come_from_the_users_file_and_repeat(tmp_path):
    shape = read_shape(write(tmp_path, "sales.csv", SALES))
    for f in make_fixtures(shape, variants=3):
        regions = [r["region"] for r in f.rows]
        assert set(regions) <= set(shape.samples["region"])
        assert len(set(regions)) < len(regions)  # a group of at least two
        # Products repeat in the user's file (Gadget sold twice), so they are categories too.
        assert {r["product"] for r in f.rows} <= set(shape.samples["product"])


def test_variants_differ_in_every_aggregate(tmp_path):
    shape = read_shape(write(tmp_path, "sales.csv", SALES))
    fixtures = make_fixtures(shape, variants=3)
    assert len({f.content for f in fixtures}) == 3
    aggregates = [(sum(r["amount"] for r in f.rows), sum(r["amount"] for r in f.rows) / len(f.rows),
                   min(r["amount"] for r in f.rows), max(r["amount"] for r in f.rows), len(f.rows))
                  for f in fixtures]
    for i in range(5):  # total, mean, min, max and count all change, so no constant passes two files
        assert len({a[i] for a in aggregates}) == 3, aggregates
    assert make_fixtures(shape, variants=3) == fixtures  # deterministic
    more = make_fixtures(shape, variants=6)
    assert more[:3] == fixtures and len({f.content for f in more}) == 6


def test_totals_averages_groupbys_and_filters_are_easy(tmp_path):
    shape = read_shape(write(tmp_path, "sales.csv", SALES))
    for f in make_fixtures(shape, variants=3):
        prices = [r["price"] for r in f.rows]
        assert sum(prices) * 2 == int(sum(prices) * 2)  # totals end in .0 or .5
        assert is_easy(sum(prices) / len(prices)) and (sum(r["amount"] for r in f.rows) / len(f.rows)) % 1 in (0, .5)
        groups: dict[str, list[int]] = defaultdict(list)
        for r in f.rows:
            groups[r["region"]].append(r["amount"])
        assert all(sum(v) % 5 == 0 and is_easy(sum(v) / len(v)) for v in groups.values())
        amounts = sorted(r["amount"] for r in f.rows)
        assert amounts[0] < amounts[-1] and len(set(amounts)) == len(amounts)  # any threshold splits clearly


def test_semicolon_fixture_keeps_decimal_commas_quotes_and_crlf(tmp_path):
    shape = read_shape(write(tmp_path, "scores.csv", EURO))
    for f in make_fixtures(shape):
        assert f.content.startswith("name;city;score\r\n") and f.content.endswith("\r\n")
        assert "\n" not in f.content.replace("\r\n", "")
        for line, row in zip(f.content.split("\r\n")[1:], f.rows):
            name, city, score = line.split(";")
            assert name == f'"{row["name"]}"' and city == f'"{row["city"]}"'
            assert score == f"{row['score']:.2f}".replace(".", ",")
        assert {r["city"] for r in f.rows} <= {"Köln", "Bonn"}
        again = read_shape(write(tmp_path, f.name, f.content))
        assert (again.delimiter, again.decimal, again.quoting, again.kinds) == (";", ",", "nonnumeric", shape.kinds)


def test_tsv_quote_all_bom_fixture_round_trips(tmp_path):
    text = '\ufeff"day"\t"team"\t"goals"\r\n"25/12/2023"\t"Reds"\t"3"\r\n"02/01/2024"\t"Blues"\t"1"\r\n' \
           '"09/01/2024"\t"Reds"\t"2"\r\n'
    shape = read_shape(write(tmp_path, "games.tsv", text))
    for f in make_fixtures(shape):
        assert f.name.endswith(".tsv") and f.content.startswith('\ufeff"day"\t"team"\t"goals"\r\n')
        again = read_shape(write(tmp_path, f.name, f.content))
        assert (again.quoting, again.header_quoted, again.bom, again.kinds) == ("all", True, True, shape.kinds)
        for r in f.rows:
            datetime.strptime(r["day"], "%d/%m/%Y")


def test_ambiguous_day_month_dates_read_the_same_either_way(tmp_path):
    shape = read_shape(write(tmp_path, "log.csv", "when,n\n01/02/2024,1\n03/04/2024,2\n05/06/2024,3\n"))
    assert shape.ambiguous_dates == {"when"}
    for f in make_fixtures(shape):
        for r in f.rows:
            assert datetime.strptime(r["when"], "%d/%m/%Y") == datetime.strptime(r["when"], "%m/%d/%Y")


@pytest.mark.parametrize("layout", ["records", "object:items", "mapping", "lines"])
def test_json_fixtures_keep_layout_and_keys(tmp_path, layout):
    recs = ITEMS["items"]
    data = {"records": recs, "object:items": ITEMS, "mapping": {r["sku"]: r for r in recs}}.get(layout)
    text = "\n".join(json.dumps(r) for r in recs) + "\n" if layout == "lines" else json.dumps(data, indent=4)
    shape = read_shape(write(tmp_path, "items.jsonl" if layout == "lines" else "items.json", text))
    assert shape.layout == layout
    fixtures = make_fixtures(shape)
    assert fixtures[0].content != fixtures[1].content
    for f in fixtures:
        if layout == "lines":
            parsed = [json.loads(line) for line in f.content.splitlines()]
        else:
            loaded = json.loads(f.content)
            assert f.content.startswith(("[\n    {", "{\n    \""))  # the user's four-space indent
            parsed = {"records": lambda: loaded, "object:items": lambda: loaded["items"],
                      "mapping": lambda: list(loaded.values())}[layout]()
            if layout == "object:items":
                assert list(loaded) == ["generated", "items"] and loaded["generated"] == "2024-01-01"
            if layout == "mapping":
                assert list(loaded) == f.keys and set(f.keys) >= {"A1", "B2", "C3"}
                assert all(rec["sku"] == key for key, rec in loaded.items())  # keys and their field agree
        assert parsed == f.rows
        assert all(list(r) == shape.columns for r in parsed)
        assert all(type(r["qty"]) is int and type(r["price"]) is float and type(r["in_stock"]) is bool
                   for r in parsed)
        categories = [r["category"] for r in parsed]
        assert set(categories) <= {"tools", "toys", "garden"} and len(set(categories)) < len(categories)


def test_numbers_follow_the_users_scale_and_sign(tmp_path):
    text = "city,temp,rate,year\nA,-5,0.05,2019\nB,30,0.30,2023\nC,12,0.15,2021\n"
    shape = read_shape(write(tmp_path, "weather.csv", text))
    for f in make_fixtures(shape):
        temps, rates, years = ([r[c] for r in f.rows] for c in ("temp", "rate", "year"))
        assert min(temps) < 0 and all(t % 10 == 0 for t in temps)
        assert all(0 < x <= 0.55 and (x * 16) == int(x * 16) for x in rates)  # binary fractions add up exactly
        assert all(2019 <= y <= 2030 for y in years)  # years stay years


def test_single_text_column_is_a_label_and_tiny_files_still_group(tmp_path):
    products = read_shape(write(tmp_path, "products.csv", "product,price,cost\nWidget,25.00,15.00\n"
                                "Gadget,40.00,22.00\nGizmo,12.50,10.00\nDoohickey,80.00,44.00\n"))
    for f in make_fixtures(products):
        assert len({r["product"] for r in f.rows}) == len(f.rows)
        assert all(r["price"] > r["cost"] for r in f.rows)  # as in every row of the user's file
    assert products.orders == [("price", "cost")]
    pair = read_shape(write(tmp_path, "people.csv", "name,city,age\nAnna,Rome,30\nBen,Oslo,41\n"))
    for f in make_fixtures(pair):
        cities = [r["city"] for r in f.rows]
        assert len(set(cities)) < len(cities) and set(cities) <= {"Rome", "Oslo"}


def test_describe_fixture_shows_name_and_content(tmp_path):
    f = make_fixtures(read_shape(write(tmp_path, "sales.csv", SALES)))[0]
    text = describe_fixture(f)
    assert text.startswith("File sales_fixture_1.csv:\nid,date,region,product,amount,price,active\n")
    assert text.endswith(f.content.rstrip()) and len(text.splitlines()) == len(f.rows) + 2


# -- files named in a request -----------------------------------------------------------------------

def test_data_files_in_request(tmp_path):
    data_dir = tmp_path / "selfeng" / "data"
    (data_dir / "sub").mkdir(parents=True)
    for name in ("sales.csv", "sub/items.json", "my notes.tsv"):
        (data_dir / name).write_text("a,b\n1,2\n")
    outside = tmp_path / "secret.csv"
    outside.write_text("a,b\n1,2\n")
    os.symlink(outside, data_dir / "link.csv")
    find = lambda text: data_files_in_request(text, data_dir)  # noqa: E731
    assert find("total of amount in sales.csv") == [data_dir / "sales.csv"]
    assert find("Calculate profit margins from data/sales.csv") == [data_dir / "sales.csv"]
    assert find("average qty in sub/items.json and sales.csv, then sales.csv again") == [
        data_dir / "sub" / "items.json", data_dir / "sales.csv"]
    assert find("sum the column in 'my notes.tsv'") == [data_dir / "my notes.tsv"]
    assert find(f"read {data_dir / 'sales.csv'}") == [data_dir / "sales.csv"]
    assert find("read missing.csv") == []
    assert find("read ../secret.csv or data/../../secret.csv") == []
    assert find(f"read {outside}") == []
    assert find("read link.csv") == []  # a symlink out of the folder is not inside it
    assert find("reverse the text hello world") == []


# -- fixtures in the real sandbox -------------------------------------------------------------------

TOTAL = '''import csv


def total(path: str, column: str, where_column: str = "", equals: str = "") -> float:
    """Sum of `column`, optionally over the rows whose `where_column` equals `equals`."""
    with open(path, newline="", encoding="utf-8-sig") as fh:
        sample = fh.read(4096)
        fh.seek(0)
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\\t|")
        rows = list(csv.DictReader(fh, dialect=dialect))
    if where_column:
        rows = [r for r in rows if r[where_column] == equals]
    return sum(float(r[column].replace(",", ".")) for r in rows)
'''
HARD_CODED = "def total(path, column, where_column='', equals=''):\n    return {answer}\n"
AVERAGE_BY = '''import json


def average_by(path: str, value: str, key: str) -> dict:
    """Mean of `value` per distinct `key` over the records of a JSON file (any layout selfeng reads)."""
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        data = lists[0] if lists else list(data.values())
    groups = {}
    for rec in data:
        groups.setdefault(rec[key], []).append(rec[value])
    return {k: sum(v) / len(v) for k, v in groups.items()}
'''


def _sandbox(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("the bwrap sandbox backend runs as root")
    from selfeng.config import load_settings
    from selfeng.sandbox import SecureSandbox
    settings = load_settings(env={"SELFENG_DATA_DIR": str(tmp_path / "selfeng"),
                                  "SELFENG_CACHE_DIR": str(tmp_path / "cache")}, env_file=os.devnull)
    settings.ensure_dirs()
    return SecureSandbox(settings)


def _total_tests(fixtures: list[Fixture]) -> str:
    """Tests the way synthesis renders cases: one function per case, expected values from the fixture rows."""
    lines = ["from pathlib import Path", "import pytest", "from total import total", "",
             "HERE = Path(__file__).parent", ""]
    for i, f in enumerate(fixtures):
        rows = f.rows
        north = [r for r in rows if r["region"] == rows[0]["region"]]
        cases = {"amount": (f.name, "amount", "", "", sum(r["amount"] for r in rows)),
                 "price": (str(f.name), "price", "", "", sum(r["price"] for r in rows)),
                 "filtered": (f.name, "amount", "region", rows[0]["region"], sum(r["amount"] for r in north))}
        for label, (name, col, where, eq, expected) in cases.items():
            lines += [f"def test_{label}_{i}():",
                      f"    assert total(str(HERE / {name!r}), {col!r}, {where!r}, {eq!r}) == "
                      f"pytest.approx({expected!r})", ""]
        lines += [f"def test_relative_path_{i}():",  # the tool process runs in the job directory too
                  f"    assert total({f.name!r}, 'amount') == {sum(r['amount'] for r in rows)!r}", ""]
    return "\n".join(lines)


def test_fixtures_verify_a_csv_tool_in_the_sandbox_and_catch_a_hard_coded_one(tmp_path):
    sandbox = _sandbox(tmp_path)
    fixtures = make_fixtures(read_shape(write(tmp_path, "sales.csv", SALES)))
    files = {f.name: f.content for f in fixtures}
    tests = _total_tests(fixtures)
    good = sandbox.verify_tool("total", TOTAL, tests, data_files=files)
    assert good["success"] is True, good
    assert good["tests_passed"] == good["tests_collected"] == 8
    first_total = sum(r["amount"] for r in fixtures[0].rows)
    cheat = sandbox.verify_tool("total", HARD_CODED.format(answer=first_total), tests, data_files=files)
    assert cheat["success"] is False
    failed = {t["nodeid"].split("::")[1] for t in cheat["tests"] if t["outcome"] == "failed"}
    assert {"test_amount_1", "test_relative_path_1"} <= failed  # the second variant exposes the constant


def test_semicolon_fixtures_with_decimal_commas_verify_in_the_sandbox(tmp_path):
    sandbox = _sandbox(tmp_path)
    fixtures = make_fixtures(read_shape(write(tmp_path, "scores.csv", EURO)))
    tests = "from total import total\nimport pytest\n\n" + "\n".join(
        f"def test_score_{i}():\n    assert total({f.name!r}, 'score') == pytest.approx("
        f"{sum(r['score'] for r in f.rows)!r})\n" for i, f in enumerate(fixtures))
    r = sandbox.verify_tool("total", TOTAL, tests, data_files={f.name: f.content for f in fixtures})
    assert r["success"] is True and r["tests_passed"] == 2, r


def test_json_fixtures_verify_a_group_by_tool_in_the_sandbox(tmp_path):
    sandbox = _sandbox(tmp_path)
    fixtures = make_fixtures(read_shape(write(tmp_path, "items.json", json.dumps(ITEMS, indent=2))))
    lines = ["import pytest", "from average_by import average_by", ""]
    for i, f in enumerate(fixtures):
        groups: dict[str, list[float]] = defaultdict(list)
        for r in f.rows:
            groups[r["category"]].append(r["price"])
        expected = {k: sum(v) / len(v) for k, v in groups.items()}
        lines += [f"def test_mean_price_per_category_{i}():",
                  f"    assert average_by({f.name!r}, 'price', 'category') == pytest.approx({expected!r})", ""]
    r = sandbox.verify_tool("average_by", AVERAGE_BY, "\n".join(lines),
                            data_files={f.name: f.content for f in fixtures})
    assert r["success"] is True and r["tests_passed"] == 2, r
