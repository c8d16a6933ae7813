"""Cases for tools that read a data file: they run on small fixture files in the user's file's own shape.

The model cannot know the user's file, and sums over many rows are beyond a small model's arithmetic, so
the tests get tiny files with round numbers (three variants, so an answer cannot be hard-coded) whose names
are the path argument of every case. The model's expected values for them are still often wrong (a small
model adds four numbers badly), so the user's own file is also the request's own input: a probe, run
beside the fixtures, whose answer only the agreement of implementations and a direct answer can give
(`direct_answer`). It is evidence, never a registered test: the user's file may change tomorrow.
"""
from __future__ import annotations

import ast
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from .arbitration import Case
from .arguments import PATH_PARAM
from .config import Settings
from . import pyparse

log = logging.getLogger(__name__)

OWN_FILE_MAX_BYTES = 256 * 1024  # copied beside the tests in every verification run
HEAD_LINES = 6                   # a header and a few rows show the format; more is prompt cost
HEAD_CHARS = 600


@dataclass
class DataCases:
    param: str              # the tool's path parameter
    source: str             # the user's file, as found in the data folder
    fixtures: list          # data_fixtures.Fixture
    path: Path | None = None                 # the user's file, resolved inside the data folder
    own: dict = field(default_factory=dict)  # {its name: its text}, placed beside the tests (when small)
    named: dict = field(default_factory=dict)  # {value the request names: its field}, e.g. {"shipped": "status"}

    @property
    def files(self) -> dict[str, str]:
        return {**{f.name: f.content for f in self.fixtures}, **self.own}

    @property
    def note(self) -> str:
        """The user's file as the direct answer sees it: where it is and its first lines (a developer looks
        at the header before writing code). Implementations see the same lines (`code_note`), so none of
        them guesses the header."""
        return file_note(self.path) if self.path is not None else ""

    @property
    def code_note(self) -> str:
        """The same first lines for an implementation, without the file's location: a function gets the path
        in its parameter, and a small model shown where the file is writes that path into the code (two
        such drafts once agreed, on every fixture, with the answer for the user's file)."""
        if self.path is None:
            return ""
        return (f"The function is given the path of a file like {self.path.name} in `{self.param}` and must read "
                f"that file. The first lines of {self.path.name}:\n```\n{file_head(self.path)}\n```")

    def fixed_path(self, code: str, function_name: str) -> str | None:
        """A file path written into the function instead of read from its parameter, or None: the user's
        file by its location or its name, or the data folder. Such a function answers for that one file
        whatever it is given, so no case it passes says anything about the code."""
        try:
            tree = pyparse.parse(code)
        except SyntaxError:
            return None
        fn = next((n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                   and n.name == function_name), None)
        if fn is None or self.path is None:
            return None
        folder, name = str(self.path.parent.resolve()), self.path.name
        docstring = ast.get_docstring(fn, clean=False)
        for node in (n for stmt in fn.body for n in ast.walk(stmt)):  # a default value is only a default
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value != docstring:
                text = node.value.strip()
                if text == name or text.endswith("/" + name) or folder in text or str(self.path) in text:
                    return text
        return None

    def code_notes(self, spec: dict) -> str:
        """What a draft of the tool is told about the file: its first lines, and the values to pick rows by."""
        return "\n".join(n for n in (self.code_note, self.named_note(spec)) if n)

    @property
    def direct_notes(self) -> str:
        """The same for the direct answer's `solve()`: where the file is too, since it takes no path."""
        return "\n".join(n for n in (self.note, self.named_note()) if n)

    def blind_reason(self, code: str, spec: dict) -> str | None:
        """Why `code` cannot answer the request for the file it is given (so it is no opinion), or None."""
        fixed = self.fixed_path(code, spec["function_name"])
        if fixed is not None:
            return f"the code opens {fixed!r} instead of the path it is given"
        ignored = self.ignored_values(code, spec)
        if ignored:
            return ("the code never compares anything with " + ", ".join(map(repr, ignored)) + ", which the "
                    "request names as a value of the file, so it cannot pick out the rows the request is about")
        return None

    def ignored_values(self, code: str, spec: dict) -> list[str]:
        """The values of the user's file the request names ("the shipped orders") that a function taking
        only the path never writes in its code, other than as a key (`unwritten`). Such a function cannot
        tell those rows from the others: it answers for the whole file, and drafts that share the misreading
        agree on every fixture (three once outvoted the cases that had the filter right). A spec with another
        parameter may be given the value as an argument, so nothing is asked of its code."""
        if not self.selects_by_code(spec):
            return []
        return unwritten(code, self.named)

    def selects_by_code(self, spec: dict) -> bool:
        """The request names values of the file and the tool takes only the path: its code must pick them."""
        return bool(self.named) and [p["name"] for p in spec["parameters"]] == [self.param]

    def named_note(self, spec: dict | None = None) -> str:
        """What code is told when it must pick out rows by the values the request names: a draft that takes
        only the path (`spec`), or the direct answer's `solve()` (no spec: it takes nothing). The field is
        said, because a small model told only the value once looked it up as a key (`order.get('shipped')`)."""
        if not self.named or (spec is not None and not self.selects_by_code(spec)):
            return ""
        said = "; ".join(f"{v!r} is a value of the {f!r} field, not a field name" for v, f in self.named.items())
        return f"The request names values of the file ({said}): the code must compare those fields with them " \
               f"to pick out the rows the request is about."

    def amend(self, spec: dict) -> dict:
        """The spec, saying that its path parameter is a file's path. A small model sometimes describes that
        parameter as the file's content ("a JSON string of order data"); the case writer then puts the data
        inline, no case names a fixture, and none is usable."""
        if "path" in spec["docstring"].lower():
            return spec
        note = f"`{self.param}` is the path of a file like {self.source}, which the function reads."
        params = [{**p, "description": f"path of a file like {self.source}"} if p["name"] == self.param else p
                  for p in spec["parameters"]]
        return {**spec, "parameters": params, "docstring": f"{spec['docstring'].rstrip()} {note}"}

    def reads_own(self, case: Case) -> bool:
        return bool(self.own) and case.args.get(self.param) in self.own

    @property
    def prompt(self) -> str:
        from .data_fixtures import describe_fixture

        shown = "\n".join(describe_fixture(f) for f in self.fixtures)
        return (f"The tests run on these small files, which have the same format as {self.source}. Every case "
                f"must pass one of their names as {self.param} and expect the answer for that file's rows:\n"
                f"{shown}")

    def usable(self, cases: list[Case]) -> list[Case]:
        """Only cases that read a fixture: the model cannot know the answer for the user's own file."""
        names = {f.name for f in self.fixtures}
        return [c for c in cases if c.args.get(self.param) in names]


