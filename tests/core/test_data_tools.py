"""Tools that read data files: cases run on fixture files in the user's file's shape; the real run reads the
user's file. Real sandbox, store and embedder; the model is scripted."""
from __future__ import annotations

import csv
import io
import json

import pytest

from selfeng.data_fixtures import make_fixtures, read_shape

from .helpers import make_orchestrator, script

SALES = "id,region,amount\n1,North,120.5\n2,South,80\n3,North,99.5\n4,East,300\n"
TOTAL_SPEC = {"function_name": "sum_csv_column",
              "parameters": [{"name": "file_path", "type": "str", "description": "CSV file"},
                             {"name": "column", "type": "str", "description": "column to add up"}],
              "return_type": "float", "docstring": "Total of a numeric column in a CSV file."}
TOTAL_CODE = ("```python\nimport csv\n\ndef sum_csv_column(file_path: str, column: str) -> float:\n"
              "    with open(file_path, newline='') as f:\n"
              "        return float(sum(float(r[column]) for r in csv.DictReader(f)))\n```")
BY_REGION_SPEC = {"function_name": "total_by_region",
                  "parameters": [{"name": "json_path", "type": "str", "description": "JSON file"}],
                  "return_type": "dict", "docstring": "Total amount per region in a JSON list of sales."}
BY_REGION_CODE = ("```python\nimport json\n\ndef total_by_region(json_path: str) -> dict:\n"
                  "    out = {}\n    for r in json.load(open(json_path)):\n"
                  "        out[r['region']] = out.get(r['region'], 0) + r['amount']\n    return out\n```")


def _fixture_rows(path, reader):
    return [reader(f) for f in make_fixtures(read_shape(path), variants=2)]


def _with_sales():
    """An orchestrator whose data folder holds the user's sales.csv, and the three fixtures made from it."""
    orch, provider = make_orchestrator([])
    data = orch.settings.files_dir
    data.mkdir(parents=True, exist_ok=True)
    (data / "sales.csv").write_text(SALES)
    return orch, provider, make_fixtures(read_shape(data / "sales.csv"), variants=3)


def test_a_csv_total_is_tested_on_fixtures_and_answered_from_the_users_file():
    orch, provider, fixtures = _with_sales()
    cases = [{"args": {"file_path": f.name, "column": "amount"},
              "expected": float(sum(float(r["amount"]) for r in csv.DictReader(io.StringIO(f.content)))),
              "from_request": False} for f in fixtures]
    cases.append({"args": {"file_path": fixtures[0].name, "column": "id"},
                  "expected": float(sum(float(r["id"]) for r in csv.DictReader(io.StringIO(fixtures[0].content)))),
                  "from_request": False})
    cases.append({"args": {"file_path": "sales.csv", "column": "amount"}, "expected": 1.0, "from_request": False})
    for entry in script(("generate_spec", TOTAL_SPEC), ("generate_tests", {"cases": cases}),
                        ("generate_implementation", TOTAL_CODE), ("generate_implementation", TOTAL_CODE),
                        ("extract_arguments", {"file_path": "sales.csv", "column": "amount"}),
                        ("synthesize_response", "The total of the amount column is 600.0.")):
        provider.enqueue(entry["purpose"], entry["content"])
    result = orch.process_request("What is the total of the amount column in sales.csv?")
    assert result["success"], result
    assert result["tool_result"] == pytest.approx(600.0)
    tests = orch.registry.get_tool_by_name("sum_csv_column")["tests"]
    # Four cases ran on fixtures; the one naming the user's file (unknowable before the run) was not kept.
    assert tests.count("_case_") == 4 and "'sales.csv'" not in tests
    prompt = [c for c in provider.calls if c["purpose"] == "generate_tests"][0]["messages"][-1]["content"]
    assert fixtures[0].content.strip().splitlines()[0] in prompt and fixtures[1].name in prompt


