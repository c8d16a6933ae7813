"""The shape of a user's CSV or JSON data file: header, value kinds, dialect or layout, a few real values.

Tests for a tool that reads data files run against tiny fixture files written in this shape (see
data_fixtures.py), so the reader records whatever a faithful copy needs: delimiter, quoting, line ending,
BOM, decimal mark, date format, float precision, JSON layout and indentation.
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

CSV_SUFFIXES = {".csv", ".tsv", ".tab", ".txt"}
JSON_SUFFIXES = {".json"}
JSON_LINES_SUFFIXES = {".jsonl", ".ndjson"}
SAMPLES = 8  # distinct values kept per column: enough to fill 5 fixture rows with distinct names

_DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_INT = re.compile(r"[+-]?(?:0|[1-9]\d*)")  # leading zeros (zip codes, ids like 007) stay text
_FLOAT_DOT = re.compile(r"[+-]?(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?\d+[eE][+-]?\d+")
_FLOAT_COMMA = re.compile(r"[+-]?\d+,\d+")
_BOOL_PAIRS = [("true", "false"), ("yes", "no"), ("t", "f"), ("y", "n")]
# Tried in order; a column is a date column when one format parses every non-empty value.
DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M",
                "%Y/%m/%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%d-%m-%Y", "%Y-%m"]


@dataclass(frozen=True)
class DataShape:
    """What a fixture must copy from the user's file. The first seven fields are the public contract."""
    path: str
    format: str                      # "csv" | "json"
    columns: list[str]
    kinds: dict[str, str]            # column -> "int" | "float" | "str" | "date" | "bool" | "other" (nested JSON)
    samples: dict[str, list]
    layout: str                      # csv: "comma" | "semicolon" | "tab" | "pipe"; json: "records" |
                                     # "object:<key>" | "mapping" | "lines"
    row_count: int
    delimiter: str = ","
    quoting: str = "minimal"         # csv: "minimal" | "all" | "nonnumeric" (text quoted, numbers bare)
    header_quoted: bool = False
    quotechar: str = '"'
    line_terminator: str = "\n"
    bom: bool = False
    decimal: str = "."               # "," for files like 12,50 in semicolon CSVs
    decimals: dict[str, int] = field(default_factory=dict)       # float column -> digits after the mark
    date_formats: dict[str, str] = field(default_factory=dict)   # date column -> strptime format
    bool_tokens: dict[str, tuple] = field(default_factory=dict)  # csv bool column -> (true text, false text)
    ambiguous_dates: frozenset = frozenset()  # d/m/Y or m/d/Y columns whose days are all <= 12
    unique: frozenset = frozenset()  # columns whose values never repeat in the user's file (names, ids)
    indent: int | None = None        # json indentation; None = compact one-liner
    key_samples: list = field(default_factory=list)  # json "mapping": a few of the user's keys
    other_keys: dict = field(default_factory=dict)    # json "object:<key>": the top level (records -> None)
    trailing_newline: bool = True
    ranges: dict[str, tuple] = field(default_factory=dict)  # numeric column -> (min, max) over the rows read
    orders: list = field(default_factory=list)  # (a, b): numeric column a exceeds b in every row read


def read_shape(path: str | Path, max_rows: int = 2000) -> DataShape:
    """Inspect a user's CSV or JSON file; ValueError for a file that is neither, empty, or not tabular."""
    p = Path(path)
    raw = p.read_bytes()
    if not raw.strip():
        raise ValueError(f"{p.name} is empty")
    if b"\x00" in raw:
        raise ValueError(f"{p.name} is a binary file, not CSV or JSON")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{p.name} is not UTF-8 text, so not a CSV or JSON file this tool can read") from None
    bom = text.startswith("\ufeff")
    body = text[1:] if bom else text
    suffix = p.suffix.lower()
    if suffix in JSON_LINES_SUFFIXES:
        return _json_lines_shape(str(path), body, max_rows, bom)
    if suffix in JSON_SUFFIXES or (suffix not in CSV_SUFFIXES and body.lstrip()[:1] in ("[", "{")):
        return _json_shape(str(path), body, max_rows, bom)
    return _csv_shape(str(path), body, max_rows, bom, tab_default=suffix in (".tsv", ".tab"),
                      one_column_ok=suffix in CSV_SUFFIXES - {".txt"})


# -- CSV --------------------------------------------------------------------------------------------

