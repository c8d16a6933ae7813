"""Values between Python and PostgreSQL: timestamps, JSON without NaN or NUL, and pgvector arrays."""
from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any

import numpy as np


def iso(v: Any) -> Any:
    return v.isoformat() if isinstance(v, datetime) else v


def finite(value: Any) -> Any:
    """JSON for PostgreSQL: NaN and ±Infinity are not JSON, so they travel as the strings the web
    layer uses for them anyway ("NaN", "Infinity", "-Infinity")."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {str(k): finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def to_json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(finite(json.loads(json.dumps(value, default=str))), allow_nan=False).replace("\\u0000", "")


def to_vector(v: np.ndarray | None) -> np.ndarray | None:
    return None if v is None else np.ascontiguousarray(v, dtype=np.float32)


def to_array(v: Any) -> np.ndarray | None:
    """A stored pgvector value as a float32 array."""
    if v is None:
        return None
    return np.asarray(v.to_numpy() if hasattr(v, "to_numpy") else v, dtype=np.float32)