def test_a_json_group_by_runs_on_fixtures_in_the_users_layout():
    orch, provider = make_orchestrator([])
    data = orch.settings.files_dir
    data.mkdir(parents=True, exist_ok=True)
    sales = [{"id": 1, "region": "North", "amount": 10}, {"id": 2, "region": "South", "amount": 5},
             {"id": 3, "region": "North", "amount": 7}]
    (data / "sales.json").write_text(json.dumps(sales))
    fixtures = make_fixtures(read_shape(data / "sales.json"), variants=3)[:2]
    cases = []
    for f in fixtures:
        want: dict = {}
        for r in json.loads(f.content):
            want[r["region"]] = want.get(r["region"], 0) + r["amount"]
        cases.append({"args": {"json_path": f.name}, "expected": want, "from_request": False})
    cases.append({"args": {"json_path": fixtures[0].name + "x"}, "expected": {}, "from_request": False})
    for entry in script(("generate_spec", BY_REGION_SPEC), ("generate_tests", {"cases": cases}),
                        ("generate_tests", {"cases": cases}),
                        ("generate_implementation", BY_REGION_CODE), ("generate_implementation", BY_REGION_CODE),
                        ("synthesize_response", "North 17, South 5.")):
        provider.enqueue(entry["purpose"], entry["content"])
    result = orch.process_request("Total amount per region in sales.json")
    # Two usable cases are fewer than the minimum of 3: the model is asked again, then synthesis stops clearly.
    assert not result["success"] and "at least 3 are required" in result["error"]
    assert orch.get_tool_count() == 0
    orch2, provider2 = make_orchestrator([], synthesis_min_tests=2)
    orch2.settings.files_dir.mkdir(parents=True, exist_ok=True)
    (orch2.settings.files_dir / "sales.json").write_text(json.dumps(sales))
    for entry in script(("generate_spec", BY_REGION_SPEC), ("generate_tests", {"cases": cases}),
                        ("generate_implementation", BY_REGION_CODE), ("generate_implementation", BY_REGION_CODE),
                        ("synthesize_response", "North 17, South 5.")):
        provider2.enqueue(entry["purpose"], entry["content"])
    result = orch2.process_request("Total amount per region in sales.json")
    assert result["success"], result
    assert result["tool_result"] == {"North": 17, "South": 5}


AVERAGE_SPEC = {"function_name": "average_of_column",
                "parameters": [{"name": "csv_path", "type": "str", "description": "CSV file"}],
                "return_type": "float", "docstring": "Average of the amount column in a CSV file."}
AVERAGE_CODE = ("```python\nimport csv\nimport statistics\n\ndef average_of_column(csv_path: str) -> float:\n"
                "    with open(csv_path, newline='') as f:\n"
                "        return statistics.mean(float(r['amount']) for r in csv.DictReader(f))\n```")
FILTER_SPEC = {"function_name": "count_region_sales",
               "parameters": [{"name": "file_path", "type": "str", "description": "JSON file"},
                              {"name": "region", "type": "str", "description": "region to keep"}],
               "return_type": "int", "docstring": "How many sales in a JSON list belong to one region."}
FILTER_CODE = ("```python\nimport json\n\ndef count_region_sales(file_path: str, region: str) -> int:\n"
               "    return sum(1 for r in json.load(open(file_path)) if r['region'] == region)\n```")


@pytest.mark.parametrize("kind", ["average", "filter"])
def test_averages_and_filters_verify_on_fixtures_and_read_the_users_file(kind):
    orch, provider = make_orchestrator([])
    data = orch.settings.files_dir
    data.mkdir(parents=True, exist_ok=True)
    if kind == "average":
        (data / "sales.csv").write_text(SALES)
        fixtures = make_fixtures(read_shape(data / "sales.csv"), variants=3)
        rows = [list(csv.DictReader(io.StringIO(f.content))) for f in fixtures]
        # One distinct case per fixture: three fixtures reach the minimum of three cases.
        cases = [{"args": {"csv_path": f.name}, "expected": sum(float(r["amount"]) for r in rs) / len(rs),
                  "from_request": False} for f, rs in zip(fixtures, rows)]
        spec, code, prompt, want = AVERAGE_SPEC, AVERAGE_CODE, "What is the average amount in sales.csv?", 150.0
        extra = []
    else:
        sales = [{"id": i, "region": reg, "amount": 5 * i} for i, reg in enumerate(["North", "South", "North"])]
        (data / "sales.json").write_text(json.dumps(sales))
        fixtures = make_fixtures(read_shape(data / "sales.json"), variants=3)
        cases = []
        for f in fixtures:
            records = json.loads(f.content)
            region = records[0]["region"]
            cases.append({"args": {"file_path": f.name, "region": region},
                          "expected": sum(r["region"] == region for r in records), "from_request": False})
            cases.append({"args": {"file_path": f.name, "region": "Nowhere"}, "expected": 0, "from_request": False})
        spec, code, prompt, want = FILTER_SPEC, FILTER_CODE, "How many sales in sales.json are from North?", 2
        extra = [("extract_arguments", {"file_path": "sales.json", "region": "North"})]
    for entry in script(("generate_spec", spec), ("generate_tests", {"cases": cases}),
                        ("generate_implementation", code), ("generate_implementation", code), *extra,
                        ("synthesize_response", f"The answer is {want}.")):
        provider.enqueue(entry["purpose"], entry["content"])
    result = orch.process_request(prompt)
    assert result["success"], result
    assert result["tool_result"] == pytest.approx(want)
    assert result["synthesis"]["tests_verified"]


