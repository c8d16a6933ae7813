import csv


def calculate_profit_margins(csv_path: str) -> dict:
    """Calculate the profit margin of each product in a CSV file with product, price and cost columns.

    Returns {"products": [{"product", "price", "cost", "margin_percent"}], "average_margin_percent"}.
    """
    rows = []
    with open(csv_path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            price, cost = float(row["price"]), float(row["cost"])
            margin = (price - cost) / price * 100.0 if price else 0.0
            rows.append({"product": row["product"], "price": price, "cost": cost,
                         "margin_percent": round(margin, 2)})
    average = round(sum(r["margin_percent"] for r in rows) / len(rows), 2) if rows else 0.0
    return {"products": rows, "average_margin_percent": average}