def _csv_shape(path: str, text: str, max_rows: int, bom: bool, tab_default: bool,
               one_column_ok: bool = True) -> DataShape:
    name = Path(path).name
    dialect = _sniff(text, tab_default)
    rows = csv.reader(io.StringIO(text, newline=""), dialect)
    header = next((r for r in rows if any(c.strip() for c in r)), None)
    if header is None or len(header) < 2 and not one_column_ok:
        raise ValueError(f"{name} is not a table: no delimited header row")
    if len(set(header)) != len(header) or any(not h.strip() for h in header):
        raise ValueError(f"{name} has no usable header row (blank or repeated column names: {header})")
    if all(_INT.fullmatch(h.strip()) or _FLOAT_DOT.fullmatch(h.strip()) for h in header):
        raise ValueError(f"{name} has no header row (the first row is all numbers); add column names")
    values: dict[str, list[str]] = {h: [] for h in header}
    count = 0
    for row in rows:
        if not any(c.strip() for c in row):
            continue
        count += 1
        if count <= max_rows:
            for h, v in zip(header, row + [""] * (len(header) - len(row))):  # short rows: blanks, aligned
                values[h].append(v.strip())
    if count == 0:
        raise ValueError(f"{name} has a header but no data rows")
    quoting, header_quoted = _quoting(text, dialect)
    decimal = "," if dialect.delimiter != "," and _uses_decimal_comma(values) else "."
    kinds, decimals, dates, bools, ambiguous = {}, {}, {}, {}, set()
    for h, vs in values.items():
        kinds[h] = _csv_kind(vs, decimal)
        if kinds[h] == "float":
            decimals[h] = max(_digits_after(v, decimal) for v in vs if v)
        elif kinds[h] == "date":
            dates[h] = date_format(vs)
            if ambiguous_day_month(vs, dates[h]):
                ambiguous.add(h)
        elif kinds[h] == "bool":
            bools[h] = _bool_tokens(vs)
    samples = {h: _distinct([_csv_value(v, kinds[h], decimal, bools.get(h)) for v in vs if v])
               for h, vs in values.items()}
    return DataShape(path=path, format="csv", columns=list(header), kinds=kinds, samples=samples,
                     layout=_DELIMITERS.get(dialect.delimiter, repr(dialect.delimiter)), row_count=count,
                     delimiter=dialect.delimiter, quoting=quoting, header_quoted=header_quoted,
                     quotechar=dialect.quotechar,
                     line_terminator="\r\n" if "\r\n" in text else "\n", bom=bom, decimal=decimal,
                     decimals=decimals, date_formats=dates, bool_tokens=bools, unique=_unique_columns(values),
                     ambiguous_dates=frozenset(ambiguous),
                     ranges=_ranges(_numeric_values(values, kinds, decimal, bools)),
                     orders=_orders(_numeric_values(values, kinds, decimal, bools, aligned=True)),
                     trailing_newline=text.endswith(("\n", "\r")))


def _sniff(text: str, tab_default: bool) -> type[csv.Dialect] | csv.Dialect:
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters="".join(_DELIMITERS))
    except csv.Error:
        # The sniffer gives up on one-column-looking samples; the delimiter that splits the header wins.
        first = sample.splitlines()[0] if sample else ""
        counts = {d: first.count(d) for d in _DELIMITERS}
        best = max(counts, key=counts.get)
        delim = "\t" if tab_default and counts["\t"] else best if counts[best] else ","

        class Dialect(csv.excel):
            delimiter = delim
        return Dialect


def _quoting(text: str, dialect) -> tuple[str, bool]:
    """How the user's writer quoted data fields, and whether it quoted the header (csv.reader hides both)."""
    q, d = dialect.quotechar, dialect.delimiter
    if not q or q not in text:
        return "minimal", False
    field_re = re.compile(rf"\s*({re.escape(q)}(?:[^{re.escape(q)}]|{re.escape(q)}{{2}})*{re.escape(q)}"
                          rf"|[^{re.escape(d)}]*)\s*(?:{re.escape(d)}|$)")
    lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
    split = [[m.group(1) for m in field_re.finditer(ln) if m.group(1)] for ln in lines]

    def quoted(f: str) -> bool:
        return len(f) >= 2 and f.startswith(q) and f.endswith(q)

    header_quoted = bool(split) and all(quoted(f) for f in split[0])
    raw = [f for fields in split[1:] for f in fields]
    if raw and all(quoted(f) for f in raw):
        return "all", header_quoted
    numeric = [bool(_INT.fullmatch(f) or _FLOAT_DOT.fullmatch(f) or _FLOAT_COMMA.fullmatch(f)) for f in raw]
    if any(numeric) and all(quoted(f) or num for f, num in zip(raw, numeric)):
        return "nonnumeric", header_quoted
    return "minimal", header_quoted