AMOUNT_SPEC = {"function_name": "total_amount",
               "parameters": [{"name": "csv_path", "type": "str", "description": "CSV file"}],
               "return_type": "float", "docstring": "Total of the amount column of a CSV file."}
AMOUNT_CODE = ("```python\nimport csv\n\ndef total_amount(csv_path: str) -> float:\n"
               "    with open(csv_path, newline='') as f:\n"
               "        return float(sum(float(r['amount']) for r in csv.DictReader(f)))\n```")


def _sales_with_wrong_sums():
    """An orchestrator with the user's sales.csv, and model cases on its fixtures whose sums are all wrong
    (a small model adds four numbers badly)."""
    orch, provider, fixtures = _with_sales()
    wrong = [{"args": {"csv_path": f.name}, "expected": 1.0 + i, "from_request": False}
             for i, f in enumerate(fixtures)]
    return orch, provider, wrong


def _total_with_wrong_sums(direct_value: str):
    """Three agreeing implementations and wrong fixture sums, so only the user's own file, answered by a
    direct solution too, can vouch for them."""
    orch, provider, wrong = _sales_with_wrong_sums()
    for entry in script(("generate_spec", AMOUNT_SPEC), ("generate_tests", {"cases": wrong}),
                        *[("generate_implementation", AMOUNT_CODE)] * 3,
                        ("generate_implementation", f"```python\ndef solve():\n    return {direct_value}\n```"),
                        ("generate_implementation", AMOUNT_CODE),
                        ("synthesize_response", "The total is 600.0.")):
        provider.enqueue(entry["purpose"], entry["content"])
    return orch, provider, orch.synthesis_engine.synthesize_capability("Sum the amount column of sales.csv")


def test_the_users_file_is_the_requests_input_and_a_direct_answer_on_it_anchors_the_agreement():
    orch, provider, result = _total_with_wrong_sums("600.0")
    assert result["success"] and result["tests_verified"], result.get("error")
    assert "confirmed by a separate direct solution" in result["evidence"]["summary"]
    # The registered tests keep the agreed fixture answers, never the user's file (it may change).
    assert "'sales.csv'" not in result["tests"] and result["tests"].count("_agreed") == 3
    calls = [c["messages"][-1]["content"] for c in provider.calls if c["purpose"] == "generate_implementation"]
    # Every implementation and the direct answer saw the file's first lines; only the direct answer, which
    # has no parameter to be given the path in, saw where the file is.
    assert all("id,region,amount" in c for c in calls[:4])
    assert str(orch.settings.files_dir / "sales.csv") in calls[3] and "solve()" in calls[3]
    assert not any(str(orch.settings.files_dir) in c for c in calls[:3])


def test_a_direct_answer_on_the_users_file_that_differs_verifies_nothing():
    orch, _, result = _total_with_wrong_sums("599.0")
    assert not result["success"] and orch.get_tool_count() == 0
    assert "a direct solution of the request returned 599.0" in result["error"]
    assert "return 600 on the request's own input" in result["error"]