def data_cases_for(spec: dict, request: str, settings: Settings) -> tuple[dict, DataCases | None]:
    """(the spec, fixtures) for a request naming a file in the data folder; else (the spec, None).

    A spec with no path parameter at all gets one first: a small model sometimes writes the file's name into
    the function instead ("from the employees.json file"), and such a tool cannot be tested on fixtures
    and reads a file the sandbox does not have at that name. The fixtures then need a `str` path parameter,
    and the spec is amended to say it is a path (`DataCases.amend`)."""
    from .data_fixtures import data_files_in_request, make_fixtures, read_shape

    files = data_files_in_request(request, settings.files_dir)
    if not files:
        return spec, None
    if not any(PATH_PARAM.search(p["name"]) for p in spec["parameters"]):
        name = "file_path" if "file_path" not in {p["name"] for p in spec["parameters"]} else "data_file_path"
        added = {"name": name, "type": "str", "description": f"path of a file like {files[0].name}"}
        spec = {**spec, "parameters": [added, *spec["parameters"]]}
    param = next((p["name"] for p in spec["parameters"]
                  if PATH_PARAM.search(p["name"]) and str(p.get("type", "")).lower() in ("str", "string", "path")),
                 None)
    if param is None:
        return spec, None
    try:
        shape = read_shape(files[0])
    except ValueError as exc:
        log.info("no fixtures for %s: %s", files[0], exc)
        return spec, None
    # Three variants: a one-parameter tool ("average of sales.csv") has one distinct case per fixture, and
    # SELFENG_SYNTHESIS_MIN_TESTS is 3 by default.
    fixtures = make_fixtures(shape, variants=3)
    # The user's file runs beside the fixtures as the request's own input, unless it is too big to copy
    # into every verification run (then there is no probe, as before).
    own = {}
    if files[0].stat().st_size <= OWN_FILE_MAX_BYTES and files[0].name not in {f.name for f in fixtures}:
        own = {files[0].name: files[0].read_text(encoding="utf-8", errors="replace")}
    data = DataCases(param, files[0].name, fixtures, files[0], own, named_values(shape, request, files[0].name))
    return data.amend(spec), data


def file_note(path: Path) -> str:
    """Where a data file is and its first lines, for a prompt."""
    return f"The file {path.name} is at {path}; its first lines:\n```\n{file_head(path)}\n```"


def file_head(path: Path, lines: int = HEAD_LINES, chars: int = HEAD_CHARS) -> str:
    """The first `lines` lines of a text file, at most `chars` characters, marked when cut."""
    with open(path, encoding="utf-8", errors="replace") as fh:
        text = fh.read(chars + 1)
    kept = text[:chars].lstrip("\ufeff").splitlines()[:lines]
    cut = len(text) > chars or len(text.splitlines()) > lines
    return "\n".join(kept) + ("\n..." if cut else "")


def named_values(shape, request: str, file_name: str) -> dict[str, str]:
    """{value: its field} for the text values of the file (a status, a region, a name) that the request writes
    as words of its own, its file's name left out ("sales" in sales.csv names nothing). A value that is also
    a field's name is left out: there the request may name the field."""
    text = request.replace(file_name, " ").lower()
    fields = {c.lower() for c in shape.columns}
    found = {}
    for col, values in shape.samples.items():
        if shape.kinds.get(col) != "str":
            continue
        for v in values:
            word = v.strip().lower() if isinstance(v, str) else ""
            if word and word not in fields and re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text):
                found.setdefault(v, col)
    return dict(sorted(found.items()))


def unwritten(code: str, named) -> list[str]:
    """The `named` values that no string constant of `code` contains (case aside), keys left out: a value
    looked up as a field (`row['shipped']`, `row.get('shipped')`) is not compared with anything."""
    written = " ".join(_string_constants(code)).lower()
    return [v for v in named if v.lower() not in written]


def _string_constants(code: str) -> list[str]:
    """The string constants of the code, docstrings and keys left out (a docstring that repeats the request
    filters nothing; a key is a field's name)."""
    try:
        tree = pyparse.parse(code)
    except SyntaxError:
        return []
    docs = {ast.get_docstring(n, clean=False) for n in ast.walk(tree)
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module, ast.ClassDef))}
    keys = {id(n.slice) for n in ast.walk(tree) if isinstance(n, ast.Subscript)}
    keys |= {id(n.args[0]) for n in ast.walk(tree) if isinstance(n, ast.Call) and n.args
             and isinstance(n.func, ast.Attribute) and n.func.attr in ("get", "pop", "setdefault")}
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and n.value not in docs and id(n) not in keys]
