"""Tiny fixture files in the shape of a user's data file, for the tests of tools that read data files.

A small model writes test cases before any code exists and cannot see the user's file, nor add up many
rows reliably. So the cases run against 3-5 row files in the user's own header, dialect and layout, with
round numbers and the user's own categories; two variants with different values make a tool that
hard-codes an answer fail one of them. The user's own file is then the input of the real run.
"""
from __future__ import annotations

import json
import math
import random
import re
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from pathlib import Path

from .arguments import _FILE as _FILE_MENTION  # the one rule for "a data file named in a request"
from .arguments import quoted_strings
from .data_shape import CSV_SUFFIXES, JSON_LINES_SUFFIXES, JSON_SUFFIXES, DataShape, read_shape

__all__ = ["DataShape", "Fixture", "read_shape", "make_fixtures", "describe_fixture", "data_files_in_request"]

DATA_SUFFIXES = CSV_SUFFIXES | JSON_SUFFIXES | JSON_LINES_SUFFIXES

# Per variant: numeric multipliers (sum, mean, min, max and count all differ between the first three),
# fractions added to floats (each variant's fractions sum to a multiple of 0.5, so totals and means end
# in .0 or .5), and category slots (slot 0 always repeats, so group-bys have a group of two).
_MULTIPLIERS = [[1, 2, 3, 4], [2, 5, 6, 3, 4], [3, 7, 5]]
_QUARTERS = [[0.5, 0.25, 0.5, 0.75], [0.5, 0.5, 0.25, 0.5, 0.75], [0.25, 0.5, 0.75]]
_SLOTS = [[0, 1, 0, 2], [1, 0, 2, 1, 0], [0, 1, 0]]


@dataclass(frozen=True)
class Fixture:
    name: str         # file name to place beside the tests, e.g. "sales_fixture_1.csv"
    content: str      # exact file text, in the user's header/format/dialect/layout
    rows: list[dict]  # the rows as Python values (dates as the text written in the file)
    keys: list = field(default_factory=list)  # json "mapping" layout: the key of each row, in order


def make_fixtures(shape: DataShape, variants: int = 2) -> list[Fixture]:
    """`variants` tiny files (3-5 rows) in the user's file's shape, each with different values; deterministic."""
    fixtures: list[Fixture] = []
    seed = 0
    while len(fixtures) < variants:
        plan = _plan(seed)
        seed += 1
        rows = _rows(shape, plan)
        keys = _keys(shape, plan) if shape.layout == "mapping" else []
        content = _render(shape, rows, keys)
        if any(f.content == content for f in fixtures):
            continue  # a tiny or one-column file can make two plans coincide; try the next plan
        name = f"{_stem(shape.path)}_fixture_{len(fixtures) + 1}{Path(shape.path).suffix.lower() or '.csv'}"
        fixtures.append(Fixture(name=name, content=content, rows=rows, keys=keys))
    return fixtures


def describe_fixture(fixture: Fixture) -> str:
    """The file name and its whole (tiny) content, for a prompt."""
    return f"File {fixture.name}:\n{fixture.content.lstrip(chr(0xFEFF)).rstrip()}"


def data_files_in_request(request: str, data_dir: Path) -> list[Path]:
    """Existing files in `data_dir` that the request names ('sales.csv', 'data/sales.csv'), never outside it."""
    root = Path(data_dir).resolve()
    names = _FILE_MENTION.findall(request) + [q for q in quoted_strings(request)
                                              if Path(q.strip()).suffix.lower() in DATA_SUFFIXES]
    found: list[Path] = []
    for name in names:
        path = resolve_data_file(name.strip(), root)
        if path is not None and path not in found:
            found.append(path)
    return found


def resolve_data_file(name: str, root: Path) -> Path | None:
    """`name` as a file inside `root` (symlinks resolved), or None; mirrors SecureSandbox.check_data_path."""
    raw = Path(name).expanduser()
    # 'data/sales.csv' names the data folder itself: the user sees it as data/ under the data directory.
    candidates = [raw] if raw.is_absolute() else [root / raw, root.parent / raw]
    for candidate in candidates:
        try:
            resolved = candidate.resolve()
        except (OSError, RuntimeError):
            continue
        if resolved != root and root in resolved.parents and resolved.is_file():
            return resolved
    return None


# -- values -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Plan:
    variant: int
    multipliers: list[int]
    quarters: list[float]
    slots: list[int]