@pytest.mark.parametrize("where", ["absolute", "name"])
def test_code_that_opens_the_users_file_instead_of_its_argument_is_no_opinion(where):
    """Drafts that open the user's file by a fixed path return its answer on every fixture, so they agree on
    every input, and a direct answer confirms them: such a tool, blind to its argument, once got verified."""
    orch, provider, wrong = _sales_with_wrong_sums()
    path = str(orch.settings.files_dir / "sales.csv") if where == "absolute" else "sales.csv"
    fixed = AMOUNT_CODE.replace("open(csv_path", f"open({path!r}")
    for entry in script(("generate_spec", AMOUNT_SPEC), ("generate_tests", {"cases": wrong}),
                        *[("generate_implementation", fixed)] * 6,
                        ("generate_implementation", "```python\ndef solve():\n    return 600.0\n```")):
        provider.enqueue(entry["purpose"], entry["content"])
    result = orch.synthesis_engine.synthesize_capability("Sum the amount column of sales.csv")
    assert not result["success"] and orch.get_tool_count() == 0, result
    assert f"opens {path!r} instead of the path it is given" in result["error"]


def test_a_default_path_or_a_docstring_naming_the_file_is_no_fixed_path():
    from selfeng.data_cases import DataCases
    from pathlib import Path
    cases = DataCases("csv_path", "sales.csv", [], Path("/srv/data/sales.csv"))
    ok = ('def f(csv_path="sales.csv"):\n    """Sum sales.csv."""\n    return open(csv_path).read()\n')
    assert cases.fixed_path(ok, "f") is None
    assert cases.fixed_path(ok.replace("open(csv_path)", "open('/srv/data/sales.csv')"), "f") == "/srv/data/sales.csv"
    assert cases.fixed_path(ok.replace("open(csv_path)", "open('./sales.csv')"), "f") == "./sales.csv"


def test_a_path_parameter_described_as_the_files_content_is_said_to_be_a_path():
    # as the embedded model wrote one: the case writer then put the data inline and no case was usable
    spec = {**AMOUNT_SPEC, "parameters": [{"name": "csv_path", "type": "str", "description": "the CSV text"}],
            "docstring": "Takes the CSV text of sales and returns the total of its amount column."}
    orch, provider, wrong = _sales_with_wrong_sums()
    for entry in script(("generate_spec", spec), ("generate_tests", {"cases": wrong}),
                        *[("generate_implementation", AMOUNT_CODE)] * 3,
                        ("generate_implementation", "```python\ndef solve():\n    return 600.0\n```")):
        provider.enqueue(entry["purpose"], entry["content"])
    result = orch.synthesis_engine.synthesize_capability("Sum the amount column of sales.csv")
    assert result["success"] and result["tests_verified"], result.get("error")
    said = "`csv_path` is the path of a file like sales.csv, which the function reads."
    prompts = [c["messages"][-1]["content"] for c in provider.calls if c["purpose"] != "generate_spec"]
    assert all(said in p for p in prompts[:4])  # the case writer and every draw
    assert said in orch.registry.get_tool_by_name("total_amount")["docstring"]


GROUP_SPEC = {"function_name": "total_by_region",
              "parameters": [{"name": "csv_path", "type": "str", "description": "path of the CSV file"}],
              "return_type": "dict", "docstring": "Total amount per region in a CSV file of sales."}
GROUP_CODE = ("```python\nimport csv\n\ndef total_by_region(csv_path: str) -> dict:\n    out = {}\n"
              "    with open(csv_path, newline='') as f:\n        for r in csv.DictReader(f):\n"
              "            out[r['region']] = out.get(r['region'], 0) + float(r['amount'])\n    return out\n```")


def _group_totals(fixture) -> dict:
    out: dict = {}
    for r in csv.DictReader(io.StringIO(fixture.content)):
        out[r["region"]] = out.get(r["region"], 0) + float(r["amount"])
    return out


def _group_by_with(cases_for) -> dict:
    """Three agreeing group-by implementations; `cases_for(fixture, right_totals)` gives each expected dict."""
    orch, provider, fixtures = _with_sales()
    cases = [{"args": {"csv_path": f.name}, "expected": cases_for(f, _group_totals(f)), "from_request": False}
             for f in fixtures]
    for entry in script(("generate_spec", GROUP_SPEC), ("generate_tests", {"cases": cases}),
                        *[("generate_implementation", GROUP_CODE)] * 3,
                        ("generate_implementation", "```python\ndef solve():\n    return 600.0\n```"),  # misread
                        ("generate_implementation", GROUP_CODE)):
        provider.enqueue(entry["purpose"], entry["content"])
    return orch, orch.synthesis_engine.synthesize_capability("What is the total amount per region in sales.csv?")


