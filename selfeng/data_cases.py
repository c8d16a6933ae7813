"""Cases for tools that read a data file: they run on small fixture files in the user's file's own shape.

The model cannot know the user's file, and sums over many rows are beyond a small model's arithmetic, so
the tests get tiny files with round numbers (three variants, so an answer cannot be hard-coded) whose names
are the path argument of every case. The user's own file is the input of the real run only.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from .arbitration import Case
from .arguments import PATH_PARAM
from .config import Settings

log = logging.getLogger(__name__)


@dataclass
class DataCases:
    param: str              # the tool's path parameter
    source: str             # the user's file, as found in the data folder
    fixtures: list          # data_fixtures.Fixture

    @property
    def files(self) -> dict[str, str]:
        return {f.name: f.content for f in self.fixtures}

    @property
    def prompt(self) -> str:
        from .data_fixtures import describe_fixture

        shown = "\n".join(describe_fixture(f) for f in self.fixtures)
        return (f"The tests run on these small files, which have the same format as {self.source}. Every case "
                f"must pass one of their names as {self.param} and expect the answer for that file's rows:\n"
                f"{shown}")

    def usable(self, cases: list[Case]) -> list[Case]:
        """Only cases that read a fixture can run in the test's folder."""
        names = set(self.files)
        return [c for c in cases if c.args.get(self.param) in names]


def data_cases_for(spec: dict, request: str, settings: Settings) -> DataCases | None:
    """Fixtures for a spec with a path parameter and a request naming a file in the data folder."""
    param = next((p["name"] for p in spec["parameters"]
                  if PATH_PARAM.search(p["name"]) and str(p.get("type", "")).lower() in ("str", "string", "path")),
                 None)
    if param is None:
        return None
    from .data_fixtures import data_files_in_request, make_fixtures, read_shape

    files = data_files_in_request(request, settings.files_dir)
    if not files:
        return None
    try:
        shape = read_shape(files[0])
    except ValueError as exc:
        log.info("no fixtures for %s: %s", files[0], exc)
        return None
    # Three variants: a one-parameter tool ("average of sales.csv") has one distinct case per fixture, and
    # SELFENG_SYNTHESIS_MIN_TESTS is 3 by default.
    return DataCases(param, files[0].name, make_fixtures(shape, variants=3))
