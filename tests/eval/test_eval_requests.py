"""`selfeng eval requests` through the CLI entry point: one synthesis, one reuse, one wrong answer."""
from __future__ import annotations

import json

from selfeng.cli import main
from tests.core.helpers import REVERSE_CODE, reverse_synthesis_script, script


def test_three_requests_one_growing_library(tmp_path, monkeypatch, capsys):
    responses = reverse_synthesis_script() + script(*[("generate_implementation", REVERSE_CODE)] * 4,
                                                     *[("synthesize_response", "Done.")] * 3)
    (tmp_path / "script.json").write_text(json.dumps({"responses": responses}))
    monkeypatch.setenv("SELFENG_SCRIPT", str(tmp_path / "script.json"))
    sets = tmp_path / "set"
    (sets / "data").mkdir(parents=True)
    (sets / "data" / "notes.csv").write_text("a,b\n1,2\n")
    items = [
        {"request": "Reverse the string 'hello world'", "expect": "dlrow olleh", "split": "tune"},
        {"request": "Reverse 'Python'", "expect": "nohtyP", "split": "holdout"},
        # The expectation is deliberately not what reversing gives: an answer with a wrong value.
        {"request": "Reverse the string 'abc'", "expect": "abc", "split": "holdout", "data_files": ["notes.csv"]},
    ]
    (sets / "requests.json").write_text(json.dumps(items))
    library, out = tmp_path / "library", tmp_path / "report.json"
    code = main(["eval", "requests", str(sets / "requests.json"), "--json", str(out), "--data-dir", str(library)])
    assert code == 0
    report = json.loads(out.read_text())
    rows = report["rows"]
    assert [r["outcome"] for r in rows] == ["correct", "correct", "wrong"]
    assert [r["synthesized"] for r in rows] == [True, False, False]
    assert [r["reused"] for r in rows] == [False, True, True]
    assert rows[2]["got"] == "cba" and rows[0]["tool_name"] == "reverse_string"
    s = report["summary"]
    assert s["all"] | {"requests": 3, "correct": 2, "wrong": 1, "failed": 0, "syntheses": 1, "reuses": 2} == s["all"]
    assert s["tune"]["requests"] == 1 and s["tune"]["correct"] == 1
    assert s["holdout"] | {"requests": 2, "correct": 1, "wrong": 1, "accuracy": 0.5} == s["holdout"]
    assert (library / "data" / "notes.csv").read_text() == "a,b\n1,2\n"  # the named data file was staged
    out_text = capsys.readouterr().out
    assert "| holdout | 2 | 1/2 (0.50) | 1 | 0 |" in out_text
    assert "| wrong | holdout | Reverse the string 'abc' | \"abc\" | \"cba\" |" in out_text


def test_split_runs_only_its_half_in_a_fresh_library(tmp_path, monkeypatch):
    (tmp_path / "script.json").write_text(json.dumps({"responses": reverse_synthesis_script()}))
    monkeypatch.setenv("SELFENG_SCRIPT", str(tmp_path / "script.json"))
    items = [{"request": "Reverse the string 'hello world'", "expect": "dlrow olleh", "split": "holdout"},
             {"request": "What day of the week was 2000-01-01?", "expect": "Saturday", "split": "tune"}]
    (tmp_path / "r.json").write_text(json.dumps(items))
    out = tmp_path / "o.json"
    assert main(["eval", "requests", str(tmp_path / "r.json"), "--split", "holdout", "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    assert [r["request"] for r in report["rows"]] == [items[0]["request"]]
    assert set(report["summary"]) == {"all", "holdout"} and report["summary"]["all"]["correct"] == 1


def test_category_keeps_its_requests_and_an_empty_selection_is_an_error(tmp_path, monkeypatch, capsys):
    (tmp_path / "script.json").write_text(json.dumps({"responses": reverse_synthesis_script()}))
    monkeypatch.setenv("SELFENG_SCRIPT", str(tmp_path / "script.json"))
    items = [{"request": "What day of the week was 2000-01-01?", "expect": "Saturday", "category": "dates"},
             {"request": "Reverse the string 'hello world'", "expect": "dlrow olleh", "category": "text"}]
    (tmp_path / "r.json").write_text(json.dumps(items))
    out = tmp_path / "o.json"
    assert main(["eval", "requests", str(tmp_path / "r.json"), "--category", "text", "--json", str(out)]) == 0
    assert [r["request"] for r in json.loads(out.read_text())["rows"]] == [items[1]["request"]]
    assert main(["eval", "requests", str(tmp_path / "r.json"), "--category", "data"]) == 2
    assert "no request with split 'all' and category 'data'" in capsys.readouterr().err


def test_single_shot_baseline_counts_synthesis_failures_it_solves(tmp_path, monkeypatch, capsys):
    library = tmp_path / "library"
    reads_file = ("```python\nimport csv\n\ndef solve():\n"
                  f"    with open({str(library / 'data' / 'sales.csv')!r}) as f:\n"
                  "        return round(sum(float(r['amount']) for r in csv.DictReader(f)), 2)\n```")
    wrong = "```python\ndef solve():\n    return 'abc'\n```"
    # Only the two single-shot replies are scripted: the pipeline's first model call finds nothing
    # and both syntheses fail.
    (tmp_path / "script.json").write_text(json.dumps({"responses": script(
        ("generate_implementation", reads_file), ("generate_implementation", wrong))}))
    monkeypatch.setenv("SELFENG_SCRIPT", str(tmp_path / "script.json"))
    sets = tmp_path / "set"
    (sets / "data").mkdir(parents=True)
    (sets / "data" / "sales.csv").write_text("id,region,amount\n1,North,10.50\n2,South,4.25\n")
    items = [{"request": "What is the total of the amount column in sales.csv?", "expect": 14.75,
              "split": "tune", "data_files": ["sales.csv"]},
             {"request": "Reverse the string 'abc'", "expect": "cba", "split": "holdout"}]
    (sets / "requests.json").write_text(json.dumps(items))
    out = tmp_path / "o.json"
    assert main(["eval", "requests", str(sets / "requests.json"), "--single-shot", "--json", str(out),
                 "--data-dir", str(library)]) == 0
    report = json.loads(out.read_text())
    rows = report["rows"]
    assert [r["outcome"] for r in rows] == ["failed", "failed"]
    assert [r["single_shot"]["outcome"] for r in rows] == ["correct", "wrong"]
    assert rows[0]["single_shot"]["got"] == 14.75  # the baseline read the staged file in the sandbox
    s = report["summary"]["all"]
    assert s["single_shot_correct"] == 1
    assert s["pipeline_misses_single_shot_solves"] == 1
    assert [r["synthesis_failed"] for r in rows] == [True, True]
    assert s["synthesis_failures_single_shot_solves"] == 1 and s["synthesis_failures"] == 2
    assert "| all | 1/2 (0.50) |" in capsys.readouterr().out