def _sums_off(fixture, right: dict) -> dict:
    """The groups right, a one-row group's value right, a group of several rows added up wrong."""
    rows = [r["region"] for r in csv.DictReader(io.StringIO(fixture.content))]
    return {k: (v if rows.count(k) == 1 else v + 100) for k, v in right.items()}


def test_a_group_by_whose_case_sums_are_off_is_anchored_by_the_groups_the_cases_name():
    orch, result = _group_by_with(_sums_off)
    assert result["success"] and result["tests_verified"], result.get("error")
    assert "model case(s) set aside" in " ".join(result["evidence"]["reasons"])
    assert result["tests"].count("_agreed") == 3  # the registered tests carry the agreed totals
    assert "name the same groups and share a value" in result["evidence"]["summary"]
    assert '"$"' not in result["evidence"]["summary"]  # values as people write them, not as tagged JSON


def test_a_group_by_whose_cases_name_other_groups_or_share_no_value_verifies_nothing():
    orch, result = _group_by_with(lambda f, right: {k: v + 100 for k, v in right.items()})
    assert not result["success"] and orch.get_tool_count() == 0
    orch, result = _group_by_with(lambda f, right: {**_sums_off(f, right), "Nowhere": 1.0})
    assert not result["success"] and orch.get_tool_count() == 0


REGION_SPEC = {"function_name": "region_of_sale",  # as the embedded model wrote one: the file by its name
               "parameters": [{"name": "sale_id", "type": "str", "description": "the sale's id"}],
               "return_type": "str", "docstring": "Returns the region of a sale from the sales.csv file."}
REGION_CODE = ("```python\nimport csv\n\ndef region_of_sale(file_path: str, sale_id: str) -> str:\n"
               "    with open(file_path, newline='') as f:\n"
               "        return next(r['region'] for r in csv.DictReader(f) if r['id'] == sale_id)\n```")


def test_a_spec_that_names_the_users_file_instead_of_taking_a_path_gets_a_path_parameter():
    orch, provider, fixtures = _with_sales()
    cases = [{"args": {"file_path": f.name, "sale_id": r["id"]}, "expected": r["region"], "from_request": False}
             for f in fixtures
             for r in list(csv.DictReader(io.StringIO(f.content)))[:2]]
    for entry in script(("generate_spec", REGION_SPEC), ("generate_tests", {"cases": cases}),
                        *[("generate_implementation", REGION_CODE)] * 2,
                        ("extract_arguments", {"file_path": "sales.csv", "sale_id": "3"}),
                        ("synthesize_response", "Sale 3 is from the North region.")):
        provider.enqueue(entry["purpose"], entry["content"])
    result = orch.process_request("Which region is sale 3 from, in sales.csv?")
    assert result["success"] and result["tool_result"] == "North", result
    tool = orch.registry.get_tool_by_name("region_of_sale")
    assert [p["name"] for p in tool["parameters"]] == ["file_path", "sale_id"]
    impl = [c for c in provider.calls if c["purpose"] == "generate_implementation"][0]["messages"][-1]["content"]
    assert "def region_of_sale(file_path: str, sale_id: str) -> str:" in impl


NORTH_SPEC = {"function_name": "total_north_amount",
              "parameters": [{"name": "csv_path", "type": "str", "description": "path of the CSV file"}],
              "return_type": "float", "docstring": "Total amount of the North sales in a CSV file."}
NORTH_CODE = AMOUNT_CODE.replace("total_amount", "total_north_amount").replace(
    "for r in csv.DictReader(f))", "for r in csv.DictReader(f) if r['region'] == 'North')")


def _north_totals(fixtures) -> list[dict]:
    return [{"args": {"csv_path": f.name}, "from_request": False,
             "expected": float(sum(float(r["amount"]) for r in csv.DictReader(io.StringIO(f.content))
                                   if r["region"] == "North"))} for f in fixtures]


