from pathlib import Path

import pytest

from calculate_profit_margins import calculate_profit_margins

CSV = str(Path(__file__).parent / "products.csv")


def test_margin_per_product():
    result = calculate_profit_margins(CSV)
    margins = {r["product"]: r["margin_percent"] for r in result["products"]}
    assert margins == {"Widget": 40.0, "Gadget": 45.0, "Gizmo": 20.0, "Doohickey": 45.0}


def test_average_margin():
    assert calculate_profit_margins(CSV)["average_margin_percent"] == pytest.approx(37.5)


def test_empty_file(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("product,price,cost\n")
    assert calculate_profit_margins(str(empty)) == {"products": [], "average_margin_percent": 0.0}
