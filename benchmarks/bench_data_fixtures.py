"""How long reading a user's data file's shape and writing its fixtures takes, on generated files.

    .venv/bin/python benchmarks/bench_data_fixtures.py [--rows 100000]
"""
from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

from selfeng.data_fixtures import make_fixtures, read_shape


def write_files(folder: Path, rows: int) -> list[Path]:
    rng = random.Random(1)  # fixed seed: the same files every run
    csv_path, json_path = folder / "sales.csv", folder / "items.json"
    with csv_path.open("w") as fh:
        fh.write("id,date,region,amount,price\n")
        for i in range(rows):
            fh.write(f"{i},2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d},"
                     f"{rng.choice('NSEW')},{rng.randint(1, 500)},{rng.random() * 100:.2f}\n")
    json_path.write_text(json.dumps({"items": [{"id": i, "cat": rng.choice("abc"), "v": rng.random()}
                                               for i in range(rows)]}))
    return [csv_path, json_path]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    rows = ap.parse_args().rows
    with tempfile.TemporaryDirectory() as tmp:
        for path in write_files(Path(tmp), rows):
            t0 = time.perf_counter()
            shape = read_shape(path)
            t1 = time.perf_counter()
            fixtures = make_fixtures(shape)
            t2 = time.perf_counter()
            print(f"{path.name:10} {path.stat().st_size / 1e6:6.1f} MB {shape.row_count:>8} rows  "
                  f"read_shape {t1 - t0:6.3f} s  make_fixtures {(t2 - t1) * 1000:6.2f} ms  "
                  f"fixture sizes {[len(f.content) for f in fixtures]} chars")


if __name__ == "__main__":
    main()
