"""Figures as the pages send them, checked by plotly's own validation."""

from __future__ import annotations

import base64
from typing import Any

import numpy as np
import plotly.graph_objects as go


def decoded(value: Any) -> Any:
    """Typed arrays ({"dtype", "bdata"}) back to numpy arrays, everywhere in a figure."""
    if isinstance(value, dict):
        if set(value) == {"dtype", "bdata"}:
            return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        return {key: decoded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decoded(item) for item in value]
    return value


def validated(spec: dict[str, Any]) -> go.Figure:
    """The figure through plotly.graph_objects: a property plotly does not know raises."""
    return go.Figure(decoded(spec))