def _plan(variant: int) -> _Plan:
    if variant < len(_MULTIPLIERS):
        return _Plan(variant, _MULTIPLIERS[variant], _QUARTERS[variant], _SLOTS[variant])
    rng = random.Random(variant)  # fixed seed: the same variant is the same file on every run
    n = 3 + variant % 3
    slots = [0, 0] + [rng.randrange(n - 1) for _ in range(n - 2)]
    rng.shuffle(slots)
    return _Plan(variant, rng.sample(range(1, 10), n), [0.5] * n, slots)


def _rows(shape: DataShape, plan: _Plan) -> list[dict]:
    n = len(plan.multipliers)
    columns: dict[str, list] = {}
    numeric = categorical = 0
    labels = _label_columns(shape)
    for col in shape.columns:
        kind = shape.kinds.get(col, "str")
        if kind in ("int", "float"):
            columns[col] = _numbers(shape, col, _rotate(plan.multipliers, numeric), _rotate(plan.quarters, numeric))
            numeric += 1
        elif kind == "str" and col not in labels:
            columns[col] = _categories(shape.samples.get(col) or [""], _rotate(plan.slots, categorical), plan)
            categorical += 1
        elif kind == "str":
            columns[col] = _distinct_names(shape.samples.get(col) or [""], n, plan.variant)
        elif kind == "date":
            columns[col] = _dates(shape, col, plan)
        elif kind == "bool":
            columns[col] = [(r + plan.variant) % 2 == 0 for r in range(n)]
        else:  # nested JSON: the user's own first value, verbatim
            columns[col] = [(shape.samples.get(col) or [None])[0]] * n
    rows = [{col: columns[col][r] for col in shape.columns} for r in range(n)]
    return [_keep_orders(row, shape.orders) for row in rows]


def _keep_orders(row: dict, orders: list[tuple[str, str]]) -> dict:
    """Swap values until every (a, b) of the user's file has row[a] > row[b]; each swap removes an
    inversion of the (transitive) order, so this ends."""
    row = dict(row)
    for _ in range(len(orders) ** 2 + 1):
        broken = next(((a, b) for a, b in orders if row[a] < row[b]), None)
        if broken is None:
            break
        a, b = broken
        if isinstance(row[a], int) != isinstance(row[b], int):
            break  # an int and a float column: a swap would change a column's type
        row[a], row[b] = row[b], row[a]
    return row


def _label_columns(shape: DataShape) -> set[str]:
    """Text columns kept distinct (row names); the rest repeat their categories so group-bys have groups.

    A column whose values never repeat in the user's file is a label, except that when no text column
    repeats at all (a file too small to tell), only the first text column is taken for the label."""
    text = [c for c in shape.columns if shape.kinds.get(c) == "str"]
    labels = {c for c in text if c in shape.unique}
    if text and labels == set(text):
        return {text[0]}
    return labels


def _rotate(values: list, k: int) -> list:
    k %= len(values)
    return values[k:] + values[:k]


def _numbers(shape: DataShape, col: str, multipliers: list[int], quarters: list[float]) -> list:
    """base + m * step, with a round step (1, 2 or 5 times a power of ten; below 1, a power of two, which
    adds up exactly in binary) sized so the values stay near the user's own range."""
    lo, hi = shape.ranges.get(col, (0, 0))
    spread = Fraction(hi - lo) or Fraction(abs(hi)) or Fraction(1)
    is_int = shape.kinds[col] == "int"
    top = max(m for row in _MULTIPLIERS for m in row)
    for step in _round_steps(spread, is_int):
        base = math.floor(Fraction(lo) / step) * step
        if base + top * step <= Fraction(hi) + spread:
            break
    values = [base + m * step for m in multipliers]
    if not is_int and step >= 1:  # halves and quarters, or halves only when the user writes one decimal
        halves_only = shape.format == "csv" and shape.decimals.get(col, 2) < 2
        values = [v + Fraction(0.5 if halves_only else q) for v, q in zip(values, quarters)]
    if lo < 0 and all(v >= 0 for v in values):
        values[1] = -values[1] if values[1] else Fraction(-1)  # the user has negatives: so does the fixture
    return [int(v) if is_int else float(v) for v in values]


def _round_steps(spread: Fraction, is_int: bool):
    """Candidate steps from the largest round one not above `spread` downwards (ints stop at 1)."""
    if spread >= 1:
        power = Fraction(10) ** math.floor(math.log10(spread))
        while power >= 1:
            for step in (power, power / 2, power / 5):
                if step >= 1 and step.denominator == 1:
                    yield step
            power /= 10
        if is_int:
            return
        step = Fraction(1, 2)
    else:
        step = Fraction(2) ** math.floor(math.log2(spread))
    for _ in range(12):
        yield step
        step /= 2
    yield step