@pytest.mark.parametrize("blind_draws", [1, 3])
def test_code_that_ignores_a_value_the_request_names_is_no_opinion(blind_draws):
    """"The North sales": drafts that add up every row agree with each other on every fixture, and once
    outvoted the cases that had the filter right. A draft that never writes 'North' is refused; if no draft
    writes it, nothing is registered and the message says why."""
    orch, provider, fixtures = _with_sales()
    blind = AMOUNT_CODE.replace("total_amount", "total_north_amount")
    for entry in script(("generate_spec", NORTH_SPEC), ("generate_tests", {"cases": _north_totals(fixtures)}),
                        *[("generate_implementation", blind)] * blind_draws,
                        *[("generate_implementation", NORTH_CODE)] * 2):
        provider.enqueue(entry["purpose"], entry["content"])
    result = orch.synthesis_engine.synthesize_capability("What is the total amount of the North sales in sales.csv?")
    drafts = [c["messages"][-1]["content"] for c in provider.calls if c["purpose"] == "generate_implementation"]
    assert all("'North' is a value of the 'region' field, not a field name" in d for d in drafts)
    if blind_draws == 1:
        assert result["success"] and result["tests_verified"], result.get("error")
        assert "'North'" in result["code"]
    else:
        assert not result["success"] and orch.get_tool_count() == 0
        assert result["step"] == "implementation"
        assert "never compares anything with 'North', which the request names" in result["error"]


def test_values_a_request_names_are_the_files_own_words_and_a_parameter_may_carry_them(tmp_path):
    from selfeng.data_cases import DataCases, named_values
    (tmp_path / "orders.json").write_text(json.dumps({"orders": [
        {"id": "A1", "customer": "acme", "total": 5.0, "status": "shipped"},
        {"id": "A2", "customer": "globex", "total": 7.5, "status": "pending"}]}))
    shape = read_shape(tmp_path / "orders.json")
    assert named_values(shape, "What is the combined total of the shipped orders in orders.json?",
                        "orders.json") == {"shipped": "status"}
    assert named_values(shape, "How much did Acme spend, in orders.json?", "orders.json") == {"acme": "customer"}
    assert named_values(shape, "What is the total of all orders in orders.json?", "orders.json") == {}
    assert named_values(shape, "Sum the totals of the unshipped orders in orders.json", "orders.json") == {}
    data = DataCases("path", "orders.json", [], tmp_path / "orders.json", named={"shipped": "status"})
    spec = {"function_name": "f", "parameters": [{"name": "path", "type": "str"}]}
    blind = 'def f(path):\n    """Total of the shipped orders."""\n    return sum(o["total"] for o in load(path))\n'
    assert data.ignored_values(blind, spec) == ["shipped"]  # its docstring says it; its code does not
    assert data.ignored_values(blind.replace('load(path))', 'load(path) if o["status"] == "Shipped")'), spec) == []
    # looked up as a field, the value is compared with nothing: the embedded model once wrote both
    assert data.ignored_values(blind.replace('load(path))', 'load(path) if o.get("shipped", False))'), spec) \
        == ["shipped"]
    assert data.ignored_values(blind.replace('load(path))', 'load(path) if o["shipped"])'), spec) == ["shipped"]
    assert "'shipped' is a value of the 'status' field, not a field name" in data.named_note(spec)
    with_param = {**spec, "parameters": [*spec["parameters"], {"name": "status", "type": "str"}]}
    assert data.ignored_values(blind, with_param) == []  # the value can be given as an argument


def test_a_direct_answer_that_ignores_a_value_the_request_names_is_no_answer():
    from selfeng.direct_answer import direct_answer
    orch, provider, _ = _with_sales()
    path = orch.settings.files_dir / "sales.csv"
    solve = ("```python\nimport csv\n\ndef solve():\n    with open(%r) as f:\n"
             "        return sum(float(r['amount']) for r in csv.DictReader(f)%s)\n```")
    provider.enqueue("generate_implementation", solve % (str(path), ""))
    provider.enqueue("generate_implementation", solve % (str(path), " if r['region'] == 'North'"))
    request = "What is the total amount of the North sales in sales.csv?"
    sandbox = orch.synthesis_engine.sandbox
    assert direct_answer(orch.llm_client, sandbox, request, "", ["North"]) == (False, None)
    assert direct_answer(orch.llm_client, sandbox, request, "", ["North"]) == (True, 220.0)