def _uses_decimal_comma(values: dict[str, list[str]]) -> bool:
    flat = [v for vs in values.values() for v in vs if v]
    return any(_FLOAT_COMMA.fullmatch(v) for v in flat) and not any(_FLOAT_DOT.fullmatch(v) for v in flat)


def _csv_kind(values: list[str], decimal: str) -> str:
    vs = [v for v in values if v]
    if not vs:
        return "str"
    if all(_INT.fullmatch(v) for v in vs):
        return "int"
    num = _FLOAT_COMMA if decimal == "," else _FLOAT_DOT
    if all(_INT.fullmatch(v) or num.fullmatch(v) for v in vs):
        return "float"
    if _bool_tokens(vs):
        return "bool"
    if date_format(vs):
        return "date"
    return "str"


def _csv_value(text: str, kind: str, decimal: str, tokens: tuple | None) -> Any:
    if kind == "int":
        return int(text)
    if kind == "float":
        return float(text.replace(",", ".") if decimal == "," else text)
    if kind == "bool":
        return text.lower() == tokens[0].lower()
    return text


def _bool_tokens(values: list[str]) -> tuple | None:
    """The (true, false) spellings when every value is one of a boolean pair, in the user's own case."""
    lowered = {v.lower() for v in values if v}
    for t, f in _BOOL_PAIRS:
        if lowered and lowered <= {t, f}:
            seen = {v.lower(): v for v in values if v}
            like = next(iter(seen.values()))
            def cased(word: str) -> str:
                return seen.get(word) or (word.upper() if like.isupper() else
                                          word.capitalize() if like[:1].isupper() else word)
            return cased(t), cased(f)
    return None


def _digits_after(text: str, mark: str) -> int:
    mantissa = re.split("[eE]", text)[0]
    return len(mantissa.split(mark, 1)[1]) if mark in mantissa else 0


# -- JSON -------------------------------------------------------------------------------------------

def _json_shape(path: str, text: str, max_rows: int, bom: bool) -> DataShape:
    name = Path(path).name
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        if Path(path).suffix.lower() in JSON_SUFFIXES:
            raise ValueError(f"{name} is not valid JSON: {exc}") from None
        return _csv_shape(path, text, max_rows, bom, tab_default=False, one_column_ok=False)
    records, layout, keys = _records(data, name)
    # The whole top level, the records' key standing for the records, so fixtures keep the key order.
    extra = {k: None if f"object:{k}" == layout else v for k, v in data.items()} \
        if layout.startswith("object:") else {}
    return _records_shape(path, records, layout, max_rows, bom, indent=_indent(text), key_samples=keys,
                          trailing_newline=text.endswith("\n"), other_keys=extra)


def _json_lines_shape(path: str, text: str, max_rows: int, bom: bool) -> DataShape:
    records = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{Path(path).name} line {n} is not JSON: {exc}") from None
    if not records or not all(isinstance(r, dict) and r for r in records):
        raise ValueError(f"{Path(path).name} is not tabular: every line must be a JSON object")
    return _records_shape(path, records, "lines", max_rows, bom, indent=None, key_samples=[],
                          trailing_newline=text.endswith("\n"))


def _records(data: Any, name: str) -> tuple[list[dict], str, list]:
    """The list of records in one of the layouts we can rewrite faithfully."""
    def is_records(v: Any) -> bool:
        return isinstance(v, list) and bool(v) and all(isinstance(r, dict) and r for r in v)

    if is_records(data):
        return data, "records", []
    if isinstance(data, dict) and data:
        lists = [(k, v) for k, v in data.items() if is_records(v)]
        if lists:
            key, recs = max(lists, key=lambda kv: len(kv[1]))
            return recs, f"object:{key}", []
        if all(isinstance(v, dict) and v for v in data.values()):
            return list(data.values()), "mapping", list(data)[:SAMPLES]
    raise ValueError(f"{name} is not tabular JSON ({_describe(data)}): expected a list of objects, "
                     "an object holding one, or an object of objects")


def _describe(data: Any) -> str:
    if not isinstance(data, (list, dict)):
        return f"a single {type(data).__name__} value"
    if not data:
        return f"an empty {type(data).__name__}"
    items = data if isinstance(data, list) else list(data.values())
    return f"a {type(data).__name__} of {', '.join(sorted({type(v).__name__ for v in items}))}"