def _categories(samples: list, slots: list[int], plan: _Plan) -> list:
    # Which of the user's categories fill the slots shifts per variant, so per-group answers change too.
    return [samples[(s + plan.variant) % len(samples)] for s in slots]


def _distinct_names(samples: list, n: int, variant: int) -> list:
    names = [samples[(variant + r) % len(samples)] for r in range(min(n, len(samples)))]
    k = 2
    while len(names) < n:  # fewer real names than rows: number the extra ones after the user's own
        names += [f"{s} {k}" for s in samples][: n - len(names)]
        k += 1
    return names


def _dates(shape: DataShape, col: str, plan: _Plan) -> list[str]:
    fmt = shape.date_formats[col]
    first = min(datetime.strptime(v, fmt) for v in shape.samples[col])
    out = []
    for r in range(len(plan.multipliers)):
        months = first.year * 12 + first.month - 1 + (r + plan.variant) // 2  # two rows per month
        year, month = divmod(months, 12)
        # Day-first and month-first readings agree when day == month, for files that do not tell them apart.
        day = month + 1 if col in shape.ambiguous_dates else 1 + (5 + 7 * r + 3 * plan.variant) % 27
        if "%d" not in fmt:
            day = 1
        stamp = datetime(year, month + 1, day, 8 + r if "%H" in fmt else 0, 30 * (r % 2) if "%M" in fmt else 0)
        out.append(stamp.strftime(fmt))
    return out


def _keys(shape: DataShape, plan: _Plan) -> list[str]:
    return [str(k) for k in _distinct_names(shape.key_samples or ["item"], len(plan.multipliers), plan.variant)]


# -- rendering --------------------------------------------------------------------------------------

def _render(shape: DataShape, rows: list[dict], keys: list[str]) -> str:
    text = _render_csv(shape, rows) if shape.format == "csv" else _render_json(shape, rows, keys)
    return ("\ufeff" if shape.bom else "") + text


def _render_csv(shape: DataShape, rows: list[dict]) -> str:
    lines = [shape.delimiter.join(_csv_field(shape, c, "header", force=shape.header_quoted)
                                  for c in shape.columns)]
    for row in rows:
        lines.append(shape.delimiter.join(_csv_field(shape, _csv_text(shape, c, row[c]), shape.kinds[c])
                                          for c in shape.columns))
    end = shape.line_terminator
    return end.join(lines) + (end if shape.trailing_newline else "")


def _csv_text(shape: DataShape, col: str, value) -> str:
    kind = shape.kinds[col]
    if kind == "float":
        digits = max(shape.decimals.get(col, 1), _digits_needed(value))
        text = f"{value:.{digits}f}"
        return text.replace(".", ",") if shape.decimal == "," else text
    if kind == "bool":
        return shape.bool_tokens[col][0 if value else 1]
    return "" if value is None else str(value)


def _digits_needed(value: float) -> int:
    text = repr(float(value))
    return len(text.split(".")[1].rstrip("0")) if "." in text and "e" not in text else 0


def _csv_field(shape: DataShape, text: str, kind: str, force: bool = False) -> str:
    q = shape.quotechar
    needs = any(ch in text for ch in (shape.delimiter, q, "\n", "\r")) or text != text.strip()
    if kind == "header":
        mine = force
    else:
        mine = shape.quoting == "all" or (shape.quoting == "nonnumeric" and kind not in ("int", "float"))
    if mine or needs:
        return q + text.replace(q, q + q) + q
    return text


def _render_json(shape: DataShape, rows: list[dict], keys: list[str]) -> str:
    def dump(obj) -> str:
        return json.dumps(obj, indent=shape.indent, ensure_ascii=False)

    if shape.layout == "lines":
        text = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows)
    elif shape.layout == "mapping":
        text = dump(dict(zip(keys, rows)))
    elif shape.layout.startswith("object:"):
        key = shape.layout.split(":", 1)[1]
        # The top level's other entries stay, verbatim and in place: a tool may read them.
        text = dump({k: rows if k == key else v for k, v in (shape.other_keys or {key: None}).items()})
    else:
        text = dump(rows)
    return text + ("\n" if shape.trailing_newline else "")


def _stem(path: str) -> str:
    return re.sub(r"[^\w-]+", "_", Path(path).stem).strip("_") or "data"