def _records_shape(path: str, records: list[dict], layout: str, max_rows: int, bom: bool, *,
                   indent: int | None, key_samples: list, trailing_newline: bool,
                   other_keys: dict | None = None) -> DataShape:
    columns: list[str] = []
    for r in records[:max_rows]:
        columns += [k for k in r if k not in columns]
    values = {c: [r[c] for r in records[:max_rows] if r.get(c) is not None] for c in columns}
    kinds = {c: _json_kind(vs) for c, vs in values.items()}
    decimals = {c: max((_digits_after(repr(float(v)), ".") for v in vs), default=1)
                for c, vs in values.items() if kinds[c] == "float"}
    dates = {c: date_format(values[c]) for c in columns if kinds[c] == "date"}
    ambiguous = frozenset(c for c, f in dates.items() if ambiguous_day_month(values[c], f))
    samples = {c: _distinct(vs) for c, vs in values.items()}
    return DataShape(path=path, format="json", columns=columns, kinds=kinds, samples=samples, layout=layout,
                     row_count=len(records), bom=bom, decimals=decimals, date_formats=dates,
                     unique=_unique_columns(values), indent=indent, key_samples=key_samples,
                     other_keys=other_keys or {}, ambiguous_dates=ambiguous,
                     ranges=_ranges({c: values[c] for c in columns if kinds[c] in ("int", "float")}),
                     orders=_orders({c: [r.get(c) for r in records[:max_rows]] for c in columns
                                     if kinds[c] in ("int", "float")}),
                     trailing_newline=trailing_newline)


def _json_kind(values: list) -> str:
    if not values:
        return "str"
    if all(isinstance(v, bool) for v in values):
        return "bool"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "int"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return "float"
    if all(isinstance(v, str) for v in values):
        return "date" if date_format(values) else "str"
    return "other"


def _indent(text: str) -> int | None:
    m = re.search(r"^[\[{]\s*\n([ \t]+)\S", text.lstrip())
    return len(m.group(1).expandtabs(4)) if m else None


# -- shared -----------------------------------------------------------------------------------------

def date_format(values: list[str]) -> str | None:
    """The first known date format that parses every non-empty value; None when none does."""
    vs = [v for v in values if v]
    for fmt in DATE_FORMATS:
        try:
            for v in vs:
                datetime.strptime(v, fmt)
            return fmt if vs else None
        except ValueError:
            continue
    return None


def ambiguous_day_month(values: list[str], fmt: str) -> bool:
    """True when the user's dates read as well day-first as month-first (all days <= 12)."""
    swap = {"%d/%m/%Y": "%m/%d/%Y", "%m/%d/%Y": "%d/%m/%Y"}.get(fmt)
    if not swap:
        return False
    try:
        for v in values:
            datetime.strptime(v, swap)
    except ValueError:
        return False
    return True


def _distinct(values: list) -> list:
    """Up to SAMPLES distinct values in first-seen order (nested JSON values: the first one only)."""
    out: list = []
    for v in values:
        if v not in out and (not isinstance(v, (dict, list)) or not out):
            out.append(v)
        if len(out) >= SAMPLES:
            break
    return out


def _numeric_values(values: dict[str, list[str]], kinds: dict, decimal: str, bools: dict,
                    aligned: bool = False) -> dict[str, list]:
    """Every numeric CSV value as a number; `aligned` keeps blanks as None so rows line up."""
    return {c: [_csv_value(v, kinds[c], decimal, bools.get(c)) if v else None for v in vs if v or aligned]
            for c, vs in values.items() if kinds[c] in ("int", "float")}


def _orders(columns: dict[str, list]) -> list[tuple[str, str]]:
    """Pairs (a, b) of numeric columns with a > b in every row holding both (price > cost): fixtures keep it."""
    out = []
    for a, va in columns.items():
        for b, vb in columns.items():
            both = [(x, y) for x, y in zip(va, vb) if isinstance(x, (int, float)) and isinstance(y, (int, float))]
            if a != b and len(both) > 1 and all(x > y for x, y in both):
                out.append((a, b))
    return out


def _ranges(numbers: dict[str, list]) -> dict[str, tuple]:
    return {c: (min(vs), max(vs)) for c, vs in numbers.items() if vs}


def _unique_columns(values: dict[str, list]) -> frozenset:
    """Columns whose values never repeat (names, ids): fixtures keep them distinct too."""
    out = set()
    for c, vs in values.items():
        hashable = [json.dumps(v, sort_keys=True) for v in vs]
        if len(hashable) > 1 and len(set(hashable)) == len(hashable):
            out.add(c)
    return frozenset(out)
